package io.sluice.cli.demo;

import io.sluice.decode.packet.PacketHeader;
import io.sluice.decode.packet.PacketParser;
import io.sluice.ingest.capture.CaptureFrame;
import io.sluice.ingest.capture.CaptureReader;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;

/** Replays the flow datagrams of a capture to a collector port on loopback, from a loopback source address. */
final class DemoTraffic {
  private DemoTraffic() {}

  /** Sends every UDP payload of the capture, in order, from {@code source}; returns how many. */
  static int replay(Path capture, String source, int port) throws IOException {
    int sent = 0;
    PacketHeader packet = new PacketHeader();
    InetAddress collector = InetAddress.getLoopbackAddress();
    try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(source, 0));
        CaptureReader reader = CaptureReader.open(capture)) {
      for (CaptureFrame frame : reader) {
        if (PacketParser.parse(frame.linkType(), frame.data(), 0, frame.data().length, packet)
            && packet.protocol == PacketParser.PROTO_UDP && packet.payloadLength > 0) {
          socket.send(new DatagramPacket(frame.data(), packet.payloadOffset, packet.payloadLength, collector, port));
          sent++;
        }
      }
    }
    return sent;
  }
}
