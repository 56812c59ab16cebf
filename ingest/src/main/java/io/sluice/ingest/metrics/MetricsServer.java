package io.sluice.ingest.metrics;

import com.sun.net.httpserver.HttpExchange;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/** Serves GET /metrics in the Prometheus text format from a supplier called on every scrape, and GET /healthz. */
public final class MetricsServer implements AutoCloseable {
  private static final PrometheusTextFormatWriter WRITER = PrometheusTextFormatWriter.create();

  private final HttpServer server;

  private MetricsServer(HttpServer server) {
    this.server = server;
  }

  /** Binds host:port (port 0: any free port) and starts serving. */
  public static MetricsServer start(String host, int port, Supplier<String> metrics) {
    return start(host, port, metrics, () -> null);
  }

  /**
   * As {@link #start(String, int, Supplier)}, with GET /healthz for probes: 200 while {@code problem} gives null,
   * else 503 with the problem.
   */
  public static MetricsServer start(String host, int port, Supplier<String> metrics, Supplier<String> problem) {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 16);
      server.createContext("/metrics", exchange -> {
        try (exchange) {
          if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
            reply(exchange, 405, "text/plain; charset=utf-8", "only GET\n");
            return;
          }
          reply(exchange, 200, WRITER.getContentType(), metrics.get());
        } catch (RuntimeException e) {
          reply(exchange, 500, "text/plain; charset=utf-8", "error: " + e + "\n");
        }
      });
      server.createContext("/healthz", exchange -> {
        try (exchange) {
          String why = problem.get();
          reply(exchange, why == null ? 200 : 503, "text/plain; charset=utf-8", why == null ? "ok\n" : why + "\n");
        } catch (RuntimeException e) {
          reply(exchange, 500, "text/plain; charset=utf-8", "error: " + e + "\n");
        }
      });
      server.createContext("/", exchange -> {
        try (exchange) {
          reply(exchange, 404, "text/plain; charset=utf-8", "see /metrics\n");
        }
      });
      server.setExecutor(Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "sluice-metrics-http");
        t.setDaemon(true);
        return t;
      }));
      server.start();
      return new MetricsServer(server);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serve metrics on " + host + ":" + port + ": " + e.getMessage(), e);
    }
  }

  /** A registry's metrics in the Prometheus text format (version 0.0.4), as the server sends them. */
  public static String text(PrometheusRegistry registry) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
    try {
      WRITER.write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static void reply(HttpExchange exchange, int status, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    boolean head = "HEAD".equals(exchange.getRequestMethod());
    exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
    if (!head) {
      try (OutputStream os = exchange.getResponseBody()) {
        os.write(bytes);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
