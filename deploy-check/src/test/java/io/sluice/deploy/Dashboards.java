package io.sluice.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.sluice.stack.TestStack;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** grafana/: the dashboards and the provisioning files, parsed. */
final class Dashboards {
  static final Path GRAFANA = TestStack.repoRoot().resolve("grafana");
  static final ObjectMapper JSON = new ObjectMapper();
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  record Dashboard(Path file, JsonNode json) {
    String name() {
      return file.getFileName().toString();
    }

    List<JsonNode> panels() {
      List<JsonNode> all = new ArrayList<>();
      json.path("panels").forEach(p -> {
        all.add(p);
        p.path("panels").forEach(all::add); // collapsed rows keep their panels inside
      });
      return all;
    }

    List<JsonNode> variables() {
      List<JsonNode> all = new ArrayList<>();
      json.path("templating").path("list").forEach(all::add);
      return all;
    }
  }

  private Dashboards() {}

  static List<Dashboard> all() {
    try (Stream<Path> files = Files.list(GRAFANA.resolve("dashboards"))) {
      List<Dashboard> list = new ArrayList<>();
      for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
        list.add(new Dashboard(f, JSON.readTree(f.toFile())));
      }
      return list;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The provisioned data sources (grafana/provisioning/datasources/*.yaml). */
  static List<JsonNode> datasources() {
    List<JsonNode> list = new ArrayList<>();
    try (Stream<Path> files = Files.list(GRAFANA.resolve("provisioning/datasources"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        YAML.readTree(f.toFile()).path("datasources").forEach(list::add);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return list;
  }

  static String sql(JsonNode target) {
    return target.path("rawSql").asText("");
  }
}
