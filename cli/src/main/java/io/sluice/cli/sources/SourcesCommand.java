package io.sluice.cli.sources;

import io.sluice.cli.UserError;
import io.sluice.cli.TablePrinter;
import io.sluice.ingest.sources.InvalidSourceException;
import io.sluice.net.IpAddresses;
import io.sluice.net.Prefix;
import io.sluice.ingest.sources.SourceTable;
import io.sluice.ingest.sources.Sources;
import io.sluice.store.ClickHouseException;
import io.sluice.wire.FlowSource;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "sources", mixinStandardHelpOptions = true,
    description = {"The flow sources (exporters) collectors accept, registered by IP address or prefix.",
        "The registry is the compacted Kafka topic sluice.sources, mirrored into the ClickHouse table `sources`;",
        "running collectors pick up changes within seconds."},
    subcommands = {SourcesCommand.Add.class, SourcesCommand.ListSources.class, SourcesCommand.Show.class,
        SourcesCommand.Remove.class, SourcesCommand.Sync.class})
public final class SourcesCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing a subcommand: add, list, show, remove or sync (see `sluice sources --help`).");
  }

  @Command(name = "add", mixinStandardHelpOptions = true,
      description = {"Register a source (or replace the registration of the same prefix).",
          "Example: sluice sources add 192.0.2.1 --name edge-1 --sampling-rate 1000 --site par1 --interface 12=xe-0/0/1"})
  public static final class Add implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin RegistryOptions registry;

    @Parameters(index = "0", paramLabel = "IP|CIDR", description = "The exporter's address (192.0.2.1, 2001:db8::1) or a prefix (192.0.2.0/24).")
    String prefix;

    @Option(names = "--name", required = true, description = "A unique name for the source, e.g. edge-1.")
    String name;

    @Option(names = "--sampling-rate", paramLabel = "N", description = "1 in N packets sampled; used when the exporter does not say (1 or more).")
    Integer samplingRate;

    @Option(names = "--override-sampling", description = "Use --sampling-rate even when the exporter reports a rate.")
    boolean overrideSampling;

    @Option(names = "--site", description = "Site or location label, e.g. par1.")
    String site;

    @Option(names = "--interface", paramLabel = "IFINDEX=NAME", description = "An interface name, e.g. 12=xe-0/0/1; repeat for more.")
    List<String> interfaces = new ArrayList<>();

    @Option(names = "--exporter-address", paramLabel = "IP", description = "NetFlow/IPFIX: report this exporter address instead of the UDP source.")
    String exporterAddress;

    @Option(names = "--relay", description = "sFlow: this address forwards other agents' datagrams; accept the agent"
        + " address inside them when that agent is registered too.")
    boolean relay;

    @Option(names = "--allow-any", description = "Allow a prefix of length 0 (0.0.0.0/0, ::/0): every address is accepted.")
    boolean allowAny;

    @Option(names = "--no-clickhouse", description = "Do not write the ClickHouse mirror (run `sluice sources sync` later).")
    boolean noClickhouse;

    @Override
    public Integer call() {
      SourceRegistry.Added added;
      try {
        added = registry.registry().add(new Sources.Request(prefix, name, samplingRate, overrideSampling, site, interfaces,
            exporterAddress, relay, allowAny), !noClickhouse, spec.commandLine().getErr());
      } catch (InvalidSourceException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
      }
      spec.commandLine().getOut().println(added.message());
      return 0;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List the registered sources (from Kafka).")
  public static final class ListSources implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin RegistryOptions registry;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      Map<String, FlowSource> current = registry.read(spec.commandLine().getErr());
      if (current.isEmpty()) {
        out.println("no sources registered; add one with `sluice sources add IP --name NAME`");
        return 0;
      }
      List<List<String>> rows = new ArrayList<>();
      for (FlowSource s : byPrefix(current).values()) {
        rows.add(List.of(Sources.key(s), s.getName(), s.getSite(), sampling(s), Integer.toString(s.getInterfaceNamesCount())));
      }
      TablePrinter.print(out, List.of("prefix", "name", "site", "sampling", "interfaces"), rows);
      return 0;
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true,
      description = "Show one source: by prefix, by name, or the longest registered prefix holding an address.")
  public static final class Show implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin RegistryOptions registry;

    @Parameters(index = "0", paramLabel = "IP|CIDR|NAME")
    String what;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      Map<String, FlowSource> current = registry.read(spec.commandLine().getErr());
      FlowSource s = find(current, what, true);
      out.println("prefix:            " + Sources.key(s));
      out.println("name:              " + s.getName());
      out.println("site:              " + s.getSite());
      out.println("sampling:          " + sampling(s));
      out.println("exporter address:  " + (s.getExporterAddrOverride().size() == 16
          ? IpAddresses.format(s.getExporterAddrOverride().toByteArray()) : "(the UDP source; sFlow: the agent address)"));
      out.println("updated:           " + Instant.ofEpochSecond(0, s.getUpdatedNs()));
      if (s.getInterfaceNamesCount() > 0) {
        out.println("interfaces:");
        new TreeMap<>(s.getInterfaceNamesMap()).forEach((i, n) -> out.println("  " + Integer.toUnsignedString(i) + " = " + n));
      }
      return 0;
    }
  }

  @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove a source, by prefix or by name.")
  public static final class Remove implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin RegistryOptions registry;

    @Parameters(index = "0", paramLabel = "IP|CIDR|NAME")
    String what;

    @Option(names = "--no-clickhouse", description = "Do not write the ClickHouse mirror (run `sluice sources sync` later).")
    boolean noClickhouse;

    @Override
    public Integer call() {
      FlowSource s = registry.registry().remove(what, !noClickhouse, spec.commandLine().getErr());
      spec.commandLine().getOut().println("removed " + Sources.key(s) + " (" + s.getName() + ")");
      return 0;
    }
  }

  @Command(name = "sync", mixinStandardHelpOptions = true, description = "Rewrite the ClickHouse mirror from the Kafka registry.")
  public static final class Sync implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin RegistryOptions registry;

    @Override
    public Integer call() {
      SourcesMirror mirror = registry.mirror();
      mirror.preflight();
      Map<String, FlowSource> current = registry.read(spec.commandLine().getErr());
      try {
        int rows = mirror.sync(current, SourceRegistry.nowNs());
        spec.commandLine().getOut().println("mirror in sync: " + current.size() + " source(s), " + rows + " row(s) written");
      } catch (ClickHouseException e) {
        throw new UserError("cannot write the ClickHouse mirror at " + registry.clickhouse + ": " + e.getMessage(), e);
      }
      return 0;
    }
  }

  /** By exact prefix, then by name; with {@code match}, an address also finds its longest registered prefix. */
  static FlowSource find(Map<String, FlowSource> current, String what, boolean match) {
    Prefix prefix = null;
    try {
      prefix = Prefix.parse(what);
    } catch (IllegalArgumentException e) {
      // not an address: a name
    }
    if (prefix != null) {
      FlowSource exact = current.get(prefix.canonical());
      if (exact != null) {
        return exact;
      }
      if (match && prefix.length() == 128) {
        FlowSource covering = SourceTable.of(current.values()).match(prefix.address());
        if (covering != null) {
          return covering;
        }
      }
      throw new UserError("no source is registered for " + prefix.canonical() + "; `sluice sources list` shows the registered ones");
    }
    for (FlowSource s : current.values()) {
      if (s.getName().equals(what)) {
        return s;
      }
    }
    throw new UserError("no source is registered with the name or address \"" + what + "\"; `sluice sources list` shows the registered ones");
  }

  static Map<Prefix, FlowSource> byPrefix(Map<String, FlowSource> current) {
    Map<Prefix, FlowSource> sorted = new TreeMap<>((a, b) -> a.isV4() != b.isV4() ? (a.isV4() ? -1 : 1)
        : a.hi() != b.hi() ? Long.compareUnsigned(a.hi(), b.hi())
        : a.lo() != b.lo() ? Long.compareUnsigned(a.lo(), b.lo()) : Integer.compare(a.length(), b.length()));
    current.values().forEach(s -> sorted.put(Sources.prefixOf(s), s));
    return sorted;
  }

  static String sampling(FlowSource s) {
    if (s.getSamplingRate() == 0) {
      return "from exporter";
    }
    return "1:" + Integer.toUnsignedString(s.getSamplingRate()) + (s.getOverrideSampling() ? " (override)" : " (default)");
  }

  static String describe(FlowSource s) {
    StringBuilder b = new StringBuilder();
    if (!s.getSite().isEmpty()) {
      b.append(", site ").append(s.getSite());
    }
    b.append(", sampling ").append(sampling(s));
    if (s.getRelay()) {
      b.append(", sFlow relay");
    }
    if (s.getInterfaceNamesCount() > 0) {
      b.append(", ").append(s.getInterfaceNamesCount()).append(" interface name(s)");
    }
    return b.toString();
  }
}
