package io.sluice.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.deploy.Dashboards.Dashboard;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Every dashboard's structure: ids, data source references, variables, the provisioning that loads them. */
class DashboardStructureTest {
  private static final Pattern VARIABLE = Pattern.compile("\\$(\\w+)|\\[\\[(\\w+?)(?::\\w+)?\\]\\]|\\$\\{(\\w+)[^}]*\\}");
  // Grafana's and the data sources' own: not dashboard variables.
  private static final Set<String> BUILT_IN = Set.of("__conditionalAll", "__timeFilter", "__fromTime", "__toTime",
      "__interval_s", "__rate_interval", "__interval", "__range");
  private static final Pattern NO_ARG_MACRO = Pattern.compile("\\$__(fromTime|toTime|interval_s)\\b");

  @Test
  void dashboardsAreThereWithUniqueUids() {
    List<Dashboard> all = Dashboards.all();
    assertEquals(List.of("dns.json", "exporters-health.json", "flows-overview.json", "http.json", "processes.json",
        "tls.json"),
        all.stream().map(Dashboard::name).toList());
    Set<String> uids = new HashSet<>();
    for (Dashboard d : all) {
      assertTrue(uids.add(d.json().path("uid").asText()), d.name() + ": duplicate or missing uid");
      assertFalse(d.json().path("title").asText().isEmpty(), d.name() + ": no title");
    }
  }

  @Test
  void panelIdsAreUniqueAndEveryPanelHasATarget() {
    for (Dashboard d : Dashboards.all()) {
      Set<Integer> ids = new HashSet<>();
      for (JsonNode p : d.panels()) {
        assertTrue(p.path("id").isInt() && ids.add(p.path("id").asInt()), d.name() + ": panel id " + p.path("id")
            + " missing or repeated (" + p.path("title").asText() + ")");
        if (!p.path("type").asText().equals("row")) {
          assertFalse(p.path("targets").isEmpty(), d.name() + ": " + p.path("title").asText() + " has no query");
        }
      }
    }
  }

  @Test
  void datasourceReferencesResolveToProvisionedOnes() {
    Map<String, String> provisioned = new HashMap<>();
    for (JsonNode ds : Dashboards.datasources()) {
      assertFalse(ds.path("uid").asText().isEmpty(), "provisioned data source without a uid: " + ds);
      provisioned.put(ds.path("uid").asText(), ds.path("type").asText());
    }
    assertEquals("grafana-clickhouse-datasource", provisioned.get("sluice-clickhouse"));
    for (Dashboard d : Dashboards.all()) {
      List<JsonNode> refs = new ArrayList<>();
      for (JsonNode p : d.panels()) {
        refs.add(p.path("datasource"));
        p.path("targets").forEach(t -> refs.add(t.path("datasource")));
      }
      d.variables().stream().filter(v -> v.path("type").asText().equals("query")).forEach(v -> refs.add(v.path("datasource")));
      for (JsonNode ref : refs) {
        String uid = ref.path("uid").asText();
        assertTrue(provisioned.containsKey(uid), d.name() + ": data source " + ref + " is not provisioned");
        assertEquals(provisioned.get(uid), ref.path("type").asText(), d.name() + ": type of " + ref);
      }
    }
  }

  @Test
  void everyVariableUsedExistsAndIsDefinedBeforeTheVariablesUsingIt() {
    for (Dashboard d : Dashboards.all()) {
      List<String> defined = new ArrayList<>();
      for (JsonNode v : d.variables()) {
        for (String used : used(v.path("query").asText())) {
          assertTrue(defined.contains(used), d.name() + ": variable " + v.path("name").asText() + " uses $" + used
              + ", which is not defined before it");
        }
        defined.add(v.path("name").asText());
      }
      for (JsonNode p : d.panels()) {
        for (JsonNode t : p.path("targets")) {
          String query = Dashboards.sql(t) + t.path("expr").asText("");
          for (String used : used(query)) {
            assertTrue(defined.contains(used), d.name() + ": " + p.path("title").asText() + " uses undefined $" + used);
          }
        }
      }
    }
  }

  /** See GrafanaQuery.macroMatches: a '(' before the next ')' would be taken as the macro's arguments. */
  @Test
  void macrosWithoutArgumentsAreClosedBeforeAnyParenthesisOpens() {
    for (Dashboard d : Dashboards.all()) {
      List<String> queries = new ArrayList<>();
      d.panels().forEach(p -> p.path("targets").forEach(t -> queries.add(Dashboards.sql(t))));
      d.variables().forEach(v -> queries.add(v.path("query").asText()));
      for (String q : queries) {
        Matcher m = NO_ARG_MACRO.matcher(q);
        while (m.find()) {
          int open = q.indexOf('(', m.end());
          int close = q.indexOf(')', m.end());
          assertTrue(close >= 0 && (open < 0 || close < open), d.name() + ": " + m.group() + " at " + m.start()
              + " is followed by '(' before ')': " + q);
        }
      }
    }
  }

  @Test
  void provisioningPointsAtTheDashboards() throws Exception {
    JsonNode providers = Dashboards.YAML.readTree(Dashboards.GRAFANA.resolve("provisioning/dashboards/sluice.yaml").toFile());
    assertEquals(1, providers.path("apiVersion").asInt());
    JsonNode provider = providers.path("providers").get(0);
    assertEquals("file", provider.path("type").asText());
    assertEquals("/var/lib/grafana/dashboards/sluice", provider.path("options").path("path").asText());
  }

  private static Set<String> used(String text) {
    Set<String> names = new HashSet<>();
    Matcher m = VARIABLE.matcher(text);
    while (m.find()) {
      String name = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
      if (!BUILT_IN.contains(name)) {
        names.add(name);
      }
    }
    return names;
  }
}
