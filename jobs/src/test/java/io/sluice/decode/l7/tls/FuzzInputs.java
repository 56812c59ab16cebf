package io.sluice.decode.l7.tls;

/** Test helper: a ClientHello and a TLS 1.2 ServerHello, CCS and an alert as records, for the fuzz test. */
public final class FuzzInputs {
  private FuzzInputs() {}

  public static byte[] client() {
    return Hello.records(22, Hello.message(1, TlsParserTest.chromeLikeHello("fuzz.example")), 120);
  }

  public static byte[] server() {
    java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
    b.writeBytes(Hello.records(22, Hello.message(2, Hello.serverHelloBody(new byte[32], new byte[0], 0xc02f,
        Hello.alpn("h2"))), 40));
    b.writeBytes(Hello.records(20, new byte[] {1}, 10));
    b.writeBytes(Hello.records(21, new byte[] {2, 40}, 10));
    return b.toByteArray();
  }
}
