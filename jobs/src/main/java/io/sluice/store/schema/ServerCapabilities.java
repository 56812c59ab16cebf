package io.sluice.store.schema;

import io.sluice.store.ClickHouseException;
import io.sluice.store.ClickHouseSql;
import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The server's version and which {@link ServerFeature}s it accepts. */
public record ServerCapabilities(String version, Set<ServerFeature> features) {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([a-z0-9]+)\\s*(?::([^}]*))?\\}\\}");

  /** Probes each feature by creating and dropping a table in {@code db}'s database. */
  public static ServerCapabilities probe(ClickHouseSql db) {
    String version = db.serverVersion();
    EnumSet<ServerFeature> features = EnumSet.noneOf(ServerFeature.class);
    for (ServerFeature feature : ServerFeature.values()) {
      String table = "_sluice_probe_" + feature.placeholder();
      db.execute("DROP TABLE IF EXISTS " + table);
      try {
        db.execute(feature.probeDdl(table));
        features.add(feature);
      } catch (ClickHouseException refused) {
        if (refused.code() < 0) {
          throw refused;
        }
      } finally {
        db.execute("DROP TABLE IF EXISTS " + table);
      }
    }
    return new ServerCapabilities(version, features);
  }

  /** Expands every {{feature:argument}} placeholder; an unknown one is an error naming it. */
  public String render(String sql) {
    Matcher m = PLACEHOLDER.matcher(sql);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      ServerFeature feature = ServerFeature.byPlaceholder(m.group(1));
      if (feature == null) {
        throw new IllegalArgumentException("unknown placeholder " + m.group() + "; known: lowcard, ipv6, codec, ttl");
      }
      String argument = m.group(2) == null ? "" : m.group(2).strip();
      m.appendReplacement(out, Matcher.quoteReplacement(feature.render(argument, features.contains(feature))));
    }
    m.appendTail(out);
    return out.toString();
  }

  public String describe() {
    StringBuilder text = new StringBuilder("ClickHouse " + version + ":");
    for (ServerFeature feature : ServerFeature.values()) {
      text.append(' ').append(feature.placeholder()).append(features.contains(feature) ? " yes" : " no").append(',');
    }
    text.setLength(text.length() - 1);
    return text.toString();
  }
}
