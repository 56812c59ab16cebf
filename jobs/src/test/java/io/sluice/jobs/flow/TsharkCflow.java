package io.sluice.jobs.flow;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/** tshark's decode of NetFlow v9/IPFIX datagrams in a capture: the independent count of what was exported. */
final class TsharkCflow {
  /** One data record: the UDP port its datagram went to, the export version, and its protocol, octets and packets. */
  record FlowRow(int port, int version, int protocol, long octets, long packets) {}

  /** Datagrams per destination port, and every data record. */
  record Decode(Map<Integer, Integer> datagramsByPort, List<FlowRow> records) {}

  private TsharkCflow() {}

  static Decode decode(Path capture, int... cflowPorts) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("tshark", "-n", "-r", capture.toString()));
    for (int port : cflowPorts) {
      cmd.addAll(List.of("-d", "udp.port==" + port + ",cflow"));
    }
    cmd.addAll(List.of("-T", "fields", "-E", "separator=|", "-E", "occurrence=a", "-E", "aggregator=;",
        "-e", "udp.dstport", "-e", "cflow.version", "-e", "cflow.protocol", "-e", "cflow.octets", "-e", "cflow.packets"));
    Process tshark = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String text = new String(tshark.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!tshark.waitFor(60, TimeUnit.SECONDS) || tshark.exitValue() != 0) {
      throw new IllegalStateException("tshark failed on " + capture + ": " + text);
    }
    Map<Integer, Integer> datagrams = new TreeMap<>();
    List<FlowRow> records = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      String[] cols = line.split("\\|", -1);
      int port = Integer.parseInt(cols[0]);
      datagrams.merge(port, 1, Integer::sum);
      if (cols[2].isEmpty()) {
        continue; // templates only
      }
      String[] protocols = cols[2].split(";");
      String[] octets = cols[3].split(";");
      String[] packets = cols[4].split(";");
      if (protocols.length != octets.length || protocols.length != packets.length) {
        throw new IllegalStateException("records without protocol, octets or packets: " + line);
      }
      for (int i = 0; i < protocols.length; i++) {
        records.add(new FlowRow(port, Integer.parseInt(cols[1].split(";")[0]), Integer.parseInt(protocols[i]),
            Long.parseLong(octets[i]), Long.parseLong(packets[i])));
      }
    }
    return new Decode(datagrams, records);
  }
}
