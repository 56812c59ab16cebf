package io.sluice.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What deploy-check requires of Kafka access and egress in a built manifest set, as a list of problems (empty: fine):
 * <ul>
 *   <li>every Kafka listener authenticates (SCRAM-SHA-512 or mTLS) over TLS, and the cluster authorises (simple);
 *   <li>every pod that talks to Kafka (a {@code --kafka} or {@code kafka=} argument) names a listener port that
 *       authenticates, logs in as its own KafkaUser (SLUICE_KAFKA_USER, SLUICE_KAFKA_PASSWORD from that user's Secret),
 *       trusts the cluster CA from a mounted Secret, and no two workloads share a user;
 *   <li>every KafkaUser's ACLs name only existing topics or the groups of Sluice's jobs, no wildcard, no {@code All},
 *       no cluster resource; a user no workload uses is allowed only for an operator (sluice-admin);
 *   <li>every Sluice pod that is not on the host network is fenced for egress: a policy with Egress selects it, each
 *       rule names its peers and ports, and an any-address peer is limited to HTTPS ports.
 * </ul>
 */
final class KafkaAccess {
  static final String CA_SECRET = "sluice-cluster-ca-cert";
  private static final Set<String> OPERATOR_USERS = Set.of("sluice-admin");
  private static final Set<String> ANY_ADDRESS_PORTS = Set.of("443", "6443");

  private KafkaAccess() {}

  static List<String> problems(List<JsonNode> docs) {
    List<String> problems = new ArrayList<>();
    Set<String> topics = new HashSet<>();
    Map<String, JsonNode> users = new TreeMap<>();
    Set<String> authenticatedPorts = new HashSet<>();
    boolean sawKafka = false;
    for (JsonNode o : docs) {
      switch (o.path("kind").asText()) {
        case "KafkaTopic" -> topics.add(o.path("spec").path("topicName").asText(o.path("metadata").path("name").asText()));
        case "KafkaUser" -> users.put(o.path("metadata").path("name").asText(), o);
        case "Kafka" -> {
          sawKafka = true;
          JsonNode kafka = o.path("spec").path("kafka");
          if (!kafka.path("authorization").path("type").asText().equals("simple")) {
            problems.add("Kafka " + name(o) + ": no authorization (spec.kafka.authorization.type simple)");
          }
          for (JsonNode l : kafka.path("listeners")) {
            String type = l.path("authentication").path("type").asText();
            if (!Set.of("scram-sha-512", "tls").contains(type)) {
              problems.add("Kafka listener " + l.path("name").asText() + " (port " + l.path("port").asText()
                  + ") does not authenticate");
            } else if (!l.path("tls").asBoolean(false)) {
              problems.add("Kafka listener " + l.path("name").asText() + " sends credentials without TLS");
            } else {
              authenticatedPorts.add(l.path("port").asText());
            }
          }
        }
        default -> { }
      }
    }
    if (!sawKafka) {
      problems.add("no Kafka resource");
    }
    Map<String, String> userOf = new HashMap<>();
    for (JsonNode o : docs) {
      JsonNode pod = pod(o);
      if (pod == null) {
        continue;
      }
      String bootstrap = bootstrap(o);
      if (bootstrap == null) {
        continue;
      }
      String where = name(o);
      String port = bootstrap.substring(bootstrap.lastIndexOf(':') + 1);
      if (!authenticatedPorts.contains(port)) {
        problems.add(where + ": Kafka at " + bootstrap + " is not an authenticating listener " + authenticatedPorts);
      }
      Map<String, JsonNode> env = new HashMap<>();
      for (JsonNode c : pod.path("spec").path("containers")) {
        c.path("env").forEach(e -> env.put(e.path("name").asText(), e));
      }
      String user = env.getOrDefault("SLUICE_KAFKA_USER", JsonNodes.MISSING).path("value").asText();
      JsonNode secret = env.getOrDefault("SLUICE_KAFKA_PASSWORD", JsonNodes.MISSING).path("valueFrom").path("secretKeyRef");
      if (user.isEmpty() || !users.containsKey(user)) {
        problems.add(where + ": SLUICE_KAFKA_USER '" + user + "' is not a KafkaUser");
      } else if (!users.get(user).path("spec").path("authentication").path("type").asText().equals("scram-sha-512")) {
        problems.add(where + ": KafkaUser " + user + " has no SCRAM credentials");
      }
      if (!secret.path("name").asText().equals(user) || !secret.path("key").asText().equals("password")) {
        problems.add(where + ": SLUICE_KAFKA_PASSWORD is not the password of KafkaUser " + user + "'s own Secret: " + secret);
      }
      String previous = userOf.put(user, where);
      if (previous != null && !user.isEmpty()) {
        problems.add(where + " and " + previous + " share the Kafka user " + user);
      }
      String ca = env.getOrDefault("SLUICE_KAFKA_CA_FILE", JsonNodes.MISSING).path("value").asText();
      if (!mountsSecret(pod, ca, CA_SECRET)) {
        problems.add(where + ": SLUICE_KAFKA_CA_FILE '" + ca + "' is not in a mount of the Secret " + CA_SECRET);
      }
    }
    for (var u : users.entrySet()) {
      if (!userOf.containsKey(u.getKey()) && !OPERATOR_USERS.contains(u.getKey())) {
        problems.add("KafkaUser " + u.getKey() + " is used by no workload");
      }
      JsonNode auth = u.getValue().path("spec").path("authorization");
      if (!auth.path("type").asText().equals("simple") || auth.path("acls").isEmpty()) {
        problems.add("KafkaUser " + u.getKey() + " has no ACLs");
      }
      for (JsonNode acl : auth.path("acls")) {
        JsonNode r = acl.path("resource");
        String type = r.path("type").asText();
        String n = r.path("name").asText();
        if (n.equals("*") || n.isEmpty() || acl.path("operations").toString().contains("\"All\"")) {
          problems.add("KafkaUser " + u.getKey() + ": wildcard ACL " + acl);
        } else if (type.equals("topic") && !topics.contains(n)) {
          problems.add("KafkaUser " + u.getKey() + ": ACL on a topic that is not a KafkaTopic: " + n);
        } else if (type.equals("group") && !n.startsWith("sluice-")) {
          problems.add("KafkaUser " + u.getKey() + ": ACL on a group that is not Sluice's: " + n);
        } else if (!Set.of("topic", "group").contains(type)) {
          problems.add("KafkaUser " + u.getKey() + ": ACL on a " + type + " resource");
        }
      }
    }
    problems.addAll(egress(docs));
    return problems;
  }

  private static List<String> egress(List<JsonNode> docs) {
    List<String> problems = new ArrayList<>();
    List<JsonNode> policies = docs.stream().filter(o -> o.path("kind").asText().equals("NetworkPolicy")
        && o.path("spec").path("policyTypes").toString().contains("\"Egress\"")).toList();
    for (JsonNode p : policies) {
      for (JsonNode rule : p.path("spec").path("egress")) {
        if (rule.path("to").isEmpty()) {
          problems.add(name(p) + ": an egress rule to any destination " + rule);
        }
        for (JsonNode peer : rule.path("to")) {
          String cidr = peer.path("ipBlock").path("cidr").asText();
          if (cidr.endsWith("/0")) {
            List<String> ports = new ArrayList<>();
            rule.path("ports").forEach(x -> ports.add(x.path("port").asText()));
            if (ports.isEmpty() || !ANY_ADDRESS_PORTS.containsAll(ports)) {
              problems.add(name(p) + ": egress to any address beyond HTTPS: " + rule);
            }
          }
        }
      }
    }
    for (JsonNode o : docs) {
      JsonNode pod = pod(o);
      if (pod == null || pod.path("spec").path("hostNetwork").asBoolean(false)) {
        continue;
      }
      Map<String, String> labels = labels(pod.path("metadata").path("labels"));
      if (o.path("kind").asText().equals("FlinkDeployment")) {
        labels.put("type", "flink-native-kubernetes");
        labels.put("app", o.path("metadata").path("name").asText());
      }
      boolean fenced = policies.stream().anyMatch(p -> {
        Map<String, String> selector = labels(p.path("spec").path("podSelector").path("matchLabels"));
        return !selector.isEmpty() && labels.entrySet().containsAll(selector.entrySet());
      });
      if (!fenced) {
        problems.add(name(o) + ": no egress NetworkPolicy selects its pods");
      }
    }
    return problems;
  }

  /** The pod template of a Sluice workload (Deployment, DaemonSet, Job, FlinkDeployment), or null. */
  static JsonNode pod(JsonNode o) {
    return switch (o.path("kind").asText()) {
      case "Deployment", "DaemonSet", "Job", "StatefulSet" -> o.path("spec").path("template");
      case "FlinkDeployment" -> o.path("spec").path("podTemplate");
      default -> null;
    };
  }

  /** The Kafka bootstrap a workload is given: a `--kafka` argument or a job's `kafka=` argument; null if none. */
  static String bootstrap(JsonNode o) {
    List<String> args = new ArrayList<>();
    o.path("spec").path("job").path("args").forEach(a -> args.add(a.asText()));
    JsonNode pod = pod(o);
    pod.path("spec").path("containers").forEach(c -> c.path("args").forEach(a -> args.add(a.asText())));
    for (int i = 0; i < args.size(); i++) {
      if (args.get(i).startsWith("kafka=")) {
        return args.get(i).substring("kafka=".length());
      }
      if (args.get(i).equals("--kafka") && i + 1 < args.size()) {
        return args.get(i + 1);
      }
    }
    return null;
  }

  private static boolean mountsSecret(JsonNode pod, String file, String secret) {
    Set<String> volumes = new HashSet<>();
    pod.path("spec").path("volumes").forEach(v -> {
      if (v.path("secret").path("secretName").asText().equals(secret)) {
        volumes.add(v.path("name").asText());
      }
    });
    for (JsonNode c : pod.path("spec").path("containers")) {
      for (JsonNode m : c.path("volumeMounts")) {
        if (volumes.contains(m.path("name").asText()) && !file.isEmpty()
            && file.startsWith(m.path("mountPath").asText() + "/")) {
          return true;
        }
      }
    }
    return false;
  }

  private static Map<String, String> labels(JsonNode l) {
    Map<String, String> m = new TreeMap<>();
    l.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
    return m;
  }

  private static String name(JsonNode o) {
    return o.path("kind").asText() + "/" + o.path("metadata").path("name").asText();
  }

  private static final class JsonNodes {
    static final JsonNode MISSING = com.fasterxml.jackson.databind.node.MissingNode.getInstance();
  }
}
