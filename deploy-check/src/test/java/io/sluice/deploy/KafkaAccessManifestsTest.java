package io.sluice.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.stack.TestStack;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Kafka access in k8s/ as {@link KafkaAccess} requires it: authenticated TLS listeners only, one KafkaUser with
 * least-privilege ACLs per component that uses it, egress fenced per component. Each rule is also shown to catch a
 * manifest that breaks it.
 */
class KafkaAccessManifestsTest {
  private static List<JsonNode> production;

  @BeforeAll
  static void build() throws Exception {
    production = K8sManifestsTest.kustomize(TestStack.repoRoot().resolve("k8s/overlays/production"));
  }

  @Test
  void everyBuildPasses() throws Exception {
    for (String b : List.of("base", "overlays/small", "overlays/production")) {
      List<JsonNode> docs = K8sManifestsTest.kustomize(TestStack.repoRoot().resolve("k8s").resolve(b));
      assertEquals(List.of(), KafkaAccess.problems(docs), b);
      assertTrue(docs.stream().filter(o -> o.path("kind").asText().equals("KafkaUser")).count() >= 6, b);
    }
  }

  @Test
  void aPlaintextListenerIsCaught() {
    List<JsonNode> docs = mutated(o -> o.path("kind").asText().equals("Kafka"), o -> ((ArrayNode) o.path("spec")
        .path("kafka").path("listeners")).addObject().put("name", "plain").put("port", 9092).put("type", "internal")
        .put("tls", false));
    assertCaught(docs, "Kafka listener plain (port 9092) does not authenticate");
  }

  @Test
  void aClientOnAnUnauthenticatedPortIsCaught() {
    List<JsonNode> docs = mutated(o -> name(o).equals("Deployment/sluice-collector"), o -> {
      ArrayNode args = (ArrayNode) o.path("spec").path("template").path("spec").path("containers").get(0).path("args");
      args.set(2, args.textNode("sluice-kafka-bootstrap:9092"));
    });
    assertCaught(docs, "Deployment/sluice-collector: Kafka at sluice-kafka-bootstrap:9092 is not an authenticating listener");
  }

  @Test
  void aComponentWithoutItsKafkaUserIsCaught() {
    assertCaught(without("KafkaUser/sluice-l7"), "FlinkDeployment/sluice-l7: SLUICE_KAFKA_USER 'sluice-l7' is not a KafkaUser");
  }

  @Test
  void anotherComponentsPasswordOrNoCaIsCaught() {
    List<JsonNode> docs = mutated(o -> name(o).equals("DaemonSet/sluice-ebpf-loader"), o -> {
      for (JsonNode e : o.path("spec").path("template").path("spec").path("containers").get(0).path("env")) {
        if (e.path("name").asText().equals("SLUICE_KAFKA_PASSWORD")) {
          ((ObjectNode) e.path("valueFrom").path("secretKeyRef")).put("name", "sluice-collector");
        }
        if (e.path("name").asText().equals("SLUICE_KAFKA_CA_FILE")) {
          ((ObjectNode) e).put("value", "/tmp/ca.crt");
        }
      }
    });
    assertCaught(docs, "DaemonSet/sluice-ebpf-loader: SLUICE_KAFKA_PASSWORD is not the password of KafkaUser sluice-ebpf-loader");
    assertCaught(docs, "DaemonSet/sluice-ebpf-loader: SLUICE_KAFKA_CA_FILE '/tmp/ca.crt' is not in a mount");
  }

  @Test
  void aWildcardAclIsCaught() {
    List<JsonNode> docs = mutated(o -> name(o).equals("KafkaUser/sluice-collector"), o -> ((ObjectNode) o.path("spec")
        .path("authorization").path("acls").get(0).path("resource")).put("name", "*"));
    assertCaught(docs, "KafkaUser sluice-collector: wildcard ACL");
  }

  @Test
  void aComponentWithoutEgressPolicyOrWithOpenEgressIsCaught() {
    assertCaught(without("NetworkPolicy/sluice-migrate"), "Job/sluice-migrate: no egress NetworkPolicy selects its pods");

    List<JsonNode> open = mutated(o -> name(o).equals("NetworkPolicy/sluice-collector"),
        o -> ((ArrayNode) o.path("spec").path("egress")).addObject().putArray("ports").addObject().put("port", 9000));
    assertCaught(open, "NetworkPolicy/sluice-collector: an egress rule to any destination");
  }

  private static List<JsonNode> mutated(Predicate<JsonNode> which, Consumer<JsonNode> change) {
    List<JsonNode> docs = new ArrayList<>();
    production.forEach(o -> docs.add(o.deepCopy()));
    List<JsonNode> targets = docs.stream().filter(which).toList();
    assertEquals(1, targets.size(), "the mutation found its object");
    change.accept(targets.get(0));
    return docs;
  }

  /** The production build without the object named kind/name. */
  private static List<JsonNode> without(String name) {
    List<JsonNode> docs = new ArrayList<>();
    production.stream().filter(o -> !name(o).equals(name)).forEach(o -> docs.add(o.deepCopy()));
    assertEquals(production.size() - 1, docs.size(), name);
    return docs;
  }

  private static void assertCaught(List<JsonNode> docs, String expected) {
    List<String> problems = KafkaAccess.problems(docs);
    assertTrue(problems.stream().anyMatch(p -> p.startsWith(expected)), "expected '" + expected + "' in " + problems);
  }

  private static String name(JsonNode o) {
    return o.path("kind").asText() + "/" + o.path("metadata").path("name").asText();
  }
}
