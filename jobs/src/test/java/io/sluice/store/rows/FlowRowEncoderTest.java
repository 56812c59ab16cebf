package io.sluice.store.rows;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.decode.flow.CaptureFlowDecoder;
import io.sluice.decode.flow.FlowRecord;
import io.sluice.ingest.pcap.CaptureFrame;
import io.sluice.ingest.pcap.CaptureReader;
import io.sluice.stack.TestStack;
import io.sluice.store.ClickHouseHttp;
import io.sluice.store.ClickHouseSql;
import io.sluice.store.TestClickHouse;
import io.sluice.store.schema.Migrator;
import io.sluice.store.schema.ServerFeature;
import io.sluice.store.sink.RowBinary;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real fixture datagrams, decoded and written as RowBinary into the migrated {@code flows} table of a real
 * ClickHouse, read back with SQL and compared with tshark's independent decode of the same capture.
 */
class FlowRowEncoderTest {
  private static final Path FIXTURES = TestStack.repoRoot().getParent().resolve("shared/fixtures");
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The server under test (Debian's 18.16 here; {@link FlowRowEncoderOnClickHouse26Test}: 26.7), no database. */
  protected ClickHouseSql server() {
    return new ClickHouseHttp(TestClickHouse.url(), null);
  }

  /**
   * Captures where tshark knows the sampling rate of every record and decoded every data set (in
   * data+templates it cannot decode the data that precedes its template, which Sluice holds and decodes).
   */
  @ParameterizedTest
  @ValueSource(strings = {"akvorado/netflow/cisco-options-then-data", "akvorado/netflow/physicalinterfaces",
      "akvorado/netflow/multiplesamplingrates", "akvorado/netflow/samplingrate", "akvorado/netflow/mpls",
      "logstash-codec-netflow/nfv5_juniper_mx80"})
  void storedRowsEqualTsharksDecode(String capture) throws Exception {
    String database = TestClickHouse.newDatabase("flowrows");
    ClickHouseSql server = server();
    Migrator.Result migrated = new Migrator(server, database, TestStack.repoRoot().resolve("sql"), line -> {}).migrate();
    ClickHouseSql db = server.withDatabase(database);
    if (migrated.capabilities().features().contains(ServerFeature.TTL)) {
      db.execute("SYSTEM STOP TTL MERGES"); // the captures are years old: flows' 90-day TTL would delete the rows
    }

    FlowRowEncoder encoder = new FlowRowEncoder();
    RowBinary rows = new RowBinary(1 << 16);
    CaptureFlowDecoder decoder = new CaptureFlowDecoder(0);
    try (CaptureReader reader = CaptureReader.open(FIXTURES.resolve("flows/" + capture + ".pcap"))) {
      for (CaptureFrame frame : reader) {
        decoder.frame(frame.timestampNs(), frame.linkType(), frame.data(), (FlowRecord r) -> {
          encoder.encode(r, rows);
          rows.uint64(0); // ingest_batch
        });
      }
    }
    List<String> columns = new ArrayList<>(encoder.columns());
    columns.add("ingest_batch");
    db.insertRowBinary("flows", columns, rows.array(), rows.size());

    String oracleName = capture.replace("/", "__");
    JsonNode summary = JSON.readTree(FIXTURES.resolve("oracle/flows/" + oracleName + ".summary.json").toFile()).path("netflow_ipfix");
    assertEquals(List.of(List.of(summary.path("data_records").asText(), summary.path("total_bytes").asText(),
            summary.path("total_packets").asText(), summary.path("corrected_total_bytes").asText(),
            summary.path("corrected_total_packets").asText())),
        db.query("SELECT count(), sum(sampled_bytes), sum(sampled_packets), sum(est_bytes), sum(est_packets) FROM flows").rows());

    List<JsonNode> data = oracleRecords(oracleName).stream().filter(r -> r.path("kind").asText().equals("data")).toList();
    // tshark's normalised in_if/out_if come from IEs 10/14 only; where it has none, interfaces are not compared.
    boolean withInterfaces = data.stream().allMatch(r -> r.path("in_if").isNumber() && r.path("out_if").isNumber());
    List<String> expected = new ArrayList<>();
    for (JsonNode record : data) {
      expected.add(String.join(" ", record.path("src_addr").asText(), record.path("dst_addr").asText(),
          record.path("src_port").asText(), record.path("dst_port").asText(), record.path("proto").asText(),
          record.path("bytes").asText(), record.path("packets").asText())
          + (withInterfaces ? " " + record.path("in_if").asText() + " " + record.path("out_if").asText() : ""));
    }
    List<String> stored = new ArrayList<>();
    for (List<String> row : db.query("SELECT replaceOne(IPv6NumToString(src_addr), '::ffff:', ''),"
        + " replaceOne(IPv6NumToString(dst_addr), '::ffff:', ''), src_port, dst_port, protocol, sampled_bytes,"
        + " sampled_packets" + (withInterfaces ? ", in_if, out_if" : "") + " FROM flows").rows()) {
      stored.add(String.join(" ", row));
    }
    expected.sort(null);
    stored.sort(null);
    assertEquals(expected, stored);
  }

  private static List<JsonNode> oracleRecords(String name) throws Exception {
    List<JsonNode> records = new ArrayList<>();
    Path file = FIXTURES.resolve("oracle/flows/" + name + ".records.jsonl.gz");
    try (BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(file)),
        StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        records.add(JSON.readTree(line));
      }
    }
    return records;
  }
}
