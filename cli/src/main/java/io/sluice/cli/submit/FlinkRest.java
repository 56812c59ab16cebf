package io.sluice.cli.submit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/** The parts of Flink's REST API that submit and follow jobs: /jars/upload, /jars/{id}/run, /jobs/{id}. */
public final class FlinkRest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String baseUrl;

  public FlinkRest(String baseUrl) {
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
  }

  /** Uploads a jar and returns the id the cluster gave it. */
  public String upload(Path jar) throws IOException {
    String boundary = "sluice-" + UUID.randomUUID();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
        + jar.getFileName() + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n").getBytes(StandardCharsets.UTF_8));
    body.write(Files.readAllBytes(jar));
    body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    JsonNode answer = send(HttpRequest.newBuilder(URI.create(baseUrl + "/jars/upload"))
        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
    String file = answer.path("filename").asText();
    if (file.isEmpty()) {
      throw new IOException("the cluster did not accept the jar: " + answer);
    }
    return Path.of(file).getFileName().toString();
  }

  /** Runs an uploaded jar's entry class and returns the job id. */
  public String run(String jarId, String entryClass, List<String> args, Integer parallelism) throws IOException {
    ObjectNode request = JSON.createObjectNode();
    request.put("entryClass", entryClass);
    request.putPOJO("programArgsList", args);
    if (parallelism != null) {
      request.put("parallelism", parallelism);
    }
    JsonNode answer = send(HttpRequest.newBuilder(URI.create(baseUrl + "/jars/" + jarId + "/run"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(request))));
    String jobId = answer.path("jobid").asText();
    if (jobId.isEmpty()) {
      throw new IOException("the cluster did not start the job: " + answer);
    }
    return jobId;
  }

  /**
   * The job's state: CREATED, RUNNING, FINISHED, FAILED, ... From /jobs/{id}/status: /jobs/{id} builds the whole job's
   * details (every vertex, and its metrics fetched from the TaskManagers), a cost in the JobManager at every poll.
   */
  public String jobState(String jobId) throws IOException {
    return send(HttpRequest.newBuilder(URI.create(baseUrl + "/jobs/" + jobId + "/status")).GET()).path("status").asText();
  }

  /** Cancels a job and waits until it has left RUNNING. */
  public void cancel(String jobId) throws IOException {
    send(HttpRequest.newBuilder(URI.create(baseUrl + "/jobs/" + jobId + "?mode=cancel"))
        .method("PATCH", HttpRequest.BodyPublishers.noBody()));
    long deadline = System.currentTimeMillis() + 60_000;
    while (jobState(jobId).equals("RUNNING") || jobState(jobId).equals("CANCELLING")) {
      if (System.currentTimeMillis() > deadline) {
        throw new IOException("job " + jobId + " did not stop within 60 s");
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }
  }

  public JsonNode get(String path) throws IOException {
    return send(HttpRequest.newBuilder(URI.create(baseUrl + path)).GET());
  }

  private JsonNode send(HttpRequest.Builder request) throws IOException {
    HttpResponse<String> response;
    try {
      response = client.send(request.timeout(Duration.ofMinutes(2)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } catch (IOException e) {
      throw new IOException("cannot reach Flink at " + baseUrl + ": " + e, e);
    }
    JsonNode body = response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
    if (response.statusCode() >= 300) {
      JsonNode errors = body.path("errors");
      throw new IOException("Flink answered " + response.statusCode() + ": " + (errors.isMissingNode() ? body : errors));
    }
    return body;
  }
}
