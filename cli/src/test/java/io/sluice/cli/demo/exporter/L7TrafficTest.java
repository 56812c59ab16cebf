package io.sluice.cli.demo.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.l7.DnsRow;
import io.sluice.l7.HttpRow;
import io.sluice.l7.L7Config;
import io.sluice.l7.L7Replay;
import io.sluice.l7.L7Sink;
import java.io.BufferedOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DNS/HTTP conversations the demo replays and `sluice bench l7` measures: valid on the wire (tshark finds no
 * bad checksum and no malformed packet) and the same queries, names, rcodes, requests and statuses for tshark and
 * for Sluice's L7 engine, per conversation.
 */
class L7TrafficTest {
  @TempDir Path tmp;

  @Test
  void tsharkAndTheL7EngineReadTheSameConversations() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/tshark")), "needs tshark");
    Path pcap = tmp.resolve("l7.pcap");
    try (PcapFile file = new PcapFile(new BufferedOutputStream(Files.newOutputStream(pcap)))) {
      for (L7Traffic.Frame f : L7Traffic.capture(3, 400, 1_796_000_000_000_000L, 200_000)) {
        file.write(f.timeMicros(), f.data());
      }
    }
    List<String> dns = new ArrayList<>();
    List<String> http = new ArrayList<>();
    L7Replay.run(pcap, L7Config.defaults(), new L7Sink() {
      @Override
      public void dns(DnsRow r) {
        dns.add(r.clientPort() + "|" + r.id() + "|" + r.qname() + "|" + r.qtype() + "|" + (r.status().equals("answered") ? r.rcode() : "-"));
      }

      @Override
      public void http(HttpRow r) {
        http.add(r.clientPort() + "|" + r.method() + "|" + r.host() + "|" + r.path() + "|" + r.statusCode());
      }
    });

    List<String> tsharkDns = decimalId(tshark(pcap, "dns.flags.response == 0", "udp.srcport", "dns.id", "dns.qry.name", "dns.qry.type"));
    List<String> answers = decimalId(tshark(pcap, "dns.flags.response == 1", "udp.dstport", "dns.id", "dns.qry.name", "dns.qry.type",
        "dns.flags.rcode"));
    List<String> expectedDns = new ArrayList<>();
    for (String q : tsharkDns) {
      String answered = answers.stream().filter(a -> a.startsWith(q + "|")).findFirst().map(a -> a.substring(q.length() + 1)).orElse("-");
      expectedDns.add(q + "|" + answered);
    }
    List<String> requests = tshark(pcap, "http.request", "tcp.srcport", "http.request.method", "http.host", "http.request.uri");
    List<String> responses = tshark(pcap, "http.response", "tcp.dstport", "http.response.code");
    List<String> expectedHttp = new ArrayList<>();
    List<String> open = new ArrayList<>(responses);
    for (String r : requests) {
      String port = r.substring(0, r.indexOf('|'));
      String response = open.stream().filter(x -> x.startsWith(port + "|")).findFirst().orElseThrow();
      open.remove(response);
      expectedHttp.add(r + "|" + response.substring(port.length() + 1));
    }
    assertTrue(expectedDns.size() > 250 && expectedHttp.size() > 60, expectedDns.size() + " " + expectedHttp.size());
    assertTrue(expectedDns.stream().anyMatch(d -> d.endsWith("|3")) && expectedDns.stream().anyMatch(d -> d.endsWith("|-")),
        "NXDOMAIN and unanswered queries in the mix");
    assertEquals(expectedDns.stream().sorted().toList(), dns.stream().sorted().toList());
    assertEquals(expectedHttp.stream().sorted().toList(), http.stream().sorted().toList());

    List<String> bad = tshark(pcap, "_ws.malformed || _ws.expert.severity >= 6291456 || tcp.analysis.flags && !tcp.analysis.window_update",
        "frame.number", "_ws.expert.message");
    assertEquals(List.of(), bad, "no malformed frame, no bad checksum, no TCP analysis warning");
  }

  /** tshark prints the DNS id in hex. */
  private static List<String> decimalId(List<String> lines) {
    return lines.stream().map(l -> {
      String[] f = l.split("\\|", -1);
      f[1] = Integer.toString(Integer.decode(f[1]));
      return String.join("|", f);
    }).toList();
  }

  private static List<String> tshark(Path pcap, String filter, String... fields) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("tshark", "-n", "-r", pcap.toString(), "-o", "tcp.check_checksum:TRUE",
        "-o", "udp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE", "-Y", filter, "-T", "fields", "-E", "separator=|"));
    for (String f : fields) {
      cmd.add("-e");
      cmd.add(f);
    }
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    List<String> lines = new String(p.getInputStream().readAllBytes()).lines().toList();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "tshark ran");
    return lines;
  }
}
