package io.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.decode.flow.CaptureFlowDecoder;
import io.sluice.decode.flow.FlowRecord;
import io.sluice.decode.flow.FlowSink;
import io.sluice.decode.flow.InterfaceCounters;
import io.sluice.ingest.pcap.CaptureFrame;
import io.sluice.ingest.pcap.CaptureReader;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `sluice demo-exporter --pcap` writes what the demo routers send; tshark and Sluice's decoder read the same
 * records from it, in order, per exporter: addresses, ports, protocol, ICMP type and code, bytes, packets,
 * interfaces and AS numbers, and Sluice applies the sampling rate the options data (NetFlow v9, IPFIX) or the
 * samples (sFlow) announce.
 */
class DemoExporterTest {
  @TempDir Path tmp;

  @Test
  void everyRecordDecodesTheSameWithTsharkAndWithSluice() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/tshark")), "needs tshark");
    Path pcap = tmp.resolve("demo.pcap");
    CliRun run = CliRun.of("demo-exporter", "--pcap", pcap.toString(), "--duration", "40", "--seed", "7");
    assertEquals(0, run.exitCode(), run.toString());

    Map<String, List<String>> tshark = tshark(pcap);
    Map<String, List<String>> sluice = new TreeMap<>();
    Map<String, Set<Long>> rates = new TreeMap<>();
    long[] counterSamples = {0};
    CaptureFlowDecoder decoder = new CaptureFlowDecoder(0);
    FlowSink sink = new FlowSink() {
      @Override
      public void flow(FlowRecord r) {
        String exporter = address(r.exporterAddr);
        sluice.computeIfAbsent(exporter, k -> new ArrayList<>()).add(tuple(address(r.srcAddr), address(r.dstAddr),
            r.protocol, r.srcPort, r.dstPort, r.icmpType, r.icmpCode, r.sampledBytes, r.sampledPackets, r.inIf, r.outIf,
            r.srcAs, r.dstAs));
        rates.computeIfAbsent(exporter, k -> new HashSet<>()).add(r.samplingRate);
      }

      @Override
      public void interfaceCounters(InterfaceCounters counters) {
        counterSamples[0]++;
      }
    };
    try (CaptureReader reader = CaptureReader.open(pcap)) {
      for (CaptureFrame frame : reader) {
        decoder.frame(frame.timestampNs(), frame.linkType(), frame.data(), sink);
      }
    }
    decoder.finish();

