package io.sluice.ingest.collect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.net.IpAddresses;
import io.sluice.ingest.sources.Sources;
import io.sluice.ingest.sources.SourcesTopic;
import io.sluice.wire.FlowDatagram;
import io.sluice.wire.FlowProtocol;
import io.sluice.wire.FlowSource;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The collector against a real Kafka broker, fed over loopback UDP with datagrams from real captures. */
class CollectorKafkaTest {
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  private static KafkaFixture kafka;

  private final List<String> log = Collections.synchronizedList(new ArrayList<>());
  private Collector collector;
  private DatagramChannel sender;
  private String flowsTopic;
  private SourcesTopic sources;

  @BeforeAll
  static void broker() {
    kafka = new KafkaFixture();
  }

  @AfterAll
  static void stopBroker() throws Exception {
    if (kafka != null) {
      kafka.close();
    }
  }

  private void start(boolean labMode) throws Exception {
    String[] topics = kafka.newTopics();
    flowsTopic = topics[0];
    sources = new SourcesTopic(kafka.bootstrap(), topics[1]);
    start(labMode, topics);
  }

  private void start(boolean labMode, String[] topics) throws Exception {
    collector = Collector.start(CollectorConfig.defaults()
        .bind("127.0.0.1")
        .port(ListenerKind.SFLOW, 0).port(ListenerKind.NETFLOW, 0).port(ListenerKind.IPFIX, 0)
        .sockets(2)
        .receiveBuffer(4 << 20)
        .kafka(kafka.bootstrap())
        .topics(topics[0], topics[1])
        .labMode(labMode)
        .collectorId("test-collector")
        .metrics("127.0.0.1", 0)
        .log(log::add));
    sender = DatagramChannel.open();
    sender.bind(new InetSocketAddress(LOOPBACK, 0));
  }

  @AfterEach
  void stop() throws Exception {
    if (collector != null) {
      collector.close();
    }
    if (sender != null) {
      sender.close();
    }
  }

  private void send(ListenerKind kind, byte[] payload) throws Exception {
    sender.send(ByteBuffer.wrap(payload), new InetSocketAddress(LOOPBACK, collector.port(kind)));
  }

  private static byte[] fixturePayload(String file) throws Exception {
    return UdpPayloads.read(UdpPayloads.fixtures().resolve(file)).get(0).payload();
  }

  private static FlowSource source(String prefix, String name, String exporterOverride) {
    return Sources.build(new Sources.Request(prefix, name, null, false, null, List.of(), exporterOverride), System.nanoTime());
  }

  private double metric(String name, String... labels) throws Exception {
    return Metrics.value(Metrics.scrape(collector.metricsPort()), name, labels);
  }

  /** How long a wait for something that must happen may take: a ceiling for a slow or busy machine, not a target. */
  private static final Duration WAIT = Duration.ofSeconds(60);

  /**
   * A scrape once the counter has reached {@code min}: the collector counts a datagram forwarded in Kafka's
   * acknowledgement callback, which may run after a consumer has already read the record.
   */
  private String scrapeOnce(double min, String name, String... labels) throws InterruptedException {
    String[] text = {""};
    await(WAIT, () -> {
      text[0] = scrapeQuietly();
      return Metrics.value(text[0], name, labels) >= min;
    });
    return text[0];
  }

  /** Polls until the condition holds or the timeout passes; returns the milliseconds it took, or -1. */
  private static long await(Duration timeout, BooleanSupplier condition) throws InterruptedException {
    long start = System.nanoTime();
    while (System.nanoTime() - start < timeout.toNanos()) {
      if (condition.getAsBoolean()) {
        return (System.nanoTime() - start) / 1_000_000;
      }
      Thread.sleep(50);
    }
    return condition.getAsBoolean() ? timeout.toMillis() : -1;
  }

