package io.sluice.ingest.pcap;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/** Classic pcap files (little endian, microsecond timestamps, Ethernet) of frames a test makes itself. */
public final class ClassicPcapWriter {
  private ClassicPcapWriter() {}

  /** The file: frame i stamped firstSecond plus i × stepMicros, each frame whole (captured = original length). */
  public static byte[] ethernet(List<byte[]> frames, long firstSecond, long stepMicros) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putInt(ClassicPcapSource.MAGIC_US)
        .putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(LinkTypes.ETHERNET).array());
    for (int i = 0; i < frames.size(); i++) {
      byte[] f = frames.get(i);
      long us = i * stepMicros;
      out.writeBytes(ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putInt((int) (firstSecond + us / 1_000_000))
          .putInt((int) (us % 1_000_000)).putInt(f.length).putInt(f.length).array());
      out.writeBytes(f);
    }
    return out.toByteArray();
  }
}
