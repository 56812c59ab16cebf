package io.sluice.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * The operators' published CRD schemas, keyed by "apiVersion kind":
 * <ul>
 *   <li>Flink Kubernetes Operator: the CRD YAMLs shipped in org.apache.flink:flink-kubernetes-operator-api;</li>
 *   <li>Strimzi: io.strimzi:api ships no YAML, so the CRDs are generated from its model classes by Strimzi's own
 *       io.strimzi:crd-generator, with the arguments of Strimzi's build (api/pom.xml), as its release does.</li>
 * </ul>
 * Object schemas are made closed (additionalProperties false unless the CRD preserves unknown fields), which is
 * what `kubectl apply` with strict field validation reports; the API server would otherwise drop such fields.
 */
final class CrdSchemas {
  /**
   * flink-kubernetes-operator-api in Maven Central stops at 1.10.0, whose flinkVersion enum ends at v1_20. Flink 2.2
   * needs a newer operator; its only schema change relied on here is the enum value v2_2, added below.
   */
  static final String FLINK_VERSION = "v2_2";

  private CrdSchemas() {}

  static Map<String, JsonSchema> load() throws Exception {
    Map<String, JsonSchema> schemas = new HashMap<>();
    try (InputStream in = CrdSchemas.class.getResourceAsStream("/META-INF/fabric8/flinkdeployments.flink.apache.org-v1.yml")) {
      JsonNode crd = Dashboards.YAML.readTree(in);
      ObjectNode schema = schemaOf(crd, "v1beta1");
      ((ArrayNode) schema.path("properties").path("spec").path("properties").path("flinkVersion").path("enum")).add(FLINK_VERSION);
      schemas.put("flink.apache.org/v1beta1 FlinkDeployment", compile(schema));
    }
    return schemas;
  }

  private static ObjectNode schemaOf(JsonNode crd, String version) {
    for (JsonNode v : crd.path("spec").path("versions")) {
      if (v.path("name").asText().equals(version)) {
        ObjectNode schema = (ObjectNode) v.path("schema").path("openAPIV3Schema").deepCopy();
        // The API server adds these to every CRD's root; the generated schema leaves them out.
        ObjectNode root = (ObjectNode) schema.path("properties");
        root.putObject("apiVersion").put("type", "string");
        root.putObject("kind").put("type", "string");
        root.putObject("metadata").put("type", "object");
        close(schema);
        return schema;
      }
    }
    throw new IllegalStateException("no version " + version + " in " + crd.path("metadata").path("name"));
  }

  private static void close(JsonNode node) {
    if (node instanceof ObjectNode o) {
      if (o.has("properties") && !o.has("additionalProperties")
          && !o.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
        o.put("additionalProperties", false);
      }
      for (Iterator<JsonNode> it = o.elements(); it.hasNext(); ) {
        close(it.next());
      }
    } else if (node instanceof ArrayNode a) {
      a.forEach(CrdSchemas::close);
    }
  }

  private static JsonSchema compile(ObjectNode schema) {
    // Kubernetes' structural schemas are OpenAPI v3 schema objects: draft 4 keywords.
    return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(schema);
  }
}
