package io.sluice.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;

/** Flink's REST API of the MiniCluster, for one job. */
public final class FlinkRest {
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();
  private final String base;

  public FlinkRest(Configuration client, String jobId) {
    this.base = "http://" + client.get(RestOptions.ADDRESS) + ":" + client.get(RestOptions.PORT) + "/jobs/" + jobId;
  }

  public JsonNode get(String path) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path)).build(),
        HttpResponse.BodyHandlers.ofString());
    return json.readTree(r.body());
  }

  /** The id of the job vertex whose name starts with {@code name} (operators chained behind it included). */
  public String vertex(String name) throws Exception {
    long deadline = System.nanoTime() + 60_000_000_000L;
    do {
      for (JsonNode v : get("").path("vertices")) {
        if (v.path("name").asText().startsWith(name)) {
          return v.path("id").asText();
        }
      }
      Thread.sleep(200);
    } while (System.nanoTime() < deadline);
    throw new AssertionError("no vertex " + name + " in " + get(""));
  }

  /** A gauge summed over the vertex's subtasks (-1 while it is not reported yet). */
  public long gauge(String vertex, String suffix) throws Exception {
    long sum = -1;
    for (JsonNode m : get("/vertices/" + vertex + "/metrics")) {
      String id = m.path("id").asText();
      if (id.endsWith("." + suffix) || id.equals(suffix)) {
        for (JsonNode value : get("/vertices/" + vertex + "/metrics?get=" + id)) {
          sum = Math.max(sum, 0) + Long.parseLong(value.path("value").asText());
        }
      }
    }
    return sum;
  }

  public long latestCheckpoint() throws Exception {
    return get("/checkpoints").path("latest").path("completed").path("id").asLong(-1);
  }

  /** The vertex's state in the latest completed checkpoint, in bytes. */
  public long stateSize(String vertex) throws Exception {
    JsonNode task = get("/checkpoints/details/" + latestCheckpoint()).path("tasks").path(vertex);
    JsonNode size = task.has("state_size") ? task.path("state_size") : task.path("checkpointed_size");
    if (size.isMissingNode()) {
      throw new AssertionError("no state size in " + task);
    }
    return size.asLong();
  }
}
