package io.sluice.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sluice.deploy.GrafanaQuery.Range;
import io.sluice.deploy.GrafanaQuery.Value;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The expansion against the examples the plugin and Grafana document, and the plugin's quirks. */
class GrafanaQueryTest {
  private static final Range RANGE = new Range(1415792726, 1447328726, 1000);

  @Test
  void macrosAsThePluginDocumentsThem() {
    assertEquals("time >= toDateTime(1415792726) AND time <= toDateTime(1447328726)",
        GrafanaQuery.macros("$__timeFilter(time)", RANGE));
    assertEquals("toDateTime(1415792726) toDateTime(1447328726)", GrafanaQuery.macros("$__fromTime $__toTime", RANGE));
    // 31536 s over 1000 points is 31.5 s a point: Grafana's ladder rounds it to 30 s.
    assertEquals("(30)", GrafanaQuery.macros("($__interval_s)", new Range(0, 31536, 1000)));
    assertEquals("(1)", GrafanaQuery.macros("($__interval_s)", new Range(0, 60, 1000)));
    assertEquals(21600000L, RANGE.intervalMs()); // 365 days over 1000 points: 8.76 h, rounded to 6 h
  }

  @Test
  void aMacroWithoutArgumentsTakesTheNextParenthesesAsArguments() {
    // sqlutil.getMacroMatches scans to the first balanced group when '(' comes before ')': the text in between
    // disappears. The dashboards therefore always close such a macro with ')' first, e.g. ($__interval_s).
    assertEquals("2, 1", GrafanaQuery.macros("$__interval_s AS x, count(y), 1", new Range(0, 2000, 1000)));
    assertThrows(IllegalArgumentException.class, () -> GrafanaQuery.macros("$__timeInterval(time)", RANGE));
  }

  @Test
  void variablesAndConditionalAll() {
    Map<String, Value> vars = Map.of("exporter", Value.of("edge-1", "edge-2"), "direction", Value.all(java.util.List.of("0", "1")),
        "one", Value.single("x"));
    assertEquals("exporter_name IN ('edge-1','edge-2') AND 1=1",
        GrafanaQuery.expand("$__conditionalAll(exporter_name IN ($exporter), $exporter) AND "
            + "$__conditionalAll(toString(direction) IN ($direction), $direction)", vars, RANGE));
    assertEquals("x 'edge-1','edge-2' 'x'", GrafanaQuery.templateVariables("$one ${exporter} ${one:singlequote}", vars));
    assertEquals("$__timeFilter(time)", GrafanaQuery.templateVariables("$__timeFilter(time)", vars));
  }
}
