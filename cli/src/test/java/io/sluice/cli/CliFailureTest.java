package io.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.stack.Ports;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 21: the CLI under failure says what is wrong in one line, with the right exit code, and quickly. */
class CliFailureTest {
  private static void oneLine(CliRun run, int exitCode, String contains) {
    assertEquals(exitCode, run.exitCode(), run.toString());
    assertEquals(1, run.err().strip().lines().count(), "one line: " + run);
    assertTrue(run.err().contains(contains), run.toString());
    assertFalse(run.err().contains("\tat "), "no stack trace: " + run);
  }

  @Test
  void aDatabaseNameThatIsNotAnIdentifierIsAUsageError() {
    oneLine(CliRun.of("db", "migrate", "--database", "x;DROP"), 2, "--database must be letters, digits and underscores");
    oneLine(CliRun.of("query", "--database", "a b", "SELECT 1"), 2, "--database");
  }

  @Test
  void aNegativeDefaultRateIsAUsageError(@TempDir Path dir) throws Exception {
    Path pcap = emptyPcap(dir);
    oneLine(CliRun.of("decode", "--exporter-default-rate", "-1", pcap.toString()), 2, "--exporter-default-rate");
  }

  @Test
  void badUrlsAreUsageErrors() {
    oneLine(CliRun.of("query", "--clickhouse", "not a url", "SELECT 1"), 2, "--clickhouse");
    oneLine(CliRun.of("query", "--clickhouse", "ftp://host:21", "SELECT 1"), 2, "--clickhouse must be an http");
    oneLine(CliRun.of("db", "migrate", "--clickhouse", "127.0.0.1:8123"), 2, "--clickhouse");
    oneLine(CliRun.of("submit", "--flink", "://nowhere", "flows"), 2, "--flink");
  }

  /** Nothing listens on the port: one line, exit 1, within the check's timeout rather than minutes of retries. */
  @Test
  void badKafkaSecuritySettingsAreUsageErrors(@TempDir Path dir) throws Exception {
    Path tuning = java.nio.file.Files.writeString(dir.resolve("client.properties"), "acks=0\n");
    oneLine(CliRun.of("sources", "list", "--kafka-config", dir.resolve("missing.properties").toString()), 2,
        "Kafka security settings: cannot read the Kafka client config");
    oneLine(CliRun.of("collect", "--kafka-config", tuning.toString()), 2,
        "Kafka security settings: the Kafka client config " + tuning + " may hold only security.protocol");
    oneLine(CliRun.of("replay", "--kafka-config", tuning.toString(), tuning.toString()), 2, "Kafka security settings");
  }

  @Test
  void kafkaUnreachableFailsFastInOneLine(@TempDir Path dir) throws Exception {
    String kafka = "127.0.0.1:" + Ports.free();
    Path pcap = emptyPcap(dir);
    long start = System.nanoTime();
    oneLine(CliRun.of("replay", "--kafka", kafka, pcap.toString()), 1, "Kafka at " + kafka + " did not answer");
    oneLine(CliRun.of("sources", "list", "--kafka", kafka), 1, "Kafka at " + kafka + " did not answer");
    long seconds = (System.nanoTime() - start) / 1_000_000_000L;
    System.out.println("CliFailureTest: two commands against an unreachable Kafka took " + seconds + " s");
  }

  private static Path emptyPcap(Path dir) throws Exception {
    ByteBuffer b = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
    Path pcap = dir.resolve("empty.pcap");
    Files.write(pcap, b.array());
    return pcap;
  }
}
