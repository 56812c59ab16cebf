package io.sluice.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.deploy.Dashboards.Dashboard;
import io.sluice.deploy.GrafanaQuery.Range;
import io.sluice.deploy.GrafanaQuery.Value;
import io.sluice.store.ClickHouseException;
import io.sluice.store.ClickHouseSql.Table;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Every panel's SQL, expanded as the plugin expands it, run on a real ClickHouse (Debian's 18.16 here) filled from
 * the fixtures. Each query must succeed; each panel whose data the fixtures hold must return rows.
 * {@link DashboardQueriesOnClickHouse26Test} runs the same on ClickHouse 26.7.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardQueriesTest {
  /** Panels the fixtures cannot fill, and why. Nothing else may come back empty. */
  private static final String NO_COUNTERS = "no fixture capture holds an sFlow counter sample (tshark's oracle "
      + "counts counter_samples 0 in every one), so interface_counters stays empty";
  private static final String NO_TLS = "no fixture capture holds TLS: the tls table stays empty (jobs' Http2JobTest"
      + " and TlsCaptureTest make real handshakes)";
  private static final String NO_SOCKETS = "no fixture holds socket events: the connections table stays empty"
      + " (ebpf-loader's ConnectionsLiveTest fills it on the real kernel)";
  private static final Map<String, String> NO_FIXTURE_DATA = with(Map.of(
      "Interface bits/s from sFlow counters", NO_COUNTERS,
      "Interface counters (latest sample)", NO_COUNTERS,
      "Attributed processes only", "no fixture row has a process: the eBPF loader does not feed the L7 path yet, "
          + "and `sluice l7` offline leaves pid/comm/container empty",
      "Handshakes/s by version", NO_TLS, "Top SNI", NO_TLS, "ALPN chosen", NO_TLS, "Failed handshakes", NO_TLS),
      Map.of("Connections/s by process", NO_SOCKETS, "Failed connects by reason", NO_SOCKETS,
      "Retransmission rate by destination", NO_SOCKETS, "RTT by destination (ms)", NO_SOCKETS,
      "Top talkers by process", NO_SOCKETS, "Router flows by process", NO_SOCKETS));
  private static final int WIDTH = 1000; // maxDataPoints: a panel about 1000 px wide

  private FixtureStore store;

  private static Map<String, String> with(Map<String, String> a, Map<String, String> b) {
    Map<String, String> all = new LinkedHashMap<>(a);
    all.putAll(b);
    return Map.copyOf(all);
  }

  /** The filled ClickHouse under test. */
  protected FixtureStore fixtures() throws IOException {
    return FixtureStore.get();
  }

  @BeforeAll
  void fill() throws Exception {
    store = fixtures();
    System.out.println("fixture rows on ClickHouse " + store.version + ": " + store.rows);
    for (String t : List.of("flows", "exporter_stats", "dns", "http")) {
      assertTrue(store.rows.get(t) > 0, "the fixtures put no rows in " + t);
    }
  }

  /** Every panel over the whole span of the fixture data, with every variable at All. */
  @Test
  void everyPanelOverTheWholeFixtureSpan() {
    Range span = span();
    List<String> failures = new ArrayList<>();
    for (Dashboard d : Dashboards.all()) {
      Map<String, Value> vars = allVariables(d, span);
      for (JsonNode p : d.panels()) {
        run(d, p, vars, span, !NO_FIXTURE_DATA.containsKey(p.path("title").asText()), failures);
      }
    }
    assertEquals(List.of(), failures);
  }

  /** Flows panels over 1 hour, 2 days and 60 days around the busiest hour: each rollup branch in turn. */
  @Test
  void flowsPanelsReadEachRollupByRangeLength() {
    Dashboard flows = Dashboards.all().stream().filter(d -> d.name().equals("flows-overview.json")).findFirst().orElseThrow();
    long hour = Long.parseLong(store.db.scalar(
        "SELECT toUInt32(toStartOfHour(time)) AS h FROM sluice.flows GROUP BY h ORDER BY count() DESC, h LIMIT 1"));
    List<String> failures = new ArrayList<>();
    for (Range range : List.of(new Range(hour, hour + 3600, WIDTH), new Range(hour - 86400, hour + 86400, WIDTH),
        new Range(hour - 30 * 86400, hour + 30 * 86400, WIDTH))) {
      Map<String, Value> vars = allVariables(flows, range);
      for (JsonNode p : flows.panels()) {
        run(flows, p, vars, range, true, failures);
      }
    }
    // One exporter and one of its interfaces, as a user picks them.
    Range range = new Range(hour, hour + 3600, WIDTH);
    String exporter = store.db.scalar("SELECT exporter_name FROM sluice.flows WHERE time >= toDateTime(" + hour
        + ") AND time < toDateTime(" + (hour + 3600) + ") AND exporter_name != '' GROUP BY exporter_name"
        + " ORDER BY count() DESC, exporter_name LIMIT 1");
    Map<String, Value> vars = new LinkedHashMap<>(allVariables(flows, range));
    vars.put("exporter", Value.of(exporter));
    List<String> interfaces = options(flows.variables().stream()
        .filter(v -> v.path("name").asText().equals("interface")).findFirst().orElseThrow(), vars, range);
    assertFalse(interfaces.isEmpty(), "no interface of " + exporter + " in the busiest hour");
    vars.put("interface", Value.of(interfaces.get(0)));
    for (JsonNode p : flows.panels()) {
      run(flows, p, vars, range, true, failures);
    }
    assertEquals(List.of(), failures);
  }

  /**
   * The rollup choice costs nothing when it is off: the guard is a constant, and ClickHouse's key analysis drops every
   * granule of a branch whose guard is false, so a 60-day range never reads the raw table. The probe sums a column,
   * as the panels do: a current ClickHouse answers a bare count() from part metadata without reading rows, which
   * would pass whatever the guard did.
   */
  @Test
  void aGuardedOffBranchReadsNothing() {
    Range span = span();
    Range longRange = new Range(span.fromSeconds(), Math.max(span.toSeconds(), span.fromSeconds() + 8 * 86400), WIDTH);
    String guard = GrafanaQuery.expand("SELECT sum(sampled_bytes) FROM sluice.flows WHERE $__timeFilter(time)"
        + " AND (toUInt32($__toTime) - toUInt32($__fromTime)) <= 21600", Map.of(), longRange);
    assertEquals("0", store.db.scalar(guard + " SETTINGS max_rows_to_read = 1, read_overflow_mode = 'throw'"));
    String open = GrafanaQuery.expand("SELECT sum(sampled_bytes) FROM sluice.flows WHERE $__timeFilter(time)"
        + " AND (toUInt32($__toTime) - toUInt32($__fromTime)) > 21600", Map.of(), longRange);
    assertThrows(ClickHouseException.class, () -> store.db.scalar(open + " SETTINGS max_rows_to_read = 1"),
        "the same query with its guard true must read rows, or the check above proves nothing");
  }

  private void run(Dashboard d, JsonNode panel, Map<String, Value> vars, Range range, boolean needRows,
      List<String> failures) {
    for (JsonNode target : panel.path("targets")) {
      if (!target.path("datasource").path("uid").asText().equals("sluice-clickhouse")) {
        continue; // the Prometheus panel: no Prometheus here
      }
      String sql = GrafanaQuery.expand(Dashboards.sql(target), vars, range);
      String where = d.name() + " / " + panel.path("title").asText() + " [" + range + ", " + vars + "]";
      try {
        Table t = store.db.query(sql);
        if (needRows && t.rows().isEmpty()) {
          failures.add(where + ": no rows\n" + sql);
        }
        if (panel.path("type").asText().equals("timeseries") && !t.columns().isEmpty() && !t.columns().get(0).equals("t")) {
          failures.add(where + ": a time series must start with its time column t, got " + t.columns());
        }
      } catch (ClickHouseException e) {
        failures.add(where + ": " + e.getMessage() + "\n" + sql);
      }
    }
  }

  private Map<String, Value> allVariables(Dashboard d, Range range) {
    Map<String, Value> vars = new LinkedHashMap<>();
    for (JsonNode v : d.variables()) {
      List<String> opts = v.path("type").asText().equals("custom") ? customOptions(v) : options(v, vars, range);
      vars.put(v.path("name").asText(), Value.all(opts));
    }
    return vars;
  }

  private List<String> options(JsonNode variable, Map<String, Value> vars, Range range) {
    String sql = GrafanaQuery.expand(variable.path("query").asText(), vars, range);
    try {
      return store.db.query(sql).rows().stream().map(r -> r.get(0)).toList();
    } catch (ClickHouseException e) {
      fail("variable " + variable.path("name").asText() + ": " + e.getMessage() + "\n" + sql);
      return List.of();
    }
  }

  private static List<String> customOptions(JsonNode variable) {
    List<String> values = new ArrayList<>();
    for (String option : variable.path("query").asText().split(",")) {
      String[] textValue = option.split(" : ");
      values.add(textValue[textValue.length - 1].trim());
    }
    return values;
  }

  private Range span() {
    List<String> parts = new ArrayList<>();
    for (String t : List.of("flows", "exporter_stats", "dns", "http")) {
      parts.add("SELECT min(toUInt32(time)) AS lo, max(toUInt32(time)) AS hi FROM sluice." + t);
    }
    List<String> row = store.db.query("SELECT min(lo), max(hi) FROM (" + String.join(" UNION ALL ", parts) + ")").rows().get(0);
    return new Range(Long.parseLong(row.get(0)), Long.parseLong(row.get(1)) + 1, WIDTH);
  }
}