  private BooleanSupplier metricAtLeast(double min, String name, String... labels) {
    return () -> {
      try {
        return metric(name, labels) >= min;
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    };
  }

  @Test
  void unregisteredSourceIsRejectedUntilRegisteredThenForwardedWithoutRestart() throws Exception {
    start(false);
    byte[] nf5 = fixturePayload("flows/akvorado/netflow/nfv5.pcap");
    String lo = "exporter=\"127.0.0.1\"";
    for (int i = 0; i < 3; i++) {
      send(ListenerKind.NETFLOW, nf5);
    }
    assertTrue(await(WAIT, metricAtLeast(3, "sluice_collector_datagrams_received_total", lo)) >= 0,
        () -> "3 datagrams received: " + scrapeQuietly());
    assertEquals(3, metric("sluice_collector_datagrams_rejected_total", "listener=\"netflow\"", lo, "reason=\"unregistered\""));
    assertEquals(0, metric("sluice_collector_datagrams_forwarded_total", lo));
    assertEquals(1, log.stream().filter(l -> l.contains("unregistered source 127.0.0.1")).count(), log::toString);
    assertTrue(log.get(log.size() - 1).contains("sluice sources add 127.0.0.1 --name NAME"), log::toString);

    // Register the loopback address: the running collector picks it up, no restart.
    sources.put(source("127.0.0.1", "loopback", null));
    long tookMs = await(WAIT, () -> {
      try {
        send(ListenerKind.NETFLOW, nf5);
        return metric("sluice_collector_datagrams_forwarded_total", lo) >= 1;
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });
    assertTrue(tookMs >= 0, () -> "registration not effective within " + WAIT.toSeconds() + " s: " + scrapeQuietly());
    assertEquals(1, metric("sluice_collector_sources_registered"));
    double forwarded = metric("sluice_collector_datagrams_forwarded_total", lo);
    double rejected = metric("sluice_collector_datagrams_rejected_total", lo);
    // Everything forwarded reached the topic, keyed by exporter, payload unchanged.
    List<ConsumerRecord<byte[], byte[]>> records = kafka.readAll(flowsTopic, (int) forwarded, Duration.ofSeconds(20), Duration.ofMillis(500));
    assertTrue(records.size() >= forwarded, records.size() + " records, " + forwarded + " forwarded");
    for (ConsumerRecord<byte[], byte[]> r : records) {
      FlowDatagram d = FlowDatagram.parseFrom(r.value());
      assertArrayEquals(IpAddresses.parse("127.0.0.1"), r.key());
      assertArrayEquals(nf5, d.getPayload().toByteArray());
      assertEquals(FlowProtocol.NETFLOW_V5, d.getProtocolHint());
      assertEquals("test-collector", d.getCollectorId());
      assertEquals(((InetSocketAddress) sender.getLocalAddress()).getPort(), d.getExporterPort());
      assertTrue(Math.abs(d.getReceivedNs() / 1_000_000 - System.currentTimeMillis()) < 60_000);
    }
    String text = Metrics.scrape(collector.metricsPort());
    assertTrue(Metrics.value(text, "sluice_collector_kafka_send_seconds_count") >= forwarded, text);
    assertEquals(0, Metrics.value(text, "sluice_collector_kernel_udp_drops_total", "listener=\"netflow\""), text);
    assertEquals(1, Metrics.value(text, "sluice_collector_kernel_udp_table_readable"), text);
    assertTrue(Metrics.value(text, "sluice_collector_socket_receive_buffer_bytes", "listener=\"netflow\"") > 0, text);
    // Every datagram received was forwarded or rejected: compared within one scrape, once the last datagram the
    // registration wait sent is through (forwarded and rejected above were read before it might have been).
    String[] settled = {text};
    await(WAIT, () -> {
      settled[0] = scrapeQuietly();
      return Metrics.value(settled[0], "sluice_collector_datagrams_received_total", lo)
          == Metrics.value(settled[0], "sluice_collector_datagrams_forwarded_total", lo)
          + Metrics.value(settled[0], "sluice_collector_datagrams_rejected_total", lo);
    });
    assertEquals(Metrics.value(settled[0], "sluice_collector_datagrams_received_total", lo),
        Metrics.value(settled[0], "sluice_collector_datagrams_forwarded_total", lo)
            + Metrics.value(settled[0], "sluice_collector_datagrams_rejected_total", lo), settled[0]);

    // Removal (a tombstone) takes effect the same way.
    sources.remove("127.0.0.1/32");
    assertTrue(await(WAIT, () -> {
      try {
        send(ListenerKind.NETFLOW, nf5);
        return metric("sluice_collector_datagrams_rejected_total", lo) > rejected;
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }) >= 0, this::scrapeQuietly);
    assertEquals(0, metric("sluice_collector_sources_registered"));
  }

  @Test
  void sflowExporterIsTheAgentAddressInsideTheDatagram() throws Exception {
    start(false);
    // A real sFlow datagram whose agent is 172.16.0.3; it arrives from 127.0.0.1, registered as an sFlow relay.
    byte[] sflow = fixturePayload("flows/akvorado/sflow/data-1140.pcap");
    sources.put(source("172.16.0.0/24", "agents", null));
    // NetFlow from the same UDP source keeps the UDP source as exporter unless the registration overrides it.
    byte[] nf9 = fixturePayload("flows/akvorado/netflow/data+templates.pcap");
    sources.put(Sources.build(new Sources.Request("127.0.0.1", "loopback", null, false, null, List.of(), "192.0.2.9", true, false),
        System.nanoTime()));
    assertTrue(await(WAIT, () -> collector.sources().size() == 2) >= 0);
    send(ListenerKind.SFLOW, sflow);
    send(ListenerKind.NETFLOW, nf9);
    List<ConsumerRecord<byte[], byte[]>> records = kafka.readAll(flowsTopic, 2, Duration.ofSeconds(20), Duration.ofMillis(300));
    assertEquals(2, records.size());
    Map<FlowProtocol, ConsumerRecord<byte[], byte[]>> byProtocol = new LinkedHashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      byProtocol.put(FlowDatagram.parseFrom(r.value()).getProtocolHint(), r);
    }
    ConsumerRecord<byte[], byte[]> s = byProtocol.get(FlowProtocol.SFLOW_V5);
    FlowDatagram sd = FlowDatagram.parseFrom(s.value());
    assertArrayEquals(IpAddresses.parse("172.16.0.3"), s.key());
    assertArrayEquals(IpAddresses.parse("172.16.0.3"), sd.getExporterAddr().toByteArray());
    assertArrayEquals(IpAddresses.parse("127.0.0.1"), sd.getUdpSourceAddr().toByteArray());
    assertArrayEquals(sflow, sd.getPayload().toByteArray());
    ConsumerRecord<byte[], byte[]> n = byProtocol.get(FlowProtocol.NETFLOW_V9);
    FlowDatagram nd = FlowDatagram.parseFrom(n.value());
    assertArrayEquals(IpAddresses.parse("192.0.2.9"), n.key());
    assertArrayEquals(IpAddresses.parse("127.0.0.1"), nd.getUdpSourceAddr().toByteArray());
    assertArrayEquals(nf9, nd.getPayload().toByteArray());
    scrapeOnce(1, "sluice_collector_datagrams_forwarded_total", "listener=\"sflow\"", "exporter=\"172.16.0.3\"");
    String text = scrapeOnce(1, "sluice_collector_datagrams_forwarded_total", "listener=\"netflow\"", "exporter=\"192.0.2.9\"");
    assertEquals(1, Metrics.value(text, "sluice_collector_datagrams_forwarded_total", "listener=\"sflow\"", "exporter=\"172.16.0.3\""), text);
    assertEquals(1, Metrics.value(text, "sluice_collector_datagrams_forwarded_total", "listener=\"netflow\"", "exporter=\"192.0.2.9\""), text);
  }

  /**
   * sFlow names its agent inside the payload, which anyone can write. A registered agent address is believed only from
   * the agent's own registration or a registered relay; from any other UDP source it is counted as agent_spoof
   * against that source and not forwarded.
   */
  @Test
  void sflowAgentAddressIsBelievedOnlyFromItselfOrARegisteredRelay() throws Exception {
    start(false);
    byte[] sflow = fixturePayload("flows/akvorado/sflow/data-1140.pcap"); // agent 172.16.0.3
    sources.put(source("172.16.0.3", "edge", null));
    sources.put(source("127.0.0.2", "other-router", null));
    sources.put(Sources.build(new Sources.Request("127.0.0.3", "relay", null, false, null, List.of(), null, true, false),
        System.nanoTime()));
    assertTrue(await(WAIT, () -> collector.sources().size() == 3) >= 0);
    send(ListenerKind.SFLOW, sflow); // from 127.0.0.1: not registered at all
    for (String from : List.of("127.0.0.2", "127.0.0.3")) {
      try (DatagramChannel c = DatagramChannel.open()) {
        c.bind(new InetSocketAddress(from, 0));
        c.send(ByteBuffer.wrap(sflow), new InetSocketAddress(LOOPBACK, collector.port(ListenerKind.SFLOW)));
      }
    }
    assertTrue(await(WAIT, metricAtLeast(3, "sluice_collector_datagrams_received_total")) >= 0, this::scrapeQuietly);
    // The relay's datagram, then a second to see that no spoofed one follows it (the counters below say so too).
    List<ConsumerRecord<byte[], byte[]>> records = kafka.readAll(flowsTopic, 1, WAIT, Duration.ofSeconds(1));
    assertEquals(1, records.size(), "only the relay's datagram is forwarded");
    FlowDatagram d = FlowDatagram.parseFrom(records.get(0).value());
    assertArrayEquals(IpAddresses.parse("172.16.0.3"), d.getExporterAddr().toByteArray());
    assertArrayEquals(IpAddresses.parse("127.0.0.3"), d.getUdpSourceAddr().toByteArray());
    String text = scrapeOnce(1, "sluice_collector_datagrams_forwarded_total", "listener=\"sflow\"", "exporter=\"172.16.0.3\"");
    assertEquals(1, Metrics.value(text, "sluice_collector_datagrams_rejected_total", "listener=\"sflow\"", "exporter=\"127.0.0.1\"", "reason=\"agent_spoof\""), text);
    assertEquals(1, Metrics.value(text, "sluice_collector_datagrams_rejected_total", "listener=\"sflow\"", "exporter=\"127.0.0.2\"", "reason=\"agent_spoof\""), text);
    assertEquals(1, Metrics.value(text, "sluice_collector_datagrams_forwarded_total", "listener=\"sflow\"", "exporter=\"172.16.0.3\""), text);
    assertTrue(log.stream().anyMatch(l -> l.contains("agent_spoof") && l.contains("127.0.0.1")), log::toString);
  }

  @Test
  void malformedDatagramsAreCountedNotForwarded() throws Exception {
    start(true);
    send(ListenerKind.SFLOW, HexFormat.of().parseHex("00000004000000017f000001"));
    send(ListenerKind.SFLOW, HexFormat.of().parseHex("0000000500000002"));
    send(ListenerKind.IPFIX, HexFormat.of().parseHex("0063"));
    assertTrue(await(WAIT, metricAtLeast(3, "sluice_collector_datagrams_received_total")) >= 0, this::scrapeQuietly);
    String text = Metrics.scrape(collector.metricsPort());
    assertEquals(1, Metrics.value(text, "sluice_collector_datagrams_rejected_total", "listener=\"sflow\"", "reason=\"unknown_version\""), text);
    assertEquals(1, Metrics.value(text, "sluice_collector_datagrams_rejected_total", "listener=\"sflow\"", "reason=\"truncated\""), text);
    assertEquals(1, Metrics.value(text, "sluice_collector_datagrams_rejected_total", "listener=\"ipfix\"", "reason=\"unknown_version\""), text);
    assertEquals(1, Metrics.value(text, "sluice_collector_lab_mode"), text);
    assertEquals(0, kafka.readAll(flowsTopic, 1, Duration.ofSeconds(1), Duration.ZERO).size());
  }

  /**
   * Every datagram of every flow capture, replayed over loopback into the listener for its protocol, arrives in the
   * flows topic exactly once with the same payload bytes, keyed by its exporter, in order per exporter.
   */
  @Test
  void replayOfEveryFixtureArrivesExactly() throws Exception {
    start(false);
    sources.put(source("127.0.0.0/8", "loopback", null)); // sFlow agents are accepted through their UDP source
    assertTrue(await(WAIT, () -> collector.sources().size() == 1) >= 0);
    List<Path> pcaps;
    try (Stream<Path> files = Files.walk(UdpPayloads.fixtures().resolve("flows"))) {
      pcaps = files.filter(f -> f.toString().endsWith(".pcap")).sorted().toList();
    }
    Map<String, List<String>> expectedByKey = new LinkedHashMap<>();
    int sent = 0;
    for (Path pcap : pcaps) {
      for (UdpPayloads.Datagram d : UdpPayloads.read(pcap)) {
        byte[] p = d.payload();
        ListenerKind kind = listenerFor(p);
        byte[] key = kind == ListenerKind.SFLOW ? FlowSniff.sflowAgent(p, p.length) : IpAddresses.parse("127.0.0.1");
        expectedByKey.computeIfAbsent(kind + " " + HexFormat.of().formatHex(key), k -> new ArrayList<>()).add(HexFormat.of().formatHex(p));
        send(kind, p);
        sent++;
        if (sent % 20 == 0) {
          Thread.sleep(2); // a gentle pace; kernel drops would show in the assertion below
        }
      }
    }
    assertTrue(sent > 100, "fixture datagrams: " + sent);
    List<ConsumerRecord<byte[], byte[]>> records = kafka.readAll(flowsTopic, sent, WAIT, Duration.ofSeconds(1));
    String text = scrapeOnce(sent, "sluice_collector_datagrams_forwarded_total");
    assertEquals(sent, records.size(), text);
    Map<String, List<String>> actualByKey = new LinkedHashMap<>();
    records.sort((a, b) -> a.partition() != b.partition() ? Integer.compare(a.partition(), b.partition()) : Long.compare(a.offset(), b.offset()));
    for (ConsumerRecord<byte[], byte[]> r : records) {
      FlowDatagram d = FlowDatagram.parseFrom(r.value());
      assertArrayEquals(r.key(), d.getExporterAddr().toByteArray());
      byte[] p = d.getPayload().toByteArray();
      actualByKey.computeIfAbsent(listenerFor(p) + " " + HexFormat.of().formatHex(r.key()), k -> new ArrayList<>())
          .add(HexFormat.of().formatHex(p));
    }
    // Order holds per exporter and listener: one exporter's datagrams to one port share a socket and a partition.
    assertEquals(expectedByKey.keySet(), actualByKey.keySet());
    for (String key : expectedByKey.keySet()) {
      List<String> expected = expectedByKey.get(key);
      List<String> actual = actualByKey.get(key);
      assertEquals(expected.size(), actual.size(), "datagrams of " + key);
      for (int i = 0; i < expected.size(); i++) {
        assertEquals(expected.get(i), actual.get(i), "datagram " + i + " of " + key);
      }
    }
    assertEquals(sent, Metrics.value(text, "sluice_collector_datagrams_forwarded_total"), text);
    assertEquals(-1, Metrics.value(text, "sluice_collector_datagrams_rejected_total"), text);
    assertEquals(0, Metrics.value(text, "sluice_collector_kernel_udp_drops_total"), text);
  }

  private static ListenerKind listenerFor(byte[] p) {
    return FlowSniff.protocol(ListenerKind.SFLOW, p, p.length) != null ? ListenerKind.SFLOW
        : FlowSniff.protocol(ListenerKind.IPFIX, p, p.length) == FlowProtocol.IPFIX ? ListenerKind.IPFIX : ListenerKind.NETFLOW;
  }

  private String scrapeQuietly() {
    try {
      return Metrics.scrape(collector.metricsPort()) + "\nlog: " + log;
    } catch (Exception e) {
      return e.toString();
    }
  }
}
