package io.sluice.cli.sources;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.cli.UserError;
import io.sluice.cli.db.MigrateCommand;
import io.sluice.cli.stack.KafkaTopics;
import io.sluice.ingest.Topics;
import io.sluice.ingest.sources.InvalidSourceException;
import io.sluice.ingest.sources.Sources;
import io.sluice.ingest.sources.SourcesTopic;
import io.sluice.stack.ClickHouseService;
import io.sluice.stack.KafkaService;
import io.sluice.stack.StackSettings;
import io.sluice.stack.TestStack;
import io.sluice.store.ClickHouseHttp;
import io.sluice.wire.FlowSource;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** `sluice sources` against a real Kafka broker and a real ClickHouse server, migrated with the project's SQL. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SourcesCommandTest {
  private static StackSettings settings;
  private static KafkaService kafka;
  private static ClickHouseService clickhouse;
  private static ClickHouseHttp ch;
  private static String[] where;

  @BeforeAll
  static void up() {
    settings = TestStack.settings();
    kafka = TestStack.start(new KafkaService(settings), 60_000);
    clickhouse = TestStack.start(new ClickHouseService(settings), 60_000);
    KafkaTopics.ensure(settings.kafkaBootstrap(), new PrintWriter(new StringWriter()));
    MigrateCommand.migrate(settings.clickhouseUrl(), "sluice", TestStack.repoRoot().resolve("sql"), new PrintWriter(new StringWriter()));
    ch = new ClickHouseHttp(settings.clickhouseUrl(), "sluice");
    where = new String[] {"--kafka", settings.kafkaBootstrap(), "--clickhouse", settings.clickhouseUrl()};
  }

  @AfterAll
  static void down() {
    if (clickhouse != null) {
      clickhouse.stop();
    }
    if (kafka != null) {
      kafka.stop();
    }
    if (settings != null) {
      TestStack.deleteTree(settings.workDir()); // both stopped
    }
  }

  private static Run sources(String... args) {
    String[] all = new String[args.length + 1 + where.length];
    all[0] = "sources";
    System.arraycopy(args, 0, all, 1, args.length);
    System.arraycopy(where, 0, all, 1 + args.length, where.length);
    return Run.of(all);
  }

  private static Map<String, FlowSource> registry() {
    return new SourcesTopic(settings.kafkaBootstrap()).readAll(Duration.ofSeconds(20), p -> {
      throw new AssertionError(p);
    });
  }

  /** The records ever written to sluice.sources (its end offset). */
  private static long topicEnd() {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.kafkaBootstrap());
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      TopicPartition tp = new TopicPartition(Topics.SOURCES, 0);
      return c.endOffsets(List.of(tp)).get(tp);
    }
  }

  private static long mirrorRows() {
    return Long.parseLong(ch.scalar("SELECT count() FROM sources"));
  }

  @Test
  @Order(1)
  void addRegistersInKafkaAndMirrorsIntoClickHouse() {
    Run run = sources("add", "192.0.2.0/24", "--name", "edge-1", "--sampling-rate", "1000", "--site", "par1",
        "--interface", "12=xe-0/0/1", "--interface", "13=xe-0/0/2");
    assertEquals(0, run.exitCode(), run.toString());
    assertEquals("registered 192.0.2.0/24 as edge-1, site par1, sampling 1:1000 (default), 2 interface name(s)\n", run.out());
    FlowSource s = registry().get("192.0.2.0/24");
    assertEquals("edge-1", s.getName());
    assertEquals(1000, s.getSamplingRate());
    assertEquals(Map.of(12, "xe-0/0/1", 13, "xe-0/0/2"), s.getInterfaceNamesMap());
    ClickHouseHttp.Table row = ch.query("SELECT prefix, IPv6NumToString(prefix_addr), IPv6NumToString(prefix_last_addr), prefix_len, name, "
        + "site, sampling_rate, override_sampling, if_index, if_name, updated_ns FROM sources_current");
    assertEquals(List.of(List.of("192.0.2.0/24", "::ffff:192.0.2.0", "::ffff:192.0.2.255", "120", "edge-1", "par1", "1000", "0",
        "[12,13]", "['xe-0/0/1','xe-0/0/2']", Long.toString(s.getUpdatedNs()))), row.rows());

    assertEquals(0, sources("add", "2001:db8::7", "--name", "edge-6", "--exporter-address", "2001:db8::1").exitCode());
    assertEquals("1", ch.scalar("SELECT count() FROM sources_current WHERE name = 'edge-6' "
        + "AND IPv6NumToString(exporter_addr_override) = '2001:db8::1' AND prefix = '2001:db8::7/128'"));
  }

  @Test
  @Order(2)
  void listAndShow() {
    Run list = sources("list");
    assertEquals(0, list.exitCode(), list.toString());
    List<String> lines = list.out().lines().toList();
    assertEquals(4, lines.size(), list.out());
    assertTrue(lines.get(0).matches("prefix\\s+name\\s+site\\s+sampling\\s+interfaces"), list.out());
    assertTrue(lines.get(2).matches("192\\.0\\.2\\.0/24\\s+edge-1\\s+par1\\s+1:1000 \\(default\\)\\s+2"), list.out());
    assertTrue(lines.get(3).startsWith("2001:db8::7/128  edge-6"), list.out());

    Run byAddress = sources("show", "192.0.2.77");
    assertEquals(0, byAddress.exitCode(), byAddress.toString());
    assertTrue(byAddress.out().contains("prefix:            192.0.2.0/24"), byAddress.out());
    assertTrue(byAddress.out().contains("  12 = xe-0/0/1"), byAddress.out());
    Run byName = sources("show", "edge-6");
    assertTrue(byName.out().contains("exporter address:  2001:db8::1"), byName.toString());
    Run missing = sources("show", "198.51.100.1");
    assertEquals(1, missing.exitCode());
    assertEquals("error: no source is registered for 198.51.100.1/32; `sluice sources list` shows the registered ones\n", missing.err());
  }

  @Test
  @Order(3)
  void badInputGetsAClearMessageAndWritesNothing() {
    long end = topicEnd();
    long rows = mirrorRows();

    Run invalid = sources("add", "192.0.2.300", "--name", "x");
    assertEquals(2, invalid.exitCode(), invalid.toString());
    assertTrue(invalid.err().startsWith("invalid address \"192.0.2.300\" (expected an address or prefix"), invalid.err());

    Run hostBits = sources("add", "192.0.2.1/24", "--name", "x");
    assertEquals(2, hostBits.exitCode(), hostBits.toString());
    assertTrue(hostBits.err().contains("did you mean 192.0.2.0/24"), hostBits.err());

    Run rateZero = sources("add", "198.51.100.1", "--name", "x", "--sampling-rate", "0");
    assertEquals(2, rateZero.exitCode(), rateZero.toString());
    assertTrue(rateZero.err().startsWith("--sampling-rate must be 1 or more"), rateZero.err());

    for (String every : List.of("0.0.0.0/0", "::/0")) {
      Run any = sources("add", every, "--name", "x");
      assertEquals(2, any.exitCode(), any.toString());
      assertTrue(any.err().startsWith(every + " matches every address") && any.err().contains("--allow-any"), any.err());
    }

    Run notANumber = sources("add", "198.51.100.1", "--name", "x", "--sampling-rate", "many");
    assertEquals(2, notANumber.exitCode(), notANumber.toString());

    Run duplicate = sources("add", "198.51.100.1", "--name", "edge-1");
    assertEquals(1, duplicate.exitCode(), duplicate.toString());
    assertEquals("error: the name \"edge-1\" is already used by 192.0.2.0/24: choose another --name, or "
        + "`sluice sources remove 192.0.2.0/24` first\n", duplicate.err());

    Run noTable = Run.of("sources", "add", "198.51.100.1", "--name", "new", "--kafka", settings.kafkaBootstrap(),
        "--clickhouse", settings.clickhouseUrl(), "--database", "not_migrated");
    assertEquals(1, noTable.exitCode(), noTable.toString());
    assertTrue(noTable.err().contains("has no table not_migrated.sources: run `sluice db migrate"), noTable.err());

    Run removeUnknown = sources("remove", "edge-99");
    assertEquals(1, removeUnknown.exitCode(), removeUnknown.toString());

    assertEquals(end, topicEnd(), "nothing was written to sluice.sources");
    assertEquals(rows, mirrorRows(), "nothing was written to the mirror");
    assertEquals(2, registry().size());
  }

  @Test
  @Order(4)
  void addAgainReplacesAndRemoveTombstones() {
    Run update = sources("add", "192.0.2.0/24", "--name", "edge-1", "--sampling-rate", "2048", "--override-sampling");
    assertEquals(0, update.exitCode(), update.toString());
    assertTrue(update.out().startsWith("updated 192.0.2.0/24 as edge-1"), update.out());
    assertEquals("2048\t1\t[]", ch.query("SELECT sampling_rate, override_sampling, if_index FROM sources_current WHERE prefix = '192.0.2.0/24'")
        .rows().stream().map(r -> String.join("\t", r)).findFirst().orElseThrow());

    Run remove = sources("remove", "192.0.2.0/24");
    assertEquals(0, remove.exitCode(), remove.toString());
    assertEquals("removed 192.0.2.0/24 (edge-1)\n", remove.out());
    assertFalse(registry().containsKey("192.0.2.0/24"));
    assertEquals("0", ch.scalar("SELECT count() FROM sources_current WHERE prefix = '192.0.2.0/24'"));
    assertEquals("1", ch.scalar("SELECT deleted FROM sources FINAL WHERE prefix = '192.0.2.0/24'"));

    // The removed name is free again; remove by name works too.
    assertEquals(0, sources("add", "198.51.100.0/25", "--name", "edge-1").exitCode());
    assertEquals(0, sources("remove", "edge-1").exitCode());
    assertEquals(1, registry().size());
  }

  @Test
  @Order(5)
  void syncRebuildsTheMirrorFromKafka() {
    Run add = sources("add", "203.0.113.0/24", "--name", "lab", "--no-clickhouse");
    assertEquals(0, add.exitCode(), add.toString());
    assertEquals("0", ch.scalar("SELECT count() FROM sources_current WHERE prefix = '203.0.113.0/24'"));
    ch.execute("INSERT INTO sources (prefix, name, deleted, updated_ns) VALUES ('10.9.9.0/24', 'stale', 0, 1)");
    Run sync = sources("sync");
    assertEquals(0, sync.exitCode(), sync.toString());
    assertEquals("mirror in sync: 2 source(s), 2 row(s) written\n", sync.out());
    assertEquals(List.of(List.of("203.0.113.0/24", "lab"), List.of("2001:db8::7/128", "edge-6")),
        ch.query("SELECT prefix, name FROM sources_current ORDER BY prefix DESC").rows());
    assertEquals("mirror in sync: 2 source(s), 0 row(s) written\n", sources("sync").out());
  }

  @Test
  @Order(6)
  void aMirrorThatRefusesTheRowRollsKafkaBack() {
    // A table the preflight accepts (it has prefix_addr) but the INSERT does not (the other columns are missing).
    ch.withDatabase(null).execute("CREATE DATABASE IF NOT EXISTS refusing");
    ch.withDatabase(null).execute("CREATE TABLE IF NOT EXISTS refusing.sources (prefix_addr FixedString(16)) ENGINE = Memory");
    String[] refusing = {"--kafka", settings.kafkaBootstrap(), "--clickhouse", settings.clickhouseUrl(), "--database", "refusing"};

    Run added = Run.of(concat(new String[] {"sources", "add", "198.51.100.0/24", "--name", "edge-rb"}, refusing));
    assertEquals(1, added.exitCode(), added.toString());
    assertTrue(added.err().contains("; the registration was rolled back"), added.err());
    assertFalse(registry().containsKey("198.51.100.0/24"), "a new registration is removed again");

    assertEquals(0, sources("add", "198.51.100.0/24", "--name", "edge-rb", "--site", "before").exitCode());
    Run updated = Run.of(concat(new String[] {"sources", "add", "198.51.100.0/24", "--name", "edge-rb", "--site", "after"}, refusing));
    assertEquals(1, updated.exitCode(), updated.toString());
    assertEquals("before", registry().get("198.51.100.0/24").getSite(), "a replaced registration is put back");
    Run removed = Run.of(concat(new String[] {"sources", "remove", "edge-rb"}, refusing));
    assertEquals(1, removed.exitCode(), removed.toString());
    assertTrue(removed.err().contains("; the removal was rolled back"), removed.err());
    assertTrue(registry().containsKey("198.51.100.0/24"), "a removal is undone");
    assertEquals(0, sources("remove", "edge-rb").exitCode());
  }

  @Test
  @Order(7)
  void sourceRegistryRegistersWithoutTheCommandLine() {
    // As `sluice demo` and `sluice bench flows` register their exporters (LocalPipeline.ensureSource).
    SourceRegistry registry = new SourceRegistry(io.sluice.ingest.KafkaConnection.plaintext(settings.kafkaBootstrap()), settings.clickhouseUrl(), "sluice");
    StringWriter err = new StringWriter();
    SourceRegistry.Added added = registry.add(new Sources.Request("203.0.113.77", "direct", 10, false, "demo", List.of(), null),
        true, new PrintWriter(err, true));
    assertEquals("registered 203.0.113.77/32 as direct, site demo, sampling 1:10 (default)", added.message());
    assertEquals("", err.toString());
    assertEquals("direct", registry().get("203.0.113.77/32").getName());
    assertEquals("demo\t10", ch.query("SELECT site, sampling_rate FROM sources_current WHERE prefix = '203.0.113.77/32'")
        .rows().stream().map(r -> String.join("\t", r)).findFirst().orElseThrow());
    assertThrows(InvalidSourceException.class, () -> registry.add(
        new Sources.Request("203.0.113.300", "bad", null, false, "", List.of(), null), true, new PrintWriter(err, true)));
    UserError taken = assertThrows(UserError.class, () -> registry.add(
        new Sources.Request("203.0.113.78", "direct", null, false, "", List.of(), null), true, new PrintWriter(err, true)));
    assertTrue(taken.getMessage().contains("the name \"direct\" is already used by 203.0.113.77/32"), taken.getMessage());
    assertEquals(0, sources("remove", "direct").exitCode());
  }

  private static String[] concat(String[] a, String[] b) {
    String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
