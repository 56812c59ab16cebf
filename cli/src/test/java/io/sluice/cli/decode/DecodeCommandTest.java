package io.sluice.cli.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class DecodeCommandTest {
  private String out;
  private String err;

  private int run(String... args) {
    PrintStream oldOut = System.out, oldErr = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
      return Main.run(args);
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
      out = o.toString(StandardCharsets.UTF_8);
      err = e.toString(StandardCharsets.UTF_8);
    }
  }

  private static Path up(String relative) {
    for (Path d = Paths.get("").toAbsolutePath(); d != null; d = d.getParent()) {
      if (Files.exists(d.resolve(relative))) return d.resolve(relative);
    }
    throw new IllegalStateException("not found: " + relative);
  }

  /** The column names of the flows table, read from its migration. */
  private static Set<String> flowsColumns() throws Exception {
    String sql = Files.readString(up("sql/001_flows.sql"));
    String body = sql.substring(sql.indexOf('(') + 1, sql.indexOf("ENGINE"));
    Set<String> cols = new TreeSet<>();
    Matcher m = Pattern.compile("(?m)^\\s+([a-z_]+)\\s+\\S").matcher(body);
    while (m.find()) cols.add(m.group(1));
    // Columns later migrations add to flows (one ALTER per file, possibly several ADD COLUMN).
    try (var files = Files.list(up("sql"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".sql")).sorted().toList()) {
        String text = Files.readString(f);
        if (!text.matches("(?s).*ALTER\\s+TABLE\\s+flows\\s.*")) continue;
        Matcher add = Pattern.compile("ADD\\s+COLUMN\\s+([a-z_]+)").matcher(text);
        while (add.find()) cols.add(add.group(1));
      }
    }
    return cols;
  }

  @Test
  void jsonRecordsUseTheColumnNames() throws Exception {
    Path pcap = up("shared/fixtures/flows/akvorado/netflow/samplingrate.pcap");
    assertEquals(0, run("decode", pcap.toString(), "--json"));
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> rows = new ArrayList<>();
    for (String line : out.split("\n")) if (!line.isBlank()) rows.add(json.readTree(line));
    assertEquals(6, rows.size(), "the oracle counts 6 data records");
    Set<String> keys = new TreeSet<>();
    rows.get(0).fieldNames().forEachRemaining(keys::add);
    Set<String> columns = flowsColumns();
    columns.remove("ingest_batch"); // assigned by the ClickHouse sink, not by decoding
    assertEquals(columns, keys);
    for (JsonNode r : rows) {
      assertEquals(2048, r.get("sampling_rate").asLong());
      assertEquals("packet", r.get("sampling_rate_source").asText());
      assertEquals(r.get("sampled_bytes").asLong() * 2048, r.get("est_bytes").asLong());
    }
    assertTrue(err.contains("datagrams: netflow9=2"), err);
    assertTrue(err.contains("packet/2048=6"), err);
  }

  /** Addresses in --json are as ClickHouse prints an IPv6 column (IPv4 mapped as ::ffff:a.b.c.d), per tshark. */
  @Test
  void jsonAddressesAreTsharksAsClickHousePrintsThem() throws Exception {
    ObjectMapper json = new ObjectMapper();
    for (String name : List.of("netflow__icmp", "netflow__multiplesamplingrates", "netflow__mpls")) {
      List<String> expected = new ArrayList<>();
      Path oracle = up("shared/fixtures/oracle/flows/akvorado__" + name + ".records.jsonl.gz");
      try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(
          new java.util.zip.GZIPInputStream(Files.newInputStream(oracle)), StandardCharsets.UTF_8))) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          JsonNode r = json.readTree(line);
          if (r.hasNonNull("src_addr")) expected.add(ch(r.get("src_addr").asText()) + " " + ch(r.get("dst_addr").asText()));
        }
      }
      assertEquals(0, run("decode", up("shared/fixtures/flows/akvorado/" + name.replace("__", "/") + ".pcap").toString(), "--json"));
      List<String> ours = new ArrayList<>();
      for (String line : out.split("\n")) {
        if (line.isBlank()) continue;
        JsonNode r = json.readTree(line);
        ours.add(r.get("src_addr").asText() + " " + r.get("dst_addr").asText());
      }
      expected.sort(null);
      ours.sort(null);
      assertEquals(expected, ours, name);
    }
  }

  private static String ch(String tshark) {
    return tshark.contains(":") ? tshark : "::ffff:" + tshark;
  }

  @Test
  void tableAndDefaultRate() {
    Path pcap = up("shared/fixtures/flows/akvorado/netflow/nfv5.pcap");
    assertEquals(0, run("decode", pcap.toString(), "--exporter-default-rate", "100"));
    assertTrue(out.contains("configured/100=29"), out);
    // This exporter's clock is 8 hours behind the capture's: its rows count at the receive time, and say so.
    assertTrue(out.contains("problems:\n  time_out_of_range=29  ("), out);
  }

  @Test
  void errors() {
    assertEquals(1, run("decode", "/nonexistent.pcap"));
    assertTrue(err.startsWith("error: "), err);
    assertEquals(2, run("decode"));
    assertEquals(2, run("decode", "x.pcap", "--exporter-default-rate", "many"));
  }
}
