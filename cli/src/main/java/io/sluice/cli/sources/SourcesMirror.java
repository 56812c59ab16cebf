package io.sluice.cli.sources;

import io.sluice.cli.UserError;
import io.sluice.net.IpAddresses;
import io.sluice.net.Prefix;
import io.sluice.ingest.sources.Sources;
import io.sluice.store.ClickHouseException;
import io.sluice.store.ClickHouseHttp;
import io.sluice.wire.FlowSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The ClickHouse copy of the registry (table {@code sources}, sql/004_sources.sql): one row per change, the
 * newest updated_ns winning. Writes a literal INSERT, with the address columns written the way the server's
 * column type takes them: text for IPv6, IPv6StringToNum(...) for FixedString(16) (ClickHouse 18.16).
 */
final class SourcesMirror {
  static final String TABLE = "sources";

  private final ClickHouseHttp ch;
  private final String url;
  private final String database;
  private boolean ipv6Type;

  SourcesMirror(String url, String database) {
    this.url = url;
    this.database = database;
    this.ch = new ClickHouseHttp(url, database);
  }

  /** Checks that the server answers and the table exists, before anything is written to Kafka. */
  void preflight() {
    List<List<String>> rows;
    try {
      rows = ch.withDatabase(null).query("SELECT type FROM system.columns WHERE database = " + quote(database)
          + " AND table = '" + TABLE + "' AND name = 'prefix_addr'").rows();
    } catch (ClickHouseException e) {
      throw new UserError("cannot reach ClickHouse at " + url + " (" + firstLine(e.getMessage())
          + "): start the stack with `sluice up`, pass --clickhouse URL, or --no-clickhouse to skip the mirror", e);
    }
    if (rows.isEmpty()) {
      throw new UserError("ClickHouse at " + url + " has no table " + database + "." + TABLE
          + ": run `sluice db migrate --clickhouse " + url + "` first, or pass --no-clickhouse to skip the mirror");
    }
    String type = rows.get(0).get(0);
    ipv6Type = type.startsWith("IPv6");
  }

  /** Writes the current state of one registration. */
  void upsert(FlowSource s) {
    ch.execute("INSERT INTO " + TABLE + " " + COLUMNS + " VALUES " + row(s, false, s.getUpdatedNs()));
  }

  /** Writes the removal of a prefix. */
  void delete(FlowSource previous, long updatedNs) {
    ch.execute("INSERT INTO " + TABLE + " " + COLUMNS + " VALUES " + row(previous, true, updatedNs));
  }

  /** The prefixes the mirror holds as registered now, with their updated_ns. */
  Map<String, Long> current() {
    Map<String, Long> out = new TreeMap<>();
    for (List<String> r : ch.query("SELECT prefix, updated_ns FROM " + TABLE + " FINAL WHERE deleted = 0").rows()) {
      out.put(r.get(0), Long.parseLong(r.get(1)));
    }
    return out;
  }

  /** Makes the mirror equal to the registry read from Kafka; returns the number of rows written. */
  int sync(Map<String, FlowSource> registry, long nowNs) {
    Map<String, Long> mirrored = current();
    List<String> rows = new ArrayList<>();
    for (Map.Entry<String, FlowSource> e : registry.entrySet()) {
      Long at = mirrored.get(e.getKey());
      if (at == null || at != e.getValue().getUpdatedNs()) {
        rows.add(row(e.getValue(), false, e.getValue().getUpdatedNs()));
      }
    }
    Set<String> gone = new TreeSet<>(mirrored.keySet());
    gone.removeAll(registry.keySet());
    for (String key : gone) {
      Prefix p = Prefix.parse(key);
      FlowSource removed = FlowSource.newBuilder()
          .setPrefixAddr(com.google.protobuf.ByteString.copyFrom(p.address())).setPrefixLen(p.length()).build();
      rows.add(row(removed, true, Math.max(nowNs, mirrored.get(key) + 1)));
    }
    if (!rows.isEmpty()) {
      ch.execute("INSERT INTO " + TABLE + " " + COLUMNS + " VALUES " + String.join(", ", rows));
    }
    return rows.size();
  }

  private static final String COLUMNS = "(prefix, prefix_addr, prefix_last_addr, prefix_len, name, site, sampling_rate, "
      + "override_sampling, exporter_addr_override, if_index, if_name, deleted, updated_ns)";

  private String row(FlowSource s, boolean deleted, long updatedNs) {
    Prefix p = Sources.prefixOf(s);
    byte[] override = s.getExporterAddrOverride().size() == 16 ? s.getExporterAddrOverride().toByteArray() : new byte[16];
    List<String> index = new ArrayList<>();
    List<String> names = new ArrayList<>();
    new TreeMap<>(s.getInterfaceNamesMap()).forEach((i, n) -> {
      index.add(Integer.toUnsignedString(i));
      names.add(quote(n));
    });
    return "(" + String.join(", ",
        quote(p.canonical()),
        addr(p.address()),
        addr(p.lastAddress()),
        Integer.toString(p.length()),
        quote(s.getName()),
        quote(s.getSite()),
        Integer.toUnsignedString(s.getSamplingRate()),
        s.getOverrideSampling() ? "1" : "0",
        addr(override),
        "[" + String.join(", ", index) + "]",
        "[" + String.join(", ", names) + "]",
        deleted ? "1" : "0",
        Long.toUnsignedString(updatedNs)) + ")";
  }

  private String addr(byte[] a16) {
    String text = quote(IpAddresses.clickHouseText(a16));
    return ipv6Type ? "toIPv6(" + text + ")" : "IPv6StringToNum(" + text + ")";
  }

  static String quote(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('\'');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\\' -> b.append("\\\\");
        case '\'' -> b.append("\\'");
        case '\n' -> b.append("\\n");
        case '\t' -> b.append("\\t");
        case '\r' -> b.append("\\r");
        case '\0' -> b.append("\\0");
        default -> b.append(c);
      }
    }
    return b.append('\'').toString();
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "no answer";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
