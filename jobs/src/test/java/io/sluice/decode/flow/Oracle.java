package io.sluice.decode.flow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** tshark's decode of a fixture (see shared/fixtures/README.md). */
final class Oracle {
  static final ObjectMapper JSON = new ObjectMapper();

  final JsonNode summary;
  final List<JsonNode> records = new ArrayList<>();

  Oracle(Path capture) {
    try {
      summary = JSON.readTree(Fixtures.oracle(capture, ".summary.json").toFile());
      try (BufferedReader in = new BufferedReader(new InputStreamReader(
          new GZIPInputStream(Files.newInputStream(Fixtures.oracle(capture, ".records.jsonl.gz"))), StandardCharsets.UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) if (!line.isBlank()) records.add(JSON.readTree(line));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static boolean isFlow(JsonNode r) {
    String kind = r.path("kind").asText();
    return kind.equals("data") || kind.equals("flow_sample") || kind.equals("expanded_flow_sample");
  }

  List<JsonNode> flows() {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode r : records) if (isFlow(r)) out.add(r);
    return out;
  }

  /** The first frame with an options data record carrying a rate, or MAX_VALUE. */
  int firstRateOptionsFrame() {
    int first = Integer.MAX_VALUE;
    for (JsonNode r : records) {
      if (r.path("kind").asText().equals("option_data") && !r.path("own_sampling_rate").isNull() && r.has("own_sampling_rate")) {
        first = Math.min(first, r.path("frame").asInt());
      }
    }
    return first;
  }

  /** A textual address as 16 bytes, IPv4 mapped; null for JSON null. */
  static byte[] address(JsonNode n) {
    if (n == null || n.isNull() || n.isMissingNode()) return null;
    try {
      byte[] a = InetAddress.getByName(n.asText()).getAddress();
      if (a.length == 16) return a;
      byte[] m = new byte[16];
      m[10] = m[11] = (byte) 0xFF;
      System.arraycopy(a, 0, m, 12, 4);
      return m;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Long number(JsonNode n) {
    return n == null || n.isNull() || n.isMissingNode() ? null : n.asLong();
  }
}
