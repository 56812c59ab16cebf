package io.sluice.ingest;

import java.io.IOException;
import java.io.Reader;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * Where a Sluice Kafka client connects and how it authenticates: the bootstrap servers plus the security settings
 * (security.protocol, sasl.*, ssl.*). Every Sluice producer, consumer and admin client starts from
 * {@link #clientProperties()}, so the collector, the eBPF loader, the Flink jobs and the CLI share one rule.
 *
 * <p>The settings come from a Kafka client properties file ({@code --kafka-config}, a job's {@code kafka-config=},
 * or {@code SLUICE_KAFKA_CONFIG}) holding only security keys, then from the environment, which wins:
 * {@code SLUICE_KAFKA_USER} and {@code SLUICE_KAFKA_PASSWORD} (SCRAM; a Strimzi KafkaUser's Secret),
 * {@code SLUICE_KAFKA_SASL_MECHANISM} (default SCRAM-SHA-512), {@code SLUICE_KAFKA_CA_FILE} (a PEM CA bundle, such as
 * Strimzi's cluster CA {@code ca.crt}) and {@code SLUICE_KAFKA_SECURITY_PROTOCOL} (default SASL_SSL with a user,
 * SSL with only a CA, else PLAINTEXT). A password goes only to the Kafka client: {@link #toString()} names the user,
 * never the password.
 */
public final class KafkaConnection implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final Set<String> PROTOCOLS = Set.of("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL");
  private static final Set<String> SCRAM = Set.of("SCRAM-SHA-256", "SCRAM-SHA-512");

  private final String bootstrap;
  private final TreeMap<String, String> security;
  private final String user;

  private KafkaConnection(String bootstrap, TreeMap<String, String> security, String user) {
    this.bootstrap = bootstrap;
    this.security = security;
    this.user = user;
  }

  /** No authentication, no TLS: the local stack and tests. */
  public static KafkaConnection plaintext(String bootstrap) {
    return new KafkaConnection(bootstrap, new TreeMap<>(Map.of("security.protocol", "PLAINTEXT")), null);
  }

  /** The bootstrap servers with the settings of {@code SLUICE_KAFKA_CONFIG} and the environment. */
  public static KafkaConnection of(String bootstrap) {
    return of(bootstrap, null, System.getenv());
  }

  /** The bootstrap servers with the settings of {@code configFile} (when not null) and the environment. */
  public static KafkaConnection of(String bootstrap, Path configFile) {
    return of(bootstrap, configFile, System.getenv());
  }

  /** As {@link #of(String, Path)} with a given environment; throws {@link IllegalArgumentException} with one clear line. */
  public static KafkaConnection of(String bootstrap, Path configFile, Map<String, String> env) {
    if (bootstrap == null || bootstrap.isBlank()) {
      throw new IllegalArgumentException("no Kafka bootstrap servers given");
    }
    TreeMap<String, String> s = new TreeMap<>();
    Path file = configFile != null ? configFile : blankToNull(env.get("SLUICE_KAFKA_CONFIG")) == null ? null
        : Path.of(env.get("SLUICE_KAFKA_CONFIG"));
    if (file != null) {
      s.putAll(readFile(file));
    }
    String user = blankToNull(env.get("SLUICE_KAFKA_USER"));
    String password = env.get("SLUICE_KAFKA_PASSWORD");
    String ca = blankToNull(env.get("SLUICE_KAFKA_CA_FILE"));
    String protocol = blankToNull(env.get("SLUICE_KAFKA_SECURITY_PROTOCOL"));
    if (password != null && !password.isEmpty() && user == null) {
      throw new IllegalArgumentException("SLUICE_KAFKA_PASSWORD is set but SLUICE_KAFKA_USER is not");
    }
    if (user != null) {
      if (password == null || password.isEmpty()) {
        throw new IllegalArgumentException("SLUICE_KAFKA_USER is " + user + " but SLUICE_KAFKA_PASSWORD is empty");
      }
      String mechanism = env.getOrDefault("SLUICE_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512");
      if (!SCRAM.contains(mechanism)) {
        throw new IllegalArgumentException("SLUICE_KAFKA_SASL_MECHANISM must be SCRAM-SHA-256 or SCRAM-SHA-512, got "
            + mechanism);
      }
      s.put("sasl.mechanism", mechanism);
      s.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
          + jaasQuote(user) + "\" password=\"" + jaasQuote(password) + "\";");
    }
    if (ca != null) {
      if (!Files.isReadable(Path.of(ca))) {
        throw new IllegalArgumentException("SLUICE_KAFKA_CA_FILE " + ca + " is not a readable file");
      }
      s.put("ssl.truststore.type", "PEM");
      s.put("ssl.truststore.location", ca);
    }
    if (protocol != null) {
      s.put("security.protocol", protocol);
    } else if (!s.containsKey("security.protocol")) {
      boolean sasl = s.containsKey("sasl.jaas.config");
      boolean tls = s.containsKey("ssl.truststore.location") || s.containsKey("ssl.keystore.location");
      s.put("security.protocol", sasl ? "SASL_SSL" : tls ? "SSL" : "PLAINTEXT");
    }
    if (!PROTOCOLS.contains(s.get("security.protocol"))) {
      throw new IllegalArgumentException("security.protocol must be PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL, got "
          + s.get("security.protocol"));
    }
    if (s.get("security.protocol").startsWith("SASL_") && !s.containsKey("sasl.jaas.config")) {
      throw new IllegalArgumentException("security.protocol " + s.get("security.protocol")
          + " needs credentials: SLUICE_KAFKA_USER and SLUICE_KAFKA_PASSWORD, or sasl.jaas.config in the config file");
    }
    return new KafkaConnection(bootstrap, s, user != null ? user : jaasUser(s.get("sasl.jaas.config")));
  }

  private static Map<String, String> readFile(Path file) {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file)) {
      p.load(r);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the Kafka client config " + file + ": " + e.getMessage());
    }
    TreeMap<String, String> out = new TreeMap<>();
    for (String key : p.stringPropertyNames()) {
      if (!(key.equals("security.protocol") || key.startsWith("sasl.") || key.startsWith("ssl."))) {
        throw new IllegalArgumentException("the Kafka client config " + file + " may hold only security.protocol, sasl.*"
            + " and ssl.* settings, not " + key);
      }
      out.put(key, p.getProperty(key).trim());
    }
    return out;
  }

  public String bootstrap() {
    return bootstrap;
  }

  /** The security protocol: PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL. */
  public String protocol() {
    return security.get("security.protocol");
  }

  /** The bootstrap servers and security settings every Sluice client starts from; each adds its own tuning. */
  public Properties clientProperties() {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.putAll(security);
    return p;
  }

  /** As {@link #clientProperties()}, for the clients and connectors that take a map. */
  public Map<String, Object> clientMap() {
    Map<String, Object> m = new TreeMap<>();
    clientProperties().forEach((k, v) -> m.put((String) k, v));
    return m;
  }

  /**
   * What to add to "did not answer": a broker whose listener wants a login drops a PLAINTEXT client without a word,
   * so to that client it looks like a broker that is down.
   */
  public String silenceHint() {
    return protocol().equals("PLAINTEXT") ? " (if its listener requires authentication, give the security settings:"
        + " --kafka-config, or SLUICE_KAFKA_USER and SLUICE_KAFKA_PASSWORD)" : "";
  }

  /** The bootstrap servers, protocol and user: safe to print and log (no password, no JAAS text). */
  @Override
  public String toString() {
    return bootstrap + " (" + protocol() + (user == null ? "" : ", user " + user) + ")";
  }

  private static String jaasQuote(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  private static String jaasUser(String jaas) {
    if (jaas == null) {
      return null;
    }
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("username=\"([^\"]*)\"").matcher(jaas);
    return m.find() ? m.group(1) : "?";
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
