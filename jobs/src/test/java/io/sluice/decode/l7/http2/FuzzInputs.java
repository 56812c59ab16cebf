package io.sluice.decode.l7.http2;

/** Test helper: the hand-made connection of {@link Http2ConnectionTest}, for the fuzz test. */
public final class FuzzInputs {
  private FuzzInputs() {}

  public static byte[] client() {
    return Http2ConnectionTest.clientFrames(true).bytes();
  }

  public static byte[] server() {
    return Http2ConnectionTest.serverFrames().bytes();
  }
}
