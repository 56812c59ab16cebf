package io.sluice.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.sluice.ingest.Topics;
import io.sluice.stack.TestStack;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * k8s/: every file parses, `kubectl kustomize` builds the base and every overlay, and each object of each build
 * validates: FlinkDeployments and Strimzi resources against their operators' CRD schemas, built-in kinds against
 * fabric8's Kubernetes API model (typed, with no field left over), the Altinity resources structurally (see below).
 */
class K8sManifestsTest {
  private static final Path K8S = TestStack.repoRoot().resolve("k8s");
  private static final List<String> BUILDS = List.of("base", "overlays/small", "overlays/production");
  private static final Map<String, List<JsonNode>> built = new LinkedHashMap<>();
  private static Map<String, JsonSchema> schemas;

  @BeforeAll
  static void build() throws Exception {
    for (String b : BUILDS) {
      built.put(b, kustomize(K8S.resolve(b)));
    }
    schemas = CrdSchemas.load();
  }

  @Test
  void everyManifestParses() throws Exception {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(K8S)) {
      files = walk.filter(p -> p.toString().endsWith(".yaml")).toList();
    }
    assertTrue(files.size() > 15, "k8s/ has only " + files.size() + " YAML files");
    for (Path f : files) {
      for (JsonNode doc : docs(Files.readString(f))) {
        assertTrue(doc.isObject() || doc.isArray(), f + ": a document that is not an object or a list of patches");
      }
    }
  }

  /**
   * Every Strimzi and Flink operator resource validates against its operator's CRD schema (see {@link CrdSchemas});
   * a custom resource of any other operator than Altinity's (checked below) must have a schema too.
   */
  @Test
  void customResourcesValidateAgainstTheOperatorsCrdSchemas() {
    List<String> errors = new ArrayList<>();
    for (var b : built.entrySet()) {
      Map<String, Integer> seen = new TreeMap<>();
      for (JsonNode o : b.getValue()) {
        String api = o.path("apiVersion").asText();
        if (!api.contains(".") || api.endsWith(".k8s.io/v1") || api.contains("altinity.com")) {
          continue;
        }
        errors.addAll(validate(o, b.getKey()));
        seen.merge(o.path("kind").asText(), 1, Integer::sum);
      }
      Map<String, Integer> expected = new TreeMap<>(Map.of("FlinkDeployment", 3, "Kafka", 1, "KafkaTopic", Topics.ALL.size(),
          "KafkaUser", 6));
      int pools = Map.of("base", 0, "overlays/small", 1, "overlays/production", 2).get(b.getKey());
      if (pools > 0) {
        expected.put("KafkaNodePool", pools);
      }
      assertEquals(expected, seen, b.getKey());
    }
    assertEquals(List.of(), errors);
  }

  /** The schemas can fail: a wrong type, an unknown field and a value outside an enum, each in a copy of a manifest. */
  @Test
  void crdSchemasRejectWrongTypesUnknownFieldsAndValues() {
    ObjectNode topic = copyOf("KafkaTopic");
    ((ObjectNode) topic.path("spec")).put("partitions", "twelve");
    assertRejected(topic, "$.spec.partitions", "string found, integer expected");

    ObjectNode kafka = copyOf("Kafka");
    ((ObjectNode) kafka.path("spec").path("kafka")).set("listener", kafka.path("spec").path("kafka").path("listeners"));
    assertRejected(kafka, "$.spec.kafka", "'listener' is not defined in the schema");

    ObjectNode pool = copyOf("KafkaNodePool");
    ((ArrayNode) pool.path("spec").path("roles")).removeAll().add("zookeeper");
    assertRejected(pool, "$.spec.roles[0]", "does not have a value in the enumeration");

    ObjectNode flink = copyOf("FlinkDeployment");
    ((ObjectNode) flink.path("spec").path("job")).put("upgradeMode", "savepoints");
    assertRejected(flink, "$.spec.job.upgradeMode", "does not have a value in the enumeration");
  }

  /** oneOf branches only say which field must be set: closing them would reject a valid env var's name. */
  @Test
  void crdSchemasAcceptAnEnvVarFromTheOneOfBranches() {
    ObjectNode pool = copyOf("KafkaNodePool");
    ObjectNode env = ((ObjectNode) pool.path("spec")).putObject("template").putObject("kafkaContainer").putArray("env").addObject();
    env.put("name", "KAFKA_HEAP_OPTS").put("value", "-Xmx1g");
    assertEquals(List.of(), validate(pool, "copy"));
    env.remove("value");
    List<String> errors = validate(pool, "copy");
    assertTrue(!errors.isEmpty() && errors.stream().allMatch(e -> e.contains("$.spec.template.kafkaContainer.env[0]")),
        "an env var with neither value nor valueFrom: " + errors);
  }

  private static ObjectNode copyOf(String kind) {
    return built.get("overlays/small").stream().filter(o -> o.path("kind").asText().equals(kind)).findFirst().orElseThrow()
        .deepCopy();
  }

  private static void assertRejected(JsonNode o, String path, String why) {
    List<String> errors = validate(o, "copy");
    assertEquals(1, errors.size(), name(o) + " with a mistake at " + path + ": " + errors);
    assertTrue(errors.get(0).contains(path) && errors.get(0).contains(why), errors.get(0));
  }

  private static List<String> validate(JsonNode o, String where) {
    JsonSchema schema = schemas.get(o.path("apiVersion").asText() + " " + o.path("kind").asText());
    if (schema == null) {
      return List.of(where + " " + name(o) + ": no CRD schema for " + o.path("apiVersion").asText());
    }
    return schema.validate(o).stream().map(m -> where + " " + name(o) + ": " + m.getMessage()).toList();
  }

  /**
   * Altinity's CRDs are not in Maven Central and not generated from a published model (the operator is Go; the CRD
   * YAML lives in its repository and Helm chart), so there is no schema to validate against. This checks what the
   * operator's documented structure requires and what would fail silently: templates referenced by name exist,
   * layouts are positive integers, only known top-level keys, a pinned image, probes on the ClickHouse HTTP port.
   */
  @Test
  void clickHouseInstallationsAreStructurallySound() {
    for (var b : built.entrySet()) {
      for (JsonNode o : b.getValue()) {
        String kind = o.path("kind").asText();
        if (!o.path("apiVersion").asText().startsWith("clickhouse")) {
          continue;
        }
        String where = b.getKey() + " " + name(o);
        assertTrue(Set.of("ClickHouseInstallation", "ClickHouseKeeperInstallation").contains(kind), where);
        JsonNode spec = o.path("spec");
        spec.fieldNames().forEachRemaining(k -> assertTrue(
            Set.of("defaults", "configuration", "templates", "stop", "restart", "troubleshoot", "namespaceDomainPattern",
                "templating", "reconciling", "taskID", "useTemplates").contains(k), where + ": unknown spec." + k));
        JsonNode clusters = spec.path("configuration").path("clusters");
        assertTrue(clusters.isArray() && clusters.size() > 0, where + ": no cluster");
        for (JsonNode c : clusters) {
          for (String count : List.of("shardsCount", "replicasCount")) {
            JsonNode n = c.path("layout").path(count);
            assertTrue(n.isMissingNode() || (n.isInt() && n.asInt() > 0), where + ": layout." + count + " " + n);
          }
          if (kind.equals("ClickHouseInstallation") && c.path("layout").path("replicasCount").asInt(1) > 1) {
            assertTrue(spec.path("configuration").path("zookeeper").path("nodes").size() > 0, where + ": replicas without Keeper");
          }
        }
        JsonNode defaults = spec.path("defaults").path("templates");
        for (var ref : Map.of("podTemplate", "podTemplates", "dataVolumeClaimTemplate", "volumeClaimTemplates",
            "serviceTemplate", "serviceTemplates", "shardServiceTemplate", "serviceTemplates").entrySet()) {
          if (defaults.has(ref.getKey())) {
            String wanted = defaults.path(ref.getKey()).asText();
            boolean found = false;
            for (JsonNode t : spec.path("templates").path(ref.getValue())) {
              found |= t.path("name").asText().equals(wanted);
            }
            assertTrue(found, where + ": " + ref.getKey() + " " + wanted + " is not defined in templates." + ref.getValue());
          }
        }
        for (JsonNode pt : spec.path("templates").path("podTemplates")) {
          for (JsonNode c : pt.path("spec").path("containers")) {
            assertPinned(where, c.path("image").asText());
            assertTrue(c.path("resources").path("limits").has("memory"), where + ": " + c.path("name") + " without a memory limit");
            if (kind.equals("ClickHouseInstallation")) {
              assertEquals("/ping", c.path("readinessProbe").path("httpGet").path("path").asText(), where);
              assertEquals("/ping", c.path("livenessProbe").path("httpGet").path("path").asText(), where);
            }
          }
        }
      }
    }
  }

  /**
   * Where ClickHouse has several shards, the migration lays the schema out ON CLUSTER and every job writes per
   * shard, one endpoint per shard, through the shard Services the installation defines; with one shard, neither.
   */
  @Test
  void jobsAndMigrationFollowTheClickHouseLayout() {
    for (var b : built.entrySet()) {
      JsonNode chi = b.getValue().stream().filter(o -> o.path("kind").asText().equals("ClickHouseInstallation"))
          .findFirst().orElseThrow();
      JsonNode cluster = chi.path("spec").path("configuration").path("clusters").get(0);
      int shards = cluster.path("layout").path("shardsCount").asInt(1);
      String name = cluster.path("name").asText();
      List<String> migrate = strings(b.getValue().stream().filter(o -> name(o).equals("Job/sluice-migrate")).findFirst()
          .orElseThrow().path("spec").path("template").path("spec").path("containers").get(0).path("args"));
      List<JsonNode> jobs = b.getValue().stream().filter(o -> o.path("kind").asText().equals("FlinkDeployment")).toList();
      if (shards == 1) {
        assertFalse(migrate.contains("--cluster"), b.getKey() + ": " + migrate);
        jobs.forEach(j -> assertTrue(strings(j.path("spec").path("job").path("args")).stream()
            .noneMatch(a -> a.startsWith("clickhouse-shards=") || a.startsWith("clickhouse-cluster=")), name(j)));
        continue;
      }
      assertEquals(name, migrate.get(migrate.indexOf("--cluster") + 1), b.getKey() + ": " + migrate);
      String shardService = null;
      String template = chi.path("spec").path("defaults").path("templates").path("shardServiceTemplate").asText();
      for (JsonNode t : chi.path("spec").path("templates").path("serviceTemplates")) {
        if (t.path("name").asText().equals(template)) {
          shardService = t.path("generateName").asText().replace("{chi}", chi.path("metadata").path("name").asText());
        }
      }
      assertNotEquals(null, shardService, b.getKey() + ": no shard Service template");
      List<String> urls = new ArrayList<>();
      for (int i = 0; i < shards; i++) {
        urls.add("http://" + shardService.replace("{shardIndex}", Integer.toString(i)) + ":8123");
      }
      for (JsonNode j : jobs) {
        List<String> args = strings(j.path("spec").path("job").path("args"));
        assertTrue(args.contains("clickhouse-cluster=" + name), name(j) + ": " + args);
        assertTrue(args.contains("clickhouse-shards=" + String.join(",", urls)), name(j) + ": " + args);
        assertTrue(args.stream().noneMatch(a -> a.startsWith("clickhouse=")), name(j) + ": " + args);
      }
    }
  }

  /**
   * ClickHouse asks every client for a password: one user per client (the jobs write as `writer`, Grafana reads as
   * `reader` in a read-only profile, the migration runs as `migrator`), each password a reference to a Secret the
   * user creates (no value in the manifests), and no user without a password reachable from beyond the host.
   */
  @Test
  void clickHouseUsersHavePasswordsFromSecretsAndNoneIsOpenWithout() {
    for (var b : built.entrySet()) {
      JsonNode chi = b.getValue().stream().filter(o -> o.path("kind").asText().equals("ClickHouseInstallation"))
          .findFirst().orElseThrow();
      JsonNode config = chi.path("spec").path("configuration");
      Map<String, Map<String, JsonNode>> users = new TreeMap<>();
      config.path("users").fields().forEachRemaining(e -> {
        int slash = e.getKey().indexOf('/');
        users.computeIfAbsent(e.getKey().substring(0, slash), u -> new TreeMap<>()).put(e.getKey().substring(slash + 1), e.getValue());
      });
      String where = b.getKey() + " " + name(chi);
      for (var u : users.entrySet()) {
        Map<String, JsonNode> settings = u.getValue();
        for (String literal : List.of("password", "password_sha256_hex", "password_double_sha1_hex")) {
          assertFalse(settings.containsKey(literal), where + ": user " + u.getKey() + " ships a " + literal + " value");
        }
        boolean secret = settings.keySet().stream().anyMatch(k -> k.startsWith("k8s_secret_password"));
        List<String> networks = strings(settings.getOrDefault("networks/ip", Dashboards.JSON.createArrayNode()));
        if (!secret) {
          assertTrue(networks.stream().allMatch(n -> Set.of("::1", "127.0.0.1", "::1/128", "127.0.0.1/32").contains(n)),
              where + ": user " + u.getKey() + " has no password and is open to " + networks);
        }
      }
      for (String client : List.of("writer", "reader", "migrator")) {
        assertTrue(users.containsKey(client), where + ": no ClickHouse user " + client + " in " + users.keySet());
        String ref = users.get(client).getOrDefault("k8s_secret_password", Dashboards.JSON.missingNode()).asText();
        assertTrue(ref.matches("[a-z0-9-]+/[A-Za-z0-9_.-]+"), where + ": " + client + "'s password is not a Secret reference: " + ref);
      }
      String profile = users.get("reader").getOrDefault("profile", Dashboards.JSON.missingNode()).asText();
      assertTrue(config.path("profiles").path(profile + "/readonly").asInt(0) >= 1, where + ": reader's profile '" + profile
          + "' is not read-only: " + config.path("profiles"));
      assertEquals(List.of("GRANT SELECT ON sluice.*"), strings(users.get("reader").get("grants/query")), where);

      Map<String, String> expectedUser = Map.of("FlinkDeployment/sluice-flows", "writer", "FlinkDeployment/sluice-l7", "writer",
          "FlinkDeployment/sluice-connections", "writer",
          "Job/sluice-migrate", "migrator", "Deployment/grafana", "reader");
      for (var e : expectedUser.entrySet()) {
        JsonNode o = b.getValue().stream().filter(x -> name(x).equals(e.getKey())).findFirst().orElseThrow();
        JsonNode pod = o.path("kind").asText().equals("FlinkDeployment") ? o.path("spec").path("podTemplate")
            : o.path("spec").path("template");
        Map<String, JsonNode> env = new TreeMap<>();
        pod.path("spec").path("containers").get(0).path("env").forEach(v -> env.put(v.path("name").asText(), v));
        String what = b.getKey() + " " + e.getKey();
        assertEquals(e.getValue(), env.getOrDefault("SLUICE_CLICKHOUSE_USER", Dashboards.JSON.missingNode()).path("value").asText(), what);
        JsonNode key = env.getOrDefault("SLUICE_CLICKHOUSE_PASSWORD", Dashboards.JSON.missingNode()).path("valueFrom").path("secretKeyRef");
        assertEquals(users.get(e.getValue()).get("k8s_secret_password").asText(), key.path("name").asText() + "/" + key.path("key").asText(),
            what + ": the password must come from the Secret key ClickHouse checks it against");
      }
    }
  }

  /** Grafana's admin password comes from a Secret (never admin/admin), and its database lives on a volume claim. */
  @Test
  void grafanaHasItsAdminPasswordFromASecretAndPersistentData() {
    for (var b : built.entrySet()) {
      JsonNode grafana = b.getValue().stream().filter(o -> name(o).equals("Deployment/grafana")).findFirst().orElseThrow();
      JsonNode pod = grafana.path("spec").path("template").path("spec");
      JsonNode admin = null;
      for (JsonNode e : pod.path("containers").get(0).path("env")) {
        if (e.path("name").asText().equals("GF_SECURITY_ADMIN_PASSWORD")) {
          admin = e;
        }
      }
      assertNotEquals(null, admin, b.getKey() + ": Grafana's admin password is its default");
      assertTrue(admin.path("valueFrom").path("secretKeyRef").has("name") && !admin.has("value"), b.getKey() + ": " + admin);
      String volume = null;
      for (JsonNode m : pod.path("containers").get(0).path("volumeMounts")) {
        if (m.path("mountPath").asText().equals("/var/lib/grafana")) {
          volume = m.path("name").asText();
        }
      }
      String claim = null;
      for (JsonNode v : pod.path("volumes")) {
        if (v.path("name").asText().equals(volume)) {
          claim = v.path("persistentVolumeClaim").path("claimName").asText(null);
        }
      }
      assertNotEquals(null, claim, b.getKey() + ": /var/lib/grafana is not on a PersistentVolumeClaim");
      String wanted = "PersistentVolumeClaim/" + claim;
      assertTrue(b.getValue().stream().anyMatch(o -> name(o).equals(wanted)), b.getKey() + ": no " + wanted);
      assertEquals("Recreate", grafana.path("spec").path("strategy").path("type").asText(),
          b.getKey() + ": a rolling update would start a second pod on the ReadWriteOnce claim");
    }
  }

  /**
   * The manifests ship no Secret (an applied Secret overwrites the user's on every apply) and no password-like
   * literal: every Secret a workload or the ClickHouse users reference is one the user creates, and k8s/README.md
   * says how (a `kubectl create secret generic <name>` line with each key referenced).
   */
  @Test
  void noSecretIsShippedAndEveryReferencedSecretIsDocumented() throws Exception {
    String readme = Files.readString(K8S.resolve("README.md"));
    Map<String, Set<String>> referenced = new TreeMap<>();
    for (var b : built.entrySet()) {
      for (JsonNode o : b.getValue()) {
        assertNotEquals("Secret", o.path("kind").asText(), b.getKey() + ": the manifests ship " + name(o));
        secretReferences(o, "", b.getKey() + " " + name(o), referenced);
        o.path("spec").path("configuration").path("users").fields().forEachRemaining(e -> {
          if (e.getKey().contains("/k8s_secret_")) {
            String[] parts = e.getValue().asText().split("/");
            referenced.computeIfAbsent(parts[parts.length - 2], k -> new java.util.TreeSet<>()).add(parts[parts.length - 1]);
          }
        });
      }
    }
    assertTrue(referenced.keySet().containsAll(List.of("sluice-clickhouse", "sluice-grafana-admin", "sluice-flink-s3")),
        referenced.toString());
    // A KafkaUser's Secret (key `password`) is made by Strimzi's User Operator, not by the user (KafkaAccess checks it).
    for (var b : built.entrySet()) {
      b.getValue().stream().filter(o -> o.path("kind").asText().equals("KafkaUser"))
          .forEach(u -> referenced.remove(u.path("metadata").path("name").asText(), Set.of("password")));
    }
    for (var r : referenced.entrySet()) {
      var line = java.util.regex.Pattern.compile("create secret generic " + r.getKey() + "\\b[^\\n]*").matcher(readme);
      assertTrue(line.find(), "k8s/README.md does not say how to create the Secret " + r.getKey());
      for (String key : r.getValue()) {
        assertTrue(line.group().contains("--from-literal=" + key + "=") || line.group().contains("--from-file=" + key + "="),
            "k8s/README.md's command for " + r.getKey() + " lacks the key " + key + ": " + line.group());
      }
    }
  }

  /** Collects secretKeyRef and envFrom secretRef names anywhere under o; a password-like env var with a literal fails. */
  private static void secretReferences(JsonNode o, String field, String where, Map<String, Set<String>> referenced) {
    if (field.equals("secretKeyRef")) {
      referenced.computeIfAbsent(o.path("name").asText(), k -> new java.util.TreeSet<>()).add(o.path("key").asText());
    } else if (field.equals("secretRef") && o.has("name")) {
      // envFrom: every key of the Secret; the keys the S3 plugin reads
      referenced.computeIfAbsent(o.path("name").asText(), k -> new java.util.TreeSet<>())
          .addAll(List.of("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"));
    }
    if (o.has("name") && o.has("value") && o.path("name").asText().matches("(?i).*(PASSWORD|SECRET|TOKEN).*")) {
      assertTrue(false, where + ": " + o.path("name").asText() + " is a literal, not a secretKeyRef");
    }
    if (o.isObject()) {
      o.fields().forEachRemaining(e -> secretReferences(e.getValue(), e.getKey(), where, referenced));
    } else if (o.isArray()) {
      o.forEach(e -> secretReferences(e, field, where, referenced));
    }
  }

  /**
   * Ingress is denied by default and each component has its own allow-list: ClickHouse only from the labelled
   * clients (exactly the pods that log in to it), its own pods and its operator; metrics only from this namespace or
   * `monitoring`; no rule open to any source except the flow ports (fenced by the LoadBalancer) and Grafana's UI;
   * Kafka's listener only for its NetworkPolicy peers.
   */
  @Test
  void networkPoliciesDenyByDefaultAndFenceEachComponent() {
    for (var b : built.entrySet()) {
      List<JsonNode> policies = b.getValue().stream().filter(o -> o.path("kind").asText().equals("NetworkPolicy")).toList();
      assertTrue(policies.stream().anyMatch(p -> p.path("spec").path("podSelector").isEmpty()
          && strings(p.path("spec").path("policyTypes")).contains("Ingress") && p.path("spec").path("ingress").isEmpty()),
          b.getKey() + ": no default-deny ingress policy");
      Map<String, Map<String, String>> components = new TreeMap<>();
      for (JsonNode o : b.getValue()) {
        String kind = o.path("kind").asText();
        String n = o.path("metadata").path("name").asText();
        switch (kind) {
          case "ClickHouseInstallation" -> components.put(name(o), Map.of("clickhouse.altinity.com/chi", n));
          case "ClickHouseKeeperInstallation" -> components.put(name(o), Map.of("clickhouse-keeper.altinity.com/chk", n));
          case "FlinkDeployment" -> components.put(name(o), Map.of("type", "flink-native-kubernetes", "app", n));
          case "Deployment" -> components.put(name(o), labels(o.path("spec").path("template")));
          default -> { }
        }
      }
      for (var c : components.entrySet()) {
        List<JsonNode> selecting = policies.stream().filter(p -> !p.path("spec").path("podSelector").isEmpty()
            && c.getValue().entrySet().containsAll(labels(p.path("spec")).entrySet())).toList();
        assertEquals(1, selecting.size(), b.getKey() + ": " + c.getKey() + " needs its own NetworkPolicy");
        for (JsonNode rule : selecting.get(0).path("spec").path("ingress")) {
          List<Integer> ports = new ArrayList<>();
          rule.path("ports").forEach(p -> ports.add(p.path("port").asInt()));
          String where = b.getKey() + " " + name(selecting.get(0)) + " " + rule;
          if (rule.path("from").isEmpty()) {
            assertTrue(Set.of(6343, 2055, 4739, 3000).containsAll(ports) && !ports.isEmpty(), where + ": open to any source");
          }
          for (JsonNode peer : rule.path("from")) {
            assertFalse(peer.has("ipBlock"), where);
            if (ports.contains(9464) || ports.contains(9465)) {
              boolean sameNamespace = peer.has("podSelector") && !peer.has("namespaceSelector");
              boolean monitoring = !peer.has("podSelector") && peer.path("namespaceSelector").path("matchLabels")
                  .equals(Dashboards.JSON.createObjectNode().put("kubernetes.io/metadata.name", "monitoring"));
              assertTrue(sameNamespace || monitoring, where + ": metrics beyond the namespace and monitoring");
            }
            if (c.getKey().startsWith("ClickHouse")) {
              assertFalse(peer.path("podSelector").isEmpty(), where + ": every pod may reach ClickHouse");
            }
          }
        }
      }
      JsonNode chPolicy = policies.stream().filter(p -> labels(p.path("spec")).containsKey("clickhouse.altinity.com/chi"))
          .findFirst().orElseThrow();
      Map<String, String> client = null;
      for (JsonNode rule : chPolicy.path("spec").path("ingress")) {
        for (JsonNode peer : rule.path("from")) {
          if (!peer.has("namespaceSelector") && labels(peer).keySet().stream().noneMatch(k -> k.startsWith("clickhouse"))) {
            client = labels(peer);
          }
        }
      }
      assertNotEquals(null, client, b.getKey() + ": ClickHouse admits no client pods");
      for (JsonNode o : b.getValue()) {
        JsonNode pod = o.path("kind").asText().equals("FlinkDeployment") ? o.path("spec").path("podTemplate") : o.path("spec").path("template");
        if (!pod.has("spec")) {
          continue;
        }
        boolean logsIn = false;
        for (JsonNode c : pod.path("spec").path("containers")) {
          for (JsonNode e : c.path("env")) {
            logsIn |= e.path("name").asText().equals("SLUICE_CLICKHOUSE_USER");
          }
        }
        assertEquals(logsIn, labels(pod).entrySet().containsAll(client.entrySet()),
            b.getKey() + " " + name(o) + ": the ClickHouse client label goes on exactly the pods that log in to ClickHouse");
      }
      JsonNode kafka = b.getValue().stream().filter(o -> o.path("kind").asText().equals("Kafka")).findFirst().orElseThrow();
      for (JsonNode l : kafka.path("spec").path("kafka").path("listeners")) {
        assertFalse(l.path("networkPolicyPeers").isEmpty(), b.getKey() + ": Kafka listener " + l.path("name") + " open to every pod");
        for (JsonNode peer : l.path("networkPolicyPeers")) {
          assertFalse(Set.of("0.0.0.0/0", "::/0").contains(peer.path("ipBlock").path("cidr").asText()), b.getKey() + ": " + peer);
        }
      }
    }
  }

  /** matchLabels of the object's metadata.labels or selector (podSelector of a policy spec or peer). */
  private static Map<String, String> labels(JsonNode o) {
    JsonNode l = o.has("metadata") ? o.path("metadata").path("labels") : o.path("podSelector").path("matchLabels");
    Map<String, String> m = new TreeMap<>();
    l.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
    return m;
  }

  /**
   * Pod Security admission: the namespace enforces the strictest level its pods allow (privileged only because a pod
   * uses the host's network, PIDs, paths or added capabilities, i.e. the eBPF loader), and audits and warns at
   * baseline or stricter.
   */
  @Test
  void podSecurityLabelsFitTheWorkloads() {
    for (var b : built.entrySet()) {
      JsonNode ns = b.getValue().stream().filter(o -> o.path("kind").asText().equals("Namespace")).findFirst().orElseThrow();
      boolean host = false;
      for (JsonNode o : b.getValue()) {
        JsonNode pod = o.path("spec").path("template").path("spec");
        host |= pod.path("hostNetwork").asBoolean(false) || pod.path("hostPID").asBoolean(false);
        for (JsonNode v : pod.path("volumes")) {
          host |= v.has("hostPath");
        }
        for (JsonNode c : pod.path("containers")) {
          host |= !c.path("securityContext").path("capabilities").path("add").isEmpty();
        }
      }
      JsonNode l = ns.path("metadata").path("labels");
      assertEquals(host ? "privileged" : "baseline", l.path("pod-security.kubernetes.io/enforce").asText(), b.getKey());
      for (String mode : List.of("audit", "warn")) {
        assertTrue(Set.of("baseline", "restricted").contains(l.path("pod-security.kubernetes.io/" + mode).asText()), b.getKey() + " " + mode);
      }
    }
  }

  /** A LoadBalancer Service takes traffic only from the ranges the user sets (a placeholder documented in the README). */
  @Test
  void loadBalancersHaveSourceRanges() throws Exception {
    String readme = Files.readString(K8S.resolve("README.md"));
    for (var b : built.entrySet()) {
      List<JsonNode> lbs = b.getValue().stream().filter(o -> o.path("kind").asText().equals("Service")
          && o.path("spec").path("type").asText().equals("LoadBalancer")).toList();
      assertFalse(lbs.isEmpty(), b.getKey());
      for (JsonNode s : lbs) {
        List<String> ranges = strings(s.path("spec").path("loadBalancerSourceRanges"));
        assertFalse(ranges.isEmpty(), b.getKey() + " " + name(s) + ": open to the Internet");
        assertTrue(ranges.stream().noneMatch(r -> r.endsWith("/0")), b.getKey() + " " + name(s) + ": " + ranges);
        ranges.forEach(r -> assertTrue(readme.contains(r), "k8s/README.md does not explain the range " + r));
      }
    }
  }

  @Test
  void builtInKindsValidateAgainstTheKubernetesApiTypes() throws Exception {
    KubernetesSerialization serialization = new KubernetesSerialization();
    List<String> errors = new ArrayList<>();
    for (var b : built.entrySet()) {
      for (JsonNode o : b.getValue()) {
        String api = o.path("apiVersion").asText();
        if (api.contains(".strimzi.io") || api.contains("flink.apache.org") || api.contains("altinity.com")) {
          continue;
        }
        KubernetesResource typed = serialization.unmarshal(Dashboards.JSON.writeValueAsString(o), KubernetesResource.class);
        if (typed instanceof GenericKubernetesResource) {
          errors.add(b.getKey() + " " + name(o) + ": not a Kubernetes API type");
          continue;
        }
        leftovers(typed, name(o), errors);
      }
    }
    assertEquals(List.of(), errors);
  }

  @Test
  void workloadsArePinnedSizedAndProbedOnRealEndpoints() {
    Map<String, String> healthPaths = Map.of("collector", "/healthz", "loader", "/metrics", "grafana", "/api/health");
    for (var b : built.entrySet()) {
      for (JsonNode o : b.getValue()) {
        String kind = o.path("kind").asText();
        if (!Set.of("Deployment", "DaemonSet", "Job", "FlinkDeployment").contains(kind)) {
          continue;
        }
        String where = b.getKey() + " " + name(o);
        if (kind.equals("FlinkDeployment")) {
          assertPinned(where, o.path("spec").path("image").asText());
          assertTrue(o.path("spec").path("jobManager").path("resource").has("memory"), where);
          assertTrue(o.path("spec").path("taskManager").path("resource").has("memory"), where);
          continue;
        }
        for (JsonNode c : o.path("spec").path("template").path("spec").path("containers")) {
          String container = where + "/" + c.path("name").asText();
          assertPinned(container, c.path("image").asText());
          assertTrue(c.path("resources").path("requests").has("cpu") && c.path("resources").path("limits").has("memory"),
              container + ": requests.cpu and limits.memory must be set");
          if (!kind.equals("Job")) {
            String path = healthPaths.get(c.path("name").asText());
            assertNotEquals(null, path, container + ": no known health endpoint");
            assertEquals(path, c.path("readinessProbe").path("httpGet").path("path").asText(), container);
            assertEquals(path, c.path("livenessProbe").path("httpGet").path("path").asText(), container);
          }
        }
      }
    }
  }

  @Test
  void metricsBindThePodIpNeverEveryAddress() {
    int checked = 0;
    for (var b : built.entrySet()) {
      for (JsonNode o : b.getValue()) {
        for (JsonNode c : o.path("spec").path("template").path("spec").path("containers")) {
          List<String> args = new java.util.ArrayList<>();
          c.path("args").forEach(a -> args.add(a.asText()));
          if (!args.contains("--metrics-port")) {
            continue;
          }
          String where = b.getKey() + " " + name(o) + "/" + c.path("name").asText();
          int i = args.indexOf("--metrics-bind");
          assertTrue(i >= 0 && i + 1 < args.size(), where + ": --metrics-port without --metrics-bind (the CLI's loopback default fails the probes)");
          assertEquals("$(POD_IP)", args.get(i + 1), where);
          String field = null;
          for (JsonNode e : c.path("env")) {
            if (e.path("name").asText().equals("POD_IP")) {
              field = e.path("valueFrom").path("fieldRef").path("fieldPath").asText();
            }
          }
          assertEquals("status.podIP", field, where + ": POD_IP must come from the downward API");
          checked++;
        }
      }
    }
    assertEquals(BUILDS.size() * 2, checked, "the collector and the loader in every build");
  }

  @Test
  void containersWithAReadOnlyRootHaveAWritableTmp() {
    for (var b : built.entrySet()) {
      for (JsonNode o : b.getValue()) {
        JsonNode pod = o.path("spec").path("template").path("spec");
        for (JsonNode c : pod.path("containers")) {
          if (!c.path("securityContext").path("readOnlyRootFilesystem").asBoolean(false)) {
            continue;
          }
          // the JVM, jnr-ffi's stub, the BPF object and the compression codecs' native code all go to /tmp
          String where = b.getKey() + " " + name(o) + "/" + c.path("name").asText();
          String volume = null;
          for (JsonNode m : c.path("volumeMounts")) {
            if (m.path("mountPath").asText().equals("/tmp") && !m.path("readOnly").asBoolean(false)) {
              volume = m.path("name").asText();
            }
          }
          assertNotEquals(null, volume, where + ": read-only root without a writable /tmp");
          boolean emptyDir = false;
          for (JsonNode v : pod.path("volumes")) {
            emptyDir |= v.path("name").asText().equals(volume) && v.has("emptyDir");
          }
          assertTrue(emptyDir, where + ": /tmp is not an emptyDir volume");
        }
      }
    }
  }

  @Test
  void theLoaderImageHasLibbpf() throws Exception {
    String dockerfile = Files.readString(TestStack.repoRoot().resolve("k8s/image/Dockerfile"));
    assertTrue(dockerfile.matches("(?s).*apt-get install[^\\n]*\\blibbpf1\\b.*"), "k8s/image/Dockerfile must install libbpf1");
    for (var b : built.entrySet()) {
      JsonNode ds = b.getValue().stream().filter(o -> o.path("kind").asText().equals("DaemonSet")).findFirst().orElseThrow();
      JsonNode c = ds.path("spec").path("template").path("spec").path("containers").get(0);
      assertTrue(c.path("image").asText().startsWith("ghcr.io/sluice-observability/sluice:"), "the loader runs the CLI image");
      assertEquals("capture", c.path("args").get(0).asText());
    }
  }

  /**
   * The image's own heap (-Xmx768m) is more than the loader's memory limit: the DaemonSet sets its JVM options. Its
   * heap is fixed (G1 left to size it keeps it small and collects every second or two) and leaves at least half the
   * limit to the rest of the JVM (code, metaspace, threads) and the mapped ring buffer.
   */
  @Test
  void theLoaderHeapFitsItsMemoryLimit() {
    for (var b : built.entrySet()) {
      JsonNode ds = b.getValue().stream().filter(o -> o.path("kind").asText().equals("DaemonSet")).findFirst().orElseThrow();
      JsonNode c = ds.path("spec").path("template").path("spec").path("containers").get(0);
      List<String> command = new java.util.ArrayList<>();
      c.path("command").forEach(a -> command.add(a.asText()));
      String xmx = command.stream().filter(a -> a.startsWith("-Xmx")).findFirst()
          .orElseThrow(() -> new AssertionError(b.getKey() + ": the loader's command sets no -Xmx: " + command));
      long heap = bytes(xmx.substring(4));
      long limit = bytes(c.path("resources").path("limits").path("memory").asText());
      assertTrue(2 * heap <= limit, b.getKey() + ": heap " + xmx + " leaves less than half of the " + limit + "-byte limit");
      assertTrue(command.contains("-Xms" + xmx.substring(4)), b.getKey() + ": a fixed heap (-Xms as -Xmx): " + command);
      assertTrue(command.contains("-XX:CompileThresholdScaling=0.1"), b.getKey() + ": " + command);
      assertEquals(List.of("-jar", "/opt/sluice/sluice-cli.jar"), command.subList(command.size() - 2, command.size()));
    }
  }

  /** A JVM size (256m, 1g) or a Kubernetes quantity (512Mi, 1Gi) in bytes. */
  static long bytes(String q) {
    var m = java.util.regex.Pattern.compile("(\\d+)([kKmMgG])(i?)").matcher(q);
    assertTrue(m.matches(), "a size: " + q);
    int shift = switch (Character.toLowerCase(m.group(2).charAt(0))) {
      case 'k' -> 10;
      case 'm' -> 20;
      default -> 30;
    };
    return Long.parseLong(m.group(1)) << shift;
  }

  @Test
  void flinkJobsUpgradeFromSavepointsOnDurableStorage() {
    for (var b : built.entrySet()) {
      List<JsonNode> jobs = b.getValue().stream().filter(o -> o.path("kind").asText().equals("FlinkDeployment")).toList();
      assertEquals(Set.of("io.sluice.jobs.flow.FlowJob", "io.sluice.jobs.l7.L7Job", "io.sluice.jobs.conn.ConnectionsJob"),
          Set.copyOf(jobs.stream().map(j -> j.path("spec").path("job").path("entryClass").asText()).toList()), b.getKey());
      for (JsonNode j : jobs) {
        JsonNode conf = j.path("spec").path("flinkConfiguration");
        assertEquals("savepoint", j.path("spec").path("job").path("upgradeMode").asText(), name(j));
        for (String key : List.of("execution.checkpointing.dir", "execution.checkpointing.savepoint-dir", "high-availability.storageDir")) {
          assertTrue(conf.path(key).asText().startsWith("s3://"), name(j) + ": " + key + " not on object storage");
        }
      }
    }
  }

  /**
   * Pekko's scheduler tick at 100 ms in every Flink process (BENCHMARKS.md, "Flink's fixed costs", issue 22 sixth
   * round): the 10 ms default cost each JobManager and TaskManager 1.5-3 % of a core doing nothing.
   */
  @Test
  void flinkProcessesTickPekkosSchedulerEvery100Ms() {
    for (var b : built.entrySet()) {
      for (JsonNode j : b.getValue().stream().filter(o -> o.path("kind").asText().equals("FlinkDeployment")).toList()) {
        String opts = j.path("spec").path("flinkConfiguration").path("env.java.opts.all").asText();
        assertTrue(java.util.Arrays.asList(opts.split("\\s+")).contains("-Dpekko.scheduler.tick-duration=100ms"),
            b.getKey() + " " + name(j) + ": env.java.opts.all is '" + opts + "'");
      }
    }
  }

  /**
   * The L7Job's TaskManagers use the parallel collector (BENCHMARKS.md, "The TaskManager's collector", issue 22 seventh
   * round): G1 took about a third of their CPU with the join's state on the heap. Only the L7Job was measured.
   */
  @Test
  void l7TaskManagersUseTheParallelCollector() {
    int seen = 0;
    for (var b : built.entrySet()) {
      for (JsonNode j : b.getValue().stream().filter(o -> o.path("kind").asText().equals("FlinkDeployment")
          && o.path("metadata").path("name").asText().equals("sluice-l7")).toList()) {
        String opts = j.path("spec").path("flinkConfiguration").path("env.java.opts.taskmanager").asText();
        assertTrue(java.util.Arrays.asList(opts.split("\\s+")).contains("-XX:+UseParallelGC"),
            b.getKey() + " " + name(j) + ": env.java.opts.taskmanager is '" + opts + "'");
        seen++;
      }
    }
    assertTrue(seen > 0, "no sluice-l7 FlinkDeployment built");
  }

  /**
   * The state backends BENCHMARKS.md measured and chose (L7Job CPU per packet, issue 22 fifth round): the L7Job's join
   * and FlowJob's decode on the heap, whose keyed-state reads and writes cost more on RocksDB than the rest of the
   * path (L7Job) or 10-20 % of it (FlowJob), with no managed memory (only RocksDB would use it; the heap gets it);
   * ConnectionsJob on RocksDB, incremental (not measured).
   */
  @Test
  void flinkJobsUseTheMeasuredStateBackends() {
    Map<String, String> backends = Map.of("io.sluice.jobs.l7.L7Job", "hashmap", "io.sluice.jobs.flow.FlowJob", "hashmap",
        "io.sluice.jobs.conn.ConnectionsJob", "rocksdb");
    for (var b : built.entrySet()) {
      for (JsonNode j : b.getValue().stream().filter(o -> o.path("kind").asText().equals("FlinkDeployment")).toList()) {
        JsonNode conf = j.path("spec").path("flinkConfiguration");
        String backend = backends.get(j.path("spec").path("job").path("entryClass").asText());
        String where = b.getKey() + " " + name(j);
        assertEquals(backend, conf.path("state.backend.type").asText(), where + ": state.backend.type");
        if (backend.equals("hashmap")) {
          assertEquals("0", conf.path("taskmanager.memory.managed.fraction").asText(), where + ": managed memory unused on the heap backend");
          conf.fieldNames().forEachRemaining(k -> assertFalse(k.startsWith("state.backend.rocksdb."), where + ": " + k + " has no effect"));
        } else {
          assertEquals("true", conf.path("state.backend.incremental").asText(), where + ": incremental checkpoints");
        }
      }
    }
  }

  @Test
  void ebpfLoaderHasOnlyTheCapabilitiesItNeeds() {
    for (var b : built.entrySet()) {
      JsonNode ds = b.getValue().stream().filter(o -> o.path("kind").asText().equals("DaemonSet")).findFirst().orElseThrow();
      JsonNode sc = ds.path("spec").path("template").path("spec").path("containers").get(0).path("securityContext");
      assertFalse(sc.path("privileged").asBoolean(false), "privileged");
      assertFalse(sc.path("allowPrivilegeEscalation").asBoolean(true), "allowPrivilegeEscalation");
      assertEquals(List.of("ALL"), strings(sc.path("capabilities").path("drop")));
      assertTrue(Set.of("BPF", "PERFMON", "NET_ADMIN", "SYS_RESOURCE").containsAll(strings(sc.path("capabilities").path("add"))),
          "capabilities " + sc.path("capabilities").path("add"));
    }
  }

  @Test
  void everyTopicWithItsPartitionsAndConfig() {
    for (var b : built.entrySet()) {
      Map<String, JsonNode> topics = new LinkedHashMap<>();
      b.getValue().stream().filter(o -> o.path("kind").asText().equals("KafkaTopic"))
          .forEach(t -> topics.put(t.path("spec").path("topicName").asText(), t.path("spec")));
      assertEquals(Topics.ALL.stream().map(Topics.Spec::name).toList(), List.copyOf(topics.keySet()), b.getKey());
      for (Topics.Spec s : Topics.ALL) {
        JsonNode t = topics.get(s.name());
        if (b.getKey().equals("overlays/production") && s.partitions() > 1) {
          assertTrue(t.path("partitions").asInt() >= s.partitions(), s.name());
        } else {
          assertEquals(s.partitions(), t.path("partitions").asInt(), b.getKey() + " " + s.name());
        }
        s.config().forEach((k, v) -> assertEquals(v, t.path("config").path(k).asText(), b.getKey() + " " + s.name() + " " + k));
      }
      assertEquals(topics.get(Topics.PACKETS_RAW).path("partitions"), topics.get(Topics.SOCKETS_RAW).path("partitions"),
          "packets and sockets must stay partition-aligned");
    }
  }

  @Test
  void grafanaMountsTheProvisioningWhereItsFilesPointTo() throws Exception {
    JsonNode provider = Dashboards.YAML.readTree(Dashboards.GRAFANA.resolve("provisioning/dashboards/sluice.yaml").toFile());
    String dashboards = provider.path("providers").get(0).path("options").path("path").asText();
    for (var b : built.entrySet()) {
      JsonNode grafana = b.getValue().stream().filter(o -> name(o).equals("Deployment/grafana")).findFirst().orElseThrow();
      List<String> mounts = new ArrayList<>();
      grafana.path("spec").path("template").path("spec").path("containers").get(0).path("volumeMounts")
          .forEach(m -> mounts.add(m.path("mountPath").asText()));
      assertTrue(mounts.containsAll(List.of("/etc/grafana/provisioning/datasources", "/etc/grafana/provisioning/dashboards",
          dashboards)), b.getKey() + ": " + mounts);
      JsonNode cm = b.getValue().stream().filter(o -> name(o).startsWith("ConfigMap/grafana-dashboards")).findFirst().orElseThrow();
      List<String> files = new ArrayList<>();
      cm.path("data").fieldNames().forEachRemaining(files::add);
      assertEquals(Dashboards.all().stream().map(Dashboards.Dashboard::name).sorted().toList(), files.stream().sorted().toList());
    }
  }

  private static void assertPinned(String where, String image) {
    int colon = image.lastIndexOf(':');
    assertTrue(colon > image.lastIndexOf('/') && !image.endsWith(":latest"), where + ": image not pinned: " + image);
  }

  /** Fields fabric8 did not map onto its typed model land in additionalProperties: each one is an error. */
  private static void leftovers(Object o, String path, List<String> errors) throws Exception {
    if (o == null || o instanceof String || o instanceof Number || o instanceof Boolean || o instanceof Enum<?>) {
      return;
    }
    if (o instanceof Collection<?> c) {
      int i = 0;
      for (Object e : c) {
        leftovers(e, path + "[" + i++ + "]", errors);
      }
      return;
    }
    if (o instanceof Map<?, ?> m) {
      for (var e : m.entrySet()) {
        leftovers(e.getValue(), path + "." + e.getKey(), errors);
      }
      return;
    }
    String type = o.getClass().getName();
    if (!type.startsWith("io.fabric8.kubernetes.api.model")) {
      return;
    }
    try {
      Method extra = o.getClass().getMethod("getAdditionalProperties");
      Map<?, ?> props = (Map<?, ?>) extra.invoke(o);
      if (props != null && !props.isEmpty()) {
        errors.add(path + ": unknown fields " + props.keySet());
      }
    } catch (NoSuchMethodException e) {
      // types without the catch-all (Quantity, IntOrString) hold no unknown fields
    }
    for (Class<?> c = o.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
      for (Field f : c.getDeclaredFields()) {
        if (Modifier.isStatic(f.getModifiers()) || f.getName().equals("additionalProperties")) {
          continue;
        }
        f.setAccessible(true);
        leftovers(f.get(o), path + "." + f.getName(), errors);
      }
    }
  }

  static List<JsonNode> kustomize(Path dir) throws Exception {
    Process p = new ProcessBuilder("kubectl", "kustomize", dir.toString()).redirectErrorStream(false).start();
    byte[] out = p.getInputStream().readAllBytes();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "kubectl kustomize " + dir + ": " + err);
    List<JsonNode> docs = docs(new String(out, StandardCharsets.UTF_8));
    assertFalse(docs.isEmpty(), dir + " built nothing");
    return docs;
  }

  private static List<JsonNode> docs(String yaml) throws Exception {
    List<JsonNode> docs = new ArrayList<>();
    try (JsonParser parser = Dashboards.YAML.getFactory().createParser(yaml);
        MappingIterator<JsonNode> it = Dashboards.YAML.readValues(parser, JsonNode.class)) {
      while (it.hasNext()) {
        JsonNode d = it.next();
        if (d != null && !d.isNull() && !d.isMissingNode()) {
          docs.add(d);
        }
      }
    }
    return docs;
  }

  private static String name(JsonNode o) {
    return o.path("kind").asText() + "/" + o.path("metadata").path("name").asText();
  }

  private static List<String> strings(JsonNode array) {
    List<String> list = new ArrayList<>();
    array.forEach(n -> list.add(n.asText()));
    return list;
  }
}
