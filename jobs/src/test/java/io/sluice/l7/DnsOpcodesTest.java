package io.sluice.l7;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * DNS of every opcode, against tshark run on the same capture: dns-opcodes.pcap (made by make-dns-opcodes.sh next
 * to it: bind9 answering nsupdate's UPDATEs over UDP and TCP, with prerequisites and deletions of class ANY and
 * NONE and no data, one refused with NXDOMAIN; a NOTIFY; STATUS and QUERY messages without a question, one STATUS
 * answered NOTIMP without echoing its question). Every message is decoded (nothing counted as a problem) and every
 * pair tshark makes is an answered row with its id, opcode, rcode and latency; the same cut at 128 bytes.
 */
class DnsOpcodesTest {
  static Path capture() throws URISyntaxException {
    return Path.of(DnsOpcodesTest.class.getResource("/l7/dns-opcodes.pcap").toURI());
  }

  /** tshark's pairs: "clientPort id opcode rcode latencyMicros", sorted. */
  static List<String> tsharkPairs(Path capture) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("tshark", "-r", capture.toString(), "-Y", "dns.flags.response == 1 && dns.time",
        "-T", "fields", "-E", "separator=,", "-E", "occurrence=f", "-e", "udp.dstport", "-e", "tcp.dstport",
        "-e", "dns.id", "-e", "dns.flags.opcode", "-e", "dns.flags.rcode", "-e", "dns.time")
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), "tshark");
    List<String> pairs = new ArrayList<>();
    for (String line : out.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.split(",", -1);
      String port = f[0].isEmpty() ? f[1] : f[0];
      pairs.add(String.join(" ", port, "" + Integer.decode(f[2]), f[3], f[4],
          "" + Fixtures.secondsToNs(f[5]) / 1000));
    }
    pairs.sort(null);
    return pairs;
  }

  static List<String> ours(List<DnsRow> rows) {
    return rows.stream().filter(r -> r.status().equals(RowStatus.ANSWERED))
        .map(r -> String.join(" ", "" + r.clientPort(), "" + r.id(), "" + r.opcode(), "" + r.rcode(),
            "" + r.latencyNs() / 1000))
        .sorted().toList();
  }

  @Test
  void everyOpcodePairsAsTsharkPairsIt() throws Exception {
    Path capture = capture();
    List<String> expected = tsharkPairs(capture);
    Map<String, Long> opcodes = expected.stream()
        .collect(Collectors.groupingBy(s -> s.split(" ")[2], TreeMap::new, Collectors.counting()));
    assertEquals(Map.of("0", 1L, "2", 3L, "4", 1L, "5", 4L), opcodes, "the capture holds QUERY, STATUS, NOTIFY, UPDATE");

    CollectingSink sink = new CollectingSink();
    L7Summary summary = L7Replay.run(capture, L7Config.defaults(), sink);
    assertEquals(expected, ours(sink.dns));
    assertEquals(Map.of(), summary.problems.nonZero());
    assertEquals(expected.size(), summary.dnsPairs);
    assertEquals(0, summary.dnsTimeouts + summary.dnsUnsolicited);
    assertTrue(sink.dns.stream().anyMatch(r -> r.opcode() == 5 && r.qname().equals("example.test")
        && r.transport().equals("tcp")), "an UPDATE over TCP, its zone as the question");

    CollectingSink cut = new CollectingSink();
    L7Replay.run(SnapCutter.cut(capture, 128), L7Config.defaults(), cut);
    assertEquals(expected, ours(cut.dns), "cut at 128 bytes");
  }
}
