package io.sluice.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.stack.TestStack;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * BENCHMARKS.md's sizing table adds up, and k8s/overlays/production has the pods, Flink parallelism and slots, and
 * CPU requests the table gives (see {@link ProductionSizing}).
 */
class ProductionSizingTest {
  private static String benchmarks() throws Exception {
    return Files.readString(TestStack.repoRoot().resolve("BENCHMARKS.md"));
  }

  private static List<JsonNode> production() throws Exception {
    return K8sManifestsTest.kustomize(TestStack.repoRoot().resolve("k8s/overlays/production"));
  }

  @Test
  void theTableFollowsFromTheMeasuredCosts() throws Exception {
    ProductionSizing sizing = ProductionSizing.parse(benchmarks());
    assertEquals(8, sizing.stages.size(), "stages: " + sizing.stages.keySet());
    assertEquals(5, sizing.components.size());
    assertEquals(List.of(), sizing.tableErrors());
  }

  @Test
  void theProductionOverlayFollowsTheTable() throws Exception {
    assertEquals(List.of(), ProductionSizing.parse(benchmarks()).overlayErrors(production()));
  }

  @Test
  void aCostOrARequestThatDisagreesIsNamed() throws Exception {
    String text = benchmarks();
    String changed = text.replace("| flows: ClickHouse | 8.36 |", "| flows: ClickHouse | 12.40 |");
    assertTrue(!changed.equals(text));
    List<String> tableErrors = ProductionSizing.parse(changed).tableErrors();
    assertTrue(tableErrors.stream().anyMatch(e -> e.startsWith("flows: ClickHouse at 300000/s")), tableErrors.toString());
    assertTrue(tableErrors.stream().anyMatch(e -> e.startsWith("ClickHouse: the table says 8.6 cores needed")),
        tableErrors.toString());

    List<JsonNode> overlay = production();
    for (JsonNode o : overlay) {
      if (o.path("metadata").path("name").asText().equals("sluice-flows") && o.path("kind").asText().equals("FlinkDeployment")) {
        ((ObjectNode) o.path("spec").path("job")).put("parallelism", 8);
      }
      if (o.path("kind").asText().equals("KafkaNodePool") && o.path("metadata").path("name").asText().equals("brokers")) {
        ((ObjectNode) o.path("spec").path("resources").path("requests")).put("cpu", "2");
      }
    }
    List<String> overlayErrors = ProductionSizing.parse(text).overlayErrors(overlay);
    assertEquals(List.of("FlinkDeployment/sluice-flows spec.job.parallelism is 8, the sizing table says 2",
        "KafkaNodePool/brokers spec.resources.requests.cpu is 2, the sizing table says 0.75"),
        overlayErrors.stream().filter(e -> e.startsWith("FlinkDeployment/sluice-flows") || e.startsWith("KafkaNodePool")).sorted().toList());
  }

  @Test
  void cpuQuantities() {
    assertEquals(0, ProductionSizing.cpu("250m").compareTo(new java.math.BigDecimal("0.25")));
    assertEquals(0, ProductionSizing.cpu("3500m").compareTo(new java.math.BigDecimal("3.5")));
    assertEquals(0, ProductionSizing.cpu("2").compareTo(new java.math.BigDecimal("2")));
    assertEquals(0, ProductionSizing.cpu("0.75").compareTo(new java.math.BigDecimal("0.75")));
  }
}
