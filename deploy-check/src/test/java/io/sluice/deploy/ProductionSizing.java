package io.sluice.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The sizing of BENCHMARKS.md's "Sizing on paper" section, read from its tables: the constants, the per-stage costs
 * and the production overlay's pods and CPU requests. {@link #tableErrors()} recomputes what the tables derive;
 * {@link #overlayErrors(List)} compares a rendered overlay with the table. Both return what disagrees, empty if
 * nothing does.
 */
final class ProductionSizing {
  static final String SECTION = "## Sizing on paper (issue 22)";
  private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

  record Stage(String name, BigDecimal micros, int copies, BigDecimal[] rates, BigDecimal[] cores) {}

  record Component(String name, String object, List<String> stages, int workCopies, int pods, Integer parallelism,
      Integer slots, BigDecimal coresNeeded, BigDecimal cpuPerPod) {}

  final Map<String, BigDecimal> constants = new LinkedHashMap<>();
  final Map<String, Stage> stages = new LinkedHashMap<>();
  final List<Component> components = new ArrayList<>();

  /** Reads the section's tables from the text of BENCHMARKS.md. */
  static ProductionSizing parse(String benchmarks) {
    int start = benchmarks.indexOf(SECTION);
    if (start < 0) {
      throw new IllegalArgumentException("BENCHMARKS.md has no section " + SECTION);
    }
    int end = benchmarks.indexOf("\n## ", start + SECTION.length());
    String section = benchmarks.substring(start, end < 0 ? benchmarks.length() : end);
    ProductionSizing s = new ProductionSizing();
    for (List<List<String>> table : tables(section)) {
      List<String> header = table.get(0);
      for (List<String> row : table.subList(1, table.size())) {
        if (header.get(0).equals("constant")) {
          s.constants.put(row.get(0), new BigDecimal(row.get(1)));
        } else if (header.get(0).equals("stage")) {
          BigDecimal[] rates = {rate(header.get(4)), rate(header.get(5))};
          BigDecimal[] cores = {new BigDecimal(row.get(4)), new BigDecimal(row.get(5))};
          s.stages.put(row.get(0), new Stage(row.get(0), new BigDecimal(row.get(1)), Integer.parseInt(row.get(2)), rates,
              cores));
        } else if (header.get(0).equals("component")) {
          s.components.add(new Component(row.get(0), row.get(1), List.of(row.get(2).split(",\\s*")),
              Integer.parseInt(row.get(3)), Integer.parseInt(row.get(4)), optionalInt(row.get(5)),
              optionalInt(row.get(6)), new BigDecimal(row.get(7)), new BigDecimal(row.get(8))));
        }
      }
    }
    return s;
  }

  /** "cores at 300,000/s" → 300000 */
  private static BigDecimal rate(String header) {
    return new BigDecimal(header.replaceAll("^cores at ([0-9,]+)/s$", "$1").replace(",", ""));
  }

  private static Integer optionalInt(String cell) {
    return cell.equals("—") ? null : Integer.parseInt(cell);
  }

  private static List<List<List<String>>> tables(String text) {
    List<List<List<String>>> tables = new ArrayList<>();
    List<List<String>> current = null;
    for (String line : text.lines().toList()) {
      if (!line.startsWith("|")) {
        current = null;
        continue;
      }
      if (line.startsWith("|---")) {
        continue;
      }
      List<String> cells = new ArrayList<>();
      for (String c : line.substring(1, line.lastIndexOf('|')).split("\\|")) {
        cells.add(c.strip());
      }
      if (current == null) {
        current = new ArrayList<>();
        tables.add(current);
      }
      current.add(cells);
    }
    return tables;
  }

  BigDecimal constant(String name) {
    BigDecimal v = constants.get(name);
    if (v == null) {
      throw new IllegalArgumentException("no constant '" + name + "' in " + SECTION);
    }
    return v;
  }

  /** µs × copies × rate × headroom, rounded up to 0.1 core. */
  BigDecimal cores(Stage stage, BigDecimal rate) {
    return stage.micros().multiply(BigDecimal.valueOf(stage.copies())).multiply(rate).multiply(constant("headroom"))
        .divide(MILLION).setScale(1, RoundingMode.CEILING);
  }

  /** The production rate a stage is sized for: flow records or captured packets. */
  BigDecimal productionRate(String stage) {
    return stage.startsWith("flows:") ? constant("production flow records/s") : constant("production captured packets/s");
  }

  BigDecimal coresNeeded(Component c) {
    BigDecimal sum = BigDecimal.ZERO;
    for (String name : c.stages()) {
      Stage stage = stages.get(name);
      if (stage == null) {
        throw new IllegalArgumentException(c.name() + ": no stage '" + name + "' in " + SECTION);
      }
      sum = sum.add(cores(stage, productionRate(name)));
    }
    return sum.multiply(BigDecimal.valueOf(c.workCopies()));
  }

  /** The smallest multiple of the step that covers needed ÷ pods. */
  BigDecimal cpuPerPod(Component c) {
    BigDecimal step = constant("CPU request step per pod");
    BigDecimal perPod = coresNeeded(c).divide(BigDecimal.valueOf(c.pods()), 6, RoundingMode.CEILING);
    return perPod.divide(step, 0, RoundingMode.CEILING).multiply(step);
  }

  /** What the tables state that their own inputs do not give. */
  List<String> tableErrors() {
    List<String> errors = new ArrayList<>();
    for (Stage stage : stages.values()) {
      for (int i = 0; i < stage.rates().length; i++) {
        BigDecimal want = cores(stage, stage.rates()[i]);
        if (want.compareTo(stage.cores()[i]) != 0) {
          errors.add(stage.name() + " at " + stage.rates()[i] + "/s: the table says " + stage.cores()[i]
              + " cores, " + stage.micros() + " µs × " + stage.copies() + " × headroom gives " + want);
        }
      }
    }
    for (Component c : components) {
      if (coresNeeded(c).compareTo(c.coresNeeded()) != 0) {
        errors.add(c.name() + ": the table says " + c.coresNeeded() + " cores needed, its stages give " + coresNeeded(c));
      }
      if (cpuPerPod(c).compareTo(c.cpuPerPod()) != 0) {
        errors.add(c.name() + ": the table says " + c.cpuPerPod() + " CPU per pod, " + c.coresNeeded() + " cores over "
            + c.pods() + " pods gives " + cpuPerPod(c));
      }
      if (c.parallelism() != null && (c.parallelism() + c.slots() - 1) / c.slots() != c.pods()) {
        errors.add(c.name() + ": parallelism " + c.parallelism() + " with " + c.slots() + " slots is not " + c.pods()
            + " TaskManagers");
      }
    }
    return errors;
  }

  /** Where the rendered overlay's objects differ from the component table. */
  List<String> overlayErrors(List<JsonNode> overlay) {
    List<String> errors = new ArrayList<>();
    for (Component c : components) {
      String[] kindName = c.object().split("/", 2);
      JsonNode o = overlay.stream().filter(d -> d.path("kind").asText().equals(kindName[0])
          && d.path("metadata").path("name").asText().equals(kindName[1])).findFirst().orElse(null);
      if (o == null) {
        errors.add(c.name() + ": no " + c.object() + " in the overlay");
        continue;
      }
      JsonNode spec = o.path("spec");
      switch (kindName[0]) {
        case "Deployment" -> {
          expect(errors, c, "spec.replicas", c.pods(), spec.path("replicas").asInt());
          expectCpu(errors, c, "the first container's resources.requests.cpu",
              spec.path("template").path("spec").path("containers").path(0).path("resources").path("requests").path("cpu"));
        }
        case "KafkaNodePool" -> {
          expect(errors, c, "spec.replicas", c.pods(), spec.path("replicas").asInt());
          expectCpu(errors, c, "spec.resources.requests.cpu", spec.path("resources").path("requests").path("cpu"));
        }
        case "FlinkDeployment" -> {
          expect(errors, c, "spec.job.parallelism", c.parallelism(), spec.path("job").path("parallelism").asInt());
          expect(errors, c, "taskmanager.numberOfTaskSlots", c.slots(),
              spec.path("flinkConfiguration").path("taskmanager.numberOfTaskSlots").asInt());
          expectCpu(errors, c, "spec.taskManager.resource.cpu", spec.path("taskManager").path("resource").path("cpu"));
        }
        case "ClickHouseInstallation" -> {
          JsonNode layout = spec.path("configuration").path("clusters").path(0).path("layout");
          int replicas = layout.path("replicasCount").asInt(1);
          expect(errors, c, "layout.replicasCount (work done ×)", c.workCopies(), replicas);
          expect(errors, c, "layout.shardsCount × replicasCount", c.pods(), layout.path("shardsCount").asInt(1) * replicas);
          for (JsonNode t : spec.path("templates").path("podTemplates")) {
            expectCpu(errors, c, "podTemplate " + t.path("name").asText() + " resources.requests.cpu",
                t.path("spec").path("containers").path(0).path("resources").path("requests").path("cpu"));
          }
        }
        default -> errors.add(c.name() + ": no rule for checking a " + kindName[0]);
      }
    }
    return errors;
  }

  private static void expect(List<String> errors, Component c, String field, Integer want, int got) {
    if (want == null || want != got) {
      errors.add(c.object() + " " + field + " is " + got + ", the sizing table says " + want);
    }
  }

  private static void expectCpu(List<String> errors, Component c, String field, JsonNode cpu) {
    BigDecimal got = cpu.isMissingNode() ? null : cpu(cpu.asText());
    if (got == null || got.compareTo(c.cpuPerPod()) != 0) {
      errors.add(c.object() + " " + field + " is " + (got == null ? "not set" : cpu.asText()) + ", the sizing table says "
          + c.cpuPerPod());
    }
  }

  /** A Kubernetes CPU quantity ("250m", "2", 0.75) in cores. */
  static BigDecimal cpu(String quantity) {
    return quantity.endsWith("m")
        ? new BigDecimal(quantity.substring(0, quantity.length() - 1)).movePointLeft(3)
        : new BigDecimal(quantity);
  }
}