    assertEquals(Set.of("127.0.0.11", "127.0.0.12", "127.0.0.21", "127.0.0.31"), tshark.keySet(), "every demo exporter");
    assertEquals(tshark.keySet(), sluice.keySet());
    for (String exporter : tshark.keySet()) {
      assertTrue(tshark.get(exporter).size() > 200, exporter + " sent a few hundred records: " + tshark.get(exporter).size());
      assertEquals(tshark.get(exporter), sluice.get(exporter), "records of " + exporter);
    }
    assertEquals(Map.of("127.0.0.11", Set.of(1024L), "127.0.0.12", Set.of(2048L), "127.0.0.21", Set.of(100L),
        "127.0.0.31", Set.of(1000L)), rates, "the rate each exporter announced, on every record");
    assertTrue(counterSamples[0] >= 2 * 6 * 2, "two sFlow agents, six interfaces, every 20 s: " + counterSamples[0]);
    assertEquals(0, decoder.counters().totalProblems(), "no decode problems");
    List<String> all = tshark.values().stream().flatMap(List::stream).toList();
    for (String protocol : List.of("|1|", "|6|", "|17|", "|58|")) {
      assertTrue(all.stream().anyMatch(t -> t.contains(protocol)), "protocol " + protocol + " in the mix");
    }
    assertTrue(all.stream().anyMatch(t -> t.startsWith("2")) && all.stream().anyMatch(t -> t.contains(":")), "IPv4 and IPv6");
  }

  @Test
  void badArgumentsExit2WithOneLineAndNothingLeavesLoopback() {
    for (String[] args : List.of(new String[] {"--collector", "192.0.2.1"}, new String[] {"--collector", "no such host"},
        new String[] {"--rate", "0"}, new String[] {"--rate", "9000"}, new String[] {"--day-minutes", "0"},
        new String[] {"--sflow-port", "70000"}, new String[] {"--pcap", tmp.resolve("x.pcap").toString()},
        new String[] {"--duration", "-1"}, new String[] {"--seed", "x"})) {
      List<String> all = new ArrayList<>(List.of("demo-exporter"));
      all.addAll(List.of(args));
      CliRun run = CliRun.of(all.toArray(String[]::new));
      assertEquals(2, run.exitCode(), String.join(" ", args) + ": " + run);
      assertTrue(run.err().lines().findFirst().orElse("").matches(".*(--[a-z-]+|ports).*"), run.err());
    }
    assertTrue(!Files.exists(tmp.resolve("x.pcap")));
    for (String[] args : List.of(new String[] {"demo", "--rate", "0"}, new String[] {"demo", "--day-minutes", "2000"},
        new String[] {"demo", "--sflow-port", "0"}, new String[] {"demo", "--l7-minutes", "0"}, new String[] {"demo", "--wait", "0"},
        new String[] {"bench", "l7", "--conversations", "0"}, new String[] {"bench", "l7", "--packets-per-record", "0"},
        new String[] {"bench", "l7", "--checkpoint-ms", "0"}, new String[] {"bench", "l7", "--copies", "0"})) {
      CliRun run = CliRun.of(args);
      assertEquals(2, run.exitCode(), String.join(" ", args) + ": " + run);
      assertTrue(run.err().lines().findFirst().orElse("").matches(".*(--[a-z0-9-]+|ports) must be .*"), run.err());
    }
  }

  private static String tuple(String src, String dst, int protocol, int srcPort, int dstPort, int icmpType, int icmpCode,
      long bytes, long packets, long inIf, long outIf, long srcAs, long dstAs) {
    boolean icmp = protocol == 1 || protocol == 58;
    return String.join("|", src, dst, "", Integer.toString(protocol), "", icmp ? "-" : Integer.toString(srcPort),
        icmp ? "-" : Integer.toString(dstPort), icmp ? icmpType + "/" + icmpCode : "-", Long.toString(bytes),
        Long.toString(packets), Long.toString(inIf), Long.toString(outIf), Long.toString(srcAs), Long.toString(dstAs));
  }

  private static String address(byte[] a16) {
    try {
      return InetAddress.getByAddress(a16).getHostAddress();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String normal(String literal) throws Exception {
    return InetAddress.getByName(literal).getHostAddress();
  }

  /** Per exporter, the flow records (NetFlow/IPFIX data records, sFlow flow samples) as tshark reads them. */
  private Map<String, List<String>> tshark(Path pcap) throws Exception {
    Path json = tmp.resolve("tshark.json");
    Process p = new ProcessBuilder("tshark", "-n", "-r", pcap.toString(), "-d", "udp.port==2055,cflow",
        "-d", "udp.port==4739,cflow", "-d", "udp.port==6343,sflow", "-T", "json")
        .redirectOutput(json.toFile()).redirectError(tmp.resolve("tshark.err").toFile()).start();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0, "tshark ran");
    Map<String, List<String>> records = new TreeMap<>();
    for (JsonNode frame : new ObjectMapper().readTree(json.toFile())) {
      JsonNode layers = frame.path("_source").path("layers");
      String source = layers.path("ip").path("ip.src").asText();
      if (layers.has("cflow")) {
        for (Iterator<Map.Entry<String, JsonNode>> sets = layers.path("cflow").fields(); sets.hasNext(); ) {
          Map.Entry<String, JsonNode> set = sets.next();
          int id = set.getValue().path("cflow.flowset_id").asInt();
          if (!set.getKey().matches("(Flow)?Set \\d+ .*") || (id != 256 && id != 257)) {
            continue;
          }
          for (Iterator<Map.Entry<String, JsonNode>> flows = set.getValue().fields(); flows.hasNext(); ) {
            Map.Entry<String, JsonNode> flow = flows.next();
            if (flow.getKey().startsWith("Flow ")) {
              records.computeIfAbsent(source, k -> new ArrayList<>()).add(cflow(flow.getValue()));
            }
          }
        }
      } else if (layers.has("sflow")) {
        JsonNode sflow = layers.path("sflow");
        String agent = sflow.path("sflow_245.agent").asText();
        for (Iterator<Map.Entry<String, JsonNode>> samples = sflow.fields(); samples.hasNext(); ) {
          Map.Entry<String, JsonNode> sample = samples.next();
          if (sample.getKey().startsWith("Flow sample")) {
            records.computeIfAbsent(agent, k -> new ArrayList<>()).add(sflowSample(sample.getValue()));
          }
        }
      }
    }
    return records;
  }

  private static String cflow(JsonNode f) throws Exception {
    boolean v6 = f.has("cflow.srcaddrv6");
    int protocol = f.path("cflow.protocol").asInt();
    int typeCode = f.has("cflow.icmp_ipv6_type")
        ? f.path("cflow.icmp_ipv6_type").asInt() << 8 | f.path("cflow.icmp_ipv6_code").asInt()
        : f.has("cflow.icmp_ipv4_type") ? f.path("cflow.icmp_ipv4_type").asInt() << 8 | f.path("cflow.icmp_ipv4_code").asInt()
        : Integer.decode(f.path(v6 ? "cflow.icmp_type_code_ipv6" : "cflow.icmp_type_code_ipv4").asText());
    String bytes = f.has("cflow.octets64") ? f.path("cflow.octets64").asText() : f.path("cflow.octets").asText();
    String packets = f.has("cflow.packets64") ? f.path("cflow.packets64").asText() : f.path("cflow.packets").asText();
    return tuple(normal(f.path(v6 ? "cflow.srcaddrv6" : "cflow.srcaddr").asText()),
        normal(f.path(v6 ? "cflow.dstaddrv6" : "cflow.dstaddr").asText()), protocol,
        f.path("cflow.srcport").asInt(), f.path("cflow.dstport").asInt(), typeCode >> 8, typeCode & 0xFF,
        Long.parseLong(bytes), Long.parseLong(packets), f.path("cflow.inputint").asLong(), f.path("cflow.outputint").asLong(),
        f.path("cflow.srcas").asLong(), f.path("cflow.dstas").asLong());
  }

  private static String sflowSample(JsonNode s) throws Exception {
    JsonNode raw = s.path("Raw packet header");
    JsonNode header = raw.path("sflow_245.header_tree");
    JsonNode ip = header.has("ipv6") ? header.path("ipv6") : header.path("ip");
    String prefix = header.has("ipv6") ? "ipv6." : "ip.";
    int protocol = ip.path(header.has("ipv6") ? "ipv6.nxt" : "ip.proto").asInt();
    JsonNode l4 = header.has("tcp") ? header.path("tcp") : header.path("udp");
    String l4Prefix = header.has("tcp") ? "tcp." : "udp.";
    JsonNode icmp = header.has("icmpv6") ? header.path("icmpv6") : header.path("icmp");
    String icmpPrefix = header.has("icmpv6") ? "icmpv6." : "icmp.";
    JsonNode gateway = s.path("Extended gateway data");
    return tuple(normal(ip.path(prefix + "src").asText()), normal(ip.path(prefix + "dst").asText()), protocol,
        l4.path(l4Prefix + "srcport").asInt(), l4.path(l4Prefix + "dstport").asInt(),
        icmp.path(icmpPrefix + "type").asInt(), icmp.path(icmpPrefix + "code").asInt(),
        raw.path("sflow_245.header.frame_length").asLong(), 1, s.path("sflow.flow_sample.input_interface").asLong(),
        Long.decode(s.path("sflow.flow_sample.output_interface").asText()), gateway.path("sflow_245.srcAS").asLong(),
        dstAs(gateway));
  }

  /** The last AS of the gateway record's destination path (tshark lists the path's ASNs under the segment). */
  private static long dstAs(JsonNode gateway) {
    List<String> found = new ArrayList<>();
    collect(gateway, "sflow_245.dstAS", found);
    return found.isEmpty() ? -1 : Long.parseLong(found.get(found.size() - 1));
  }

  private static void collect(JsonNode node, String key, List<String> found) {
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().equals(key)) {
        if (e.getValue().isArray()) {
          e.getValue().forEach(v -> found.add(v.asText()));
        } else {
          found.add(e.getValue().asText());
        }
      } else if (e.getValue().isObject()) {
        collect(e.getValue(), key, found);
      }
    }
  }
}
