package io.sluice.ingest.collect;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** Reads values out of a /metrics text the way a scraper would. */
public final class Metrics {
  private Metrics() {}

  public static String scrape(int port) throws IOException, InterruptedException {
    HttpResponse<String> r = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200 || !r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4")) {
      throw new AssertionError("GET /metrics: " + r.statusCode() + " " + r.headers().map());
    }
    return r.body();
  }

  /** The sum of the samples of {@code name} whose labels contain every given {@code key="value"}; -1 if none. */
  public static double value(String text, String name, String... labels) {
    double sum = -1;
    for (String line : text.split("\n")) {
      if (line.startsWith("#") || !(line.startsWith(name + "{") || line.startsWith(name + " "))) {
        continue;
      }
      int space = line.lastIndexOf(' ');
      String series = line.substring(0, space);
      boolean all = true;
      for (String l : labels) {
        all &= series.contains(l);
      }
      if (all) {
        sum = Math.max(sum, 0) + Double.parseDouble(line.substring(space + 1));
      }
    }
    return sum;
  }
}
