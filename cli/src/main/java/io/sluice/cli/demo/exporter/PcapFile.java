package io.sluice.cli.demo.exporter;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Writes a classic pcap file (microsecond timestamps, Ethernet), whole frames: captured length = original length. */
public final class PcapFile implements AutoCloseable {
  private final OutputStream out;

  public PcapFile(OutputStream out) throws IOException {
    this.out = out;
    out.write(ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putInt(0xa1b2c3d4).putShort((short) 2)
        .putShort((short) 4).putInt(0).putInt(0).putInt(262144).putInt(1).array());
  }

  public void write(long timeMicros, byte[] frame) throws IOException {
    out.write(ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putInt((int) (timeMicros / 1_000_000))
        .putInt((int) (timeMicros % 1_000_000)).putInt(frame.length).putInt(frame.length).array());
    out.write(frame);
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
