package io.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.stack.LocalStack;
import io.sluice.stack.Ports;
import io.sluice.stack.StackSettings;
import io.sluice.stack.TestStack;
import io.sluice.store.ClickHouseHttp;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** README's first command, `sluice demo`, end to end on free ports: the rows it lands match tshark's decode. */
class DemoTest {
  private StackSettings settings;

  @AfterEach
  void down() {
    if (settings != null) {
      new LocalStack(settings).down();
    }
  }

  @Test
  void theDemoLandsEveryExportersRecordsWithTheirSamplingCorrections() throws Exception {
    settings = TestStack.settings();
    CliRun run = CliRun.of("demo", "--work-dir", settings.workDir().toString(),
        "--clickhouse-http-port", Integer.toString(settings.clickhouseHttpPort()),
        "--clickhouse-tcp-port", Integer.toString(settings.clickhouseTcpPort()),
        "--kafka-port", Integer.toString(settings.kafkaPort()),
        "--kafka-controller-port", Integer.toString(settings.kafkaControllerPort()),
        "--flink-rest-port", Integer.toString(settings.flinkRestPort()),
        "--flink-rpc-port", Integer.toString(settings.flinkRpcPort()),
        "--sflow-port", Integer.toString(Ports.free()), "--netflow-port", Integer.toString(Ports.free()),
        "--ipfix-port", Integer.toString(Ports.free()));
    assertEquals(0, run.exitCode(), run.toString());
    assertTrue(run.out().contains("Top talkers") && run.out().contains("SELECT exporter_name"), run.toString());

    Path oracle = TestStack.repoRoot().getParent().resolve("shared/fixtures/oracle/flows");
    var sampled = new ObjectMapper().readTree(oracle.resolve("akvorado__netflow__samplingrate.summary.json").toFile())
        .path("netflow_ipfix");
    var pflow = new ObjectMapper().readTree(oracle.resolve("logstash-codec-netflow__ipfix_openbsd_pflow.summary.json").toFile())
        .path("netflow_ipfix");
    ClickHouseHttp db = new ClickHouseHttp(settings.clickhouseUrl(), "sluice");
    assertEquals(List.of(
            List.of("demo-ipfix-pflow", pflow.path("data_records").asText(), pflow.path("total_bytes").asText(), "0"),
            List.of("demo-nfv9-sampled", sampled.path("data_records").asText(), sampled.path("total_bytes").asText(),
                sampled.path("corrected_total_bytes").asText())),
        db.query("SELECT exporter_name, count(), sum(sampled_bytes), sum(est_bytes) FROM flows"
            + " WHERE exporter_name IN ('demo-nfv9-sampled', 'demo-ipfix-pflow') GROUP BY exporter_name ORDER BY exporter_name").rows());
    assertEquals("6", db.scalar("SELECT count() FROM flows WHERE exporter_name = 'demo-sflow'"),
        "5 + 1 flow samples in the two sFlow captures, keyed by their agents");
    assertTrue(Long.parseLong(db.scalar("SELECT count() FROM flows WHERE exporter_name = 'demo-softflowd'")) > 100,
        "softflowd exported the DNS capture's flows");
    assertEquals("0", db.scalar("SELECT count() FROM flows WHERE exporter_name = ''"), "only registered exporters land");
  }
}
