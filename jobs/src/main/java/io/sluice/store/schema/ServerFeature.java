package io.sluice.store.schema;

/**
 * Newer ClickHouse features the migrations use only where the server has them. Each is found by probing the
 * server with a throwaway table rather than by version number, so backports and experimental settings are
 * judged by what the server really accepts.
 */
public enum ServerFeature {
  /** {@code {{lowcard:T}}}: LowCardinality(T), else T. 18.16 has it only behind an experimental setting. */
  LOWCARD("lowcard", "(x LowCardinality(String)) ENGINE = Memory"),
  /** {@code {{ipv6}}}: the IPv6 type, else FixedString(16); both hold the same 16 bytes. */
  IPV6("ipv6", "(x IPv6) ENGINE = Memory"),
  /** {@code {{codec:...}}}: a column CODEC(...), else nothing. */
  CODEC("codec", "(x UInt64 CODEC(T64, ZSTD)) ENGINE = MergeTree() ORDER BY x"),
  /** {@code {{ttl:expr}}}: a table TTL clause, else nothing (retention is then up to the operator). */
  TTL("ttl", "(d DateTime) ENGINE = MergeTree() ORDER BY d TTL d + INTERVAL 1 DAY");

  private final String placeholder;
  private final String probeColumnsAndEngine;

  ServerFeature(String placeholder, String probeColumnsAndEngine) {
    this.placeholder = placeholder;
    this.probeColumnsAndEngine = probeColumnsAndEngine;
  }

  public String placeholder() {
    return placeholder;
  }

  String probeDdl(String table) {
    return "CREATE TABLE " + table + " " + probeColumnsAndEngine;
  }

  /** What the placeholder becomes, with or without the feature. */
  String render(String argument, boolean supported) {
    return switch (this) {
      case LOWCARD -> supported ? "LowCardinality(" + argument + ")" : argument;
      case IPV6 -> supported ? "IPv6" : "FixedString(16)";
      case CODEC -> supported ? "CODEC(" + argument + ")" : "";
      case TTL -> supported ? "TTL " + argument : "";
    };
  }

  static ServerFeature byPlaceholder(String name) {
    for (ServerFeature feature : values()) {
      if (feature.placeholder.equals(name)) {
        return feature;
      }
    }
    return null;
  }
}
