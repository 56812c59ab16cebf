package io.sluice.ebpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The loader's /metrics text: the names and labels dashboards and alerts read, with the values counted. */
class LoaderMetricsTest {
  @Test
  void everySeriesCarriesItsCount() {
    LoaderMetrics m = new LoaderMetrics();
    long[] kernel = {100, 90, 3, 40, 2, 7, 11, 1, 5, 9, 1, 0, 0, 6, 2};  // BpfMaps.COUNTERS order
    Map<String, String> choices = new LinkedHashMap<>(Map.of("capture", "tcx"));
    m.watch(() -> kernel, choices, () -> 2);
    m.polledPacket();
    m.polledPacket();
    m.polledSocket();
    m.sent("sluice.packets.raw", 5);
    m.sent("sluice.sockets.raw", 1);
    m.kafkaError("TimeoutException", 4);

    String text = m.text();
    assertSamples(text, """
        sluice_ebpf_packets_seen_total 100
        sluice_ebpf_packets_captured_total 90
        sluice_ebpf_packets_skipped_total{reason="pure_ack"} 7
        sluice_ebpf_socket_events_total 40
        sluice_ebpf_h2_segments_walked_total 11
        sluice_ebpf_h2_walks_lost_total 1
        sluice_ebpf_h2_walks_lost_by_reason_total{reason="gap"} 1
        sluice_ebpf_h2_walks_lost_by_reason_total{reason="steps"} 0
        sluice_ebpf_h2_walks_lost_by_reason_total{reason="read"} 0
        sluice_ebpf_h2_segments_held_total 6
        sluice_ebpf_h2_held_expired_total 2
        sluice_ebpf_tls_client_hellos_total 5
        sluice_ebpf_tls_segments_kept_total 9
        sluice_ebpf_ringbuf_drops_total{kind="packet"} 3
        sluice_ebpf_ringbuf_drops_total{kind="socket"} 2
        sluice_ebpf_records_polled_total{kind="packet"} 2
        sluice_ebpf_records_polled_total{kind="socket"} 1
        sluice_ebpf_records_sent_total{topic="sluice.packets.raw"} 5
        sluice_ebpf_records_sent_total{topic="sluice.sockets.raw"} 1
        sluice_ebpf_kafka_errors_total{reason="TimeoutException"} 4
        sluice_ebpf_interfaces_attached 2
        sluice_ebpf_attach_info{hook="capture",type="tcx"} 1
        """);
    assertTrue(text.contains("# TYPE sluice_ebpf_records_sent_total counter"), text);
    assertTrue(text.contains("# TYPE sluice_ebpf_interfaces_attached gauge"), text);
    assertEquals(2, m.polledPackets());
    assertEquals(6, m.sent());
    assertEquals(4, m.kafkaErrors());

    // Read at each scrape: a hook chosen later shows up, a kernel counter moves.
    choices.put("socket_state", "tp_btf");
    kernel[0] = 150;
    assertSamples(m.text(), """
        sluice_ebpf_attach_info{hook="socket_state",type="tp_btf"} 1
        sluice_ebpf_packets_seen_total 150
        """);
  }

  @Test
  void noSendsNoSentSeries() {
    LoaderMetrics m = new LoaderMetrics();
    m.watch(() -> new long[BpfMaps.COUNTERS.length], Map.of(), () -> 0);
    String text = m.text();
    assertFalse(text.contains("sluice_ebpf_records_sent_total{"), text);
    assertFalse(text.contains("sluice_ebpf_kafka_errors_total{"), text);
    assertSamples(text, "sluice_ebpf_records_polled_total{kind=\"packet\"} 0\n");
  }

  /** Each line "series value" of {@code expected} is a sample of {@code text}, with that value. */
  private static void assertSamples(String text, String expected) {
    expected.lines().forEach(l -> {
      int space = l.lastIndexOf(' ');
      assertSample(text, l.substring(0, space), Double.parseDouble(l.substring(space + 1)));
    });
  }

  private static void assertSample(String text, String series, double value) {
    String line = text.lines().filter(l -> l.startsWith(series + " ")).findFirst().orElse(null);
    assertTrue(line != null, series + " missing in\n" + text);
    assertEquals(value, Double.parseDouble(line.substring(series.length() + 1)), line);
  }
}
