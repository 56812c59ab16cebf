package io.sluice.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaConnectionTest {
  @TempDir Path tmp;

  @Test
  void nothingConfiguredIsPlaintext() {
    KafkaConnection c = KafkaConnection.of("k:9092", null, Map.of());
    assertEquals("PLAINTEXT", c.protocol());
    assertEquals(Map.of("bootstrap.servers", "k:9092", "security.protocol", "PLAINTEXT"), c.clientMap());
  }

  @Test
  void aUserAndCaFromTheEnvironmentAreScramOverTls() throws Exception {
    Path ca = Files.writeString(tmp.resolve("ca.crt"), "-----BEGIN CERTIFICATE-----\n");
    KafkaConnection c = KafkaConnection.of("k:9093", null, Map.of("SLUICE_KAFKA_USER", "sluice-collector",
        "SLUICE_KAFKA_PASSWORD", "s3cr\"et\\", "SLUICE_KAFKA_CA_FILE", ca.toString()));
    Properties p = c.clientProperties();
    assertEquals("SASL_SSL", p.get("security.protocol"));
    assertEquals("SCRAM-SHA-512", p.get("sasl.mechanism"));
    assertEquals("PEM", p.get("ssl.truststore.type"));
    assertEquals(ca.toString(), p.get("ssl.truststore.location"));
    assertEquals("org.apache.kafka.common.security.scram.ScramLoginModule required username=\"sluice-collector\""
        + " password=\"s3cr\\\"et\\\\\";", p.get("sasl.jaas.config"), "quotes and backslashes escaped for JAAS");
    assertEquals("k:9093 (SASL_SSL, user sluice-collector)", c.toString());
  }

  @Test
  void thePasswordIsNeverInItsTextNorInAFileUsersText() throws Exception {
    KafkaConnection env = KafkaConnection.of("k:9093", null, Map.of("SLUICE_KAFKA_USER", "u", "SLUICE_KAFKA_PASSWORD",
        "hunter2"));
    assertFalse(env.toString().contains("hunter2"), env.toString());
    Path file = Files.writeString(tmp.resolve("client.properties"), "security.protocol=SASL_PLAINTEXT\n"
        + "sasl.mechanism=SCRAM-SHA-256\nsasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule"
        + " required username=\"job\" password=\"hunter3\";\n");
    KafkaConnection fromFile = KafkaConnection.of("k:9093", file, Map.of());
    assertEquals("k:9093 (SASL_PLAINTEXT, user job)", fromFile.toString());
    assertEquals("SCRAM-SHA-256", fromFile.clientProperties().get("sasl.mechanism"));
    new ObjectOutputStream(new ByteArrayOutputStream()).writeObject(fromFile); // shipped inside Flink operators
  }

  @Test
  void theEnvironmentWinsOverTheFileAndSluiceKafkaConfigNamesIt() throws Exception {
    Path file = Files.writeString(tmp.resolve("c.properties"), "security.protocol=SASL_PLAINTEXT\n");
    KafkaConnection c = KafkaConnection.of("k:9093", null, Map.of("SLUICE_KAFKA_CONFIG", file.toString(),
        "SLUICE_KAFKA_USER", "u", "SLUICE_KAFKA_PASSWORD", "p"));
    assertEquals("SASL_PLAINTEXT", c.protocol(), "the file's protocol");
    assertTrue(c.clientProperties().getProperty("sasl.jaas.config").contains("username=\"u\""));
  }

  @Test
  void badSettingsAreOneClearLine() throws Exception {
    Path tuning = Files.writeString(tmp.resolve("t.properties"), "bootstrap.servers=elsewhere:9092\n");
    assertEquals("the Kafka client config " + tuning + " may hold only security.protocol, sasl.* and ssl.* settings,"
        + " not bootstrap.servers", message(() -> KafkaConnection.of("k:9092", tuning, Map.of())));
    assertTrue(message(() -> KafkaConnection.of("k:9092", tmp.resolve("missing"), Map.of()))
        .startsWith("cannot read the Kafka client config " + tmp.resolve("missing")));
    assertEquals("SLUICE_KAFKA_PASSWORD is set but SLUICE_KAFKA_USER is not",
        message(() -> KafkaConnection.of("k:9092", null, Map.of("SLUICE_KAFKA_PASSWORD", "p"))));
    assertEquals("SLUICE_KAFKA_USER is u but SLUICE_KAFKA_PASSWORD is empty",
        message(() -> KafkaConnection.of("k:9092", null, Map.of("SLUICE_KAFKA_USER", "u"))));
    assertEquals("security.protocol SASL_SSL needs credentials: SLUICE_KAFKA_USER and SLUICE_KAFKA_PASSWORD, or"
        + " sasl.jaas.config in the config file",
        message(() -> KafkaConnection.of("k:9092", null, Map.of("SLUICE_KAFKA_SECURITY_PROTOCOL", "SASL_SSL"))));
    assertEquals("security.protocol must be PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL, got TLS",
        message(() -> KafkaConnection.of("k:9092", null, Map.of("SLUICE_KAFKA_SECURITY_PROTOCOL", "TLS"))));
    assertEquals("SLUICE_KAFKA_CA_FILE /nonexistent/ca.crt is not a readable file",
        message(() -> KafkaConnection.of("k:9092", null, Map.of("SLUICE_KAFKA_CA_FILE", "/nonexistent/ca.crt"))));
  }

  @Test
  void onlyPlaintextHintsThatTheBrokerMayWantALogin() {
    assertTrue(KafkaConnection.plaintext("k:9092").silenceHint().contains("SLUICE_KAFKA_USER"));
    assertEquals("", KafkaConnection.of("k:9093", null, Map.of("SLUICE_KAFKA_USER", "u", "SLUICE_KAFKA_PASSWORD", "p"))
        .silenceHint());
  }

  private static String message(Runnable r) {
    return assertThrows(IllegalArgumentException.class, r::run).getMessage();
  }
}
