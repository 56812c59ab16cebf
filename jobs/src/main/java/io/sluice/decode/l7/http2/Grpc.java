package io.sluice.decode.l7.http2;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** gRPC over HTTP/2: names from :path, grpc-timeout, grpc-message's percent-encoding. */
public final class Grpc {
  private Grpc() {}

  public static boolean isGrpcContentType(String contentType) {
    return contentType != null && contentType.startsWith("application/grpc");
  }

  /** "/pkg.Service/Method" → "pkg.Service"; "" when the path is not of that form. */
  public static String service(String path) {
    int slash = path == null || path.length() < 4 || path.charAt(0) != '/' ? -1 : path.indexOf('/', 1);
    return slash > 1 && slash < path.length() - 1 ? path.substring(1, slash) : "";
  }

  /** "/pkg.Service/Method" → "Method"; "" when the path is not of that form. */
  public static String method(String path) {
    int slash = path == null || path.length() < 4 || path.charAt(0) != '/' ? -1 : path.indexOf('/', 1);
    return slash > 1 && slash < path.length() - 1 ? path.substring(slash + 1) : "";
  }

  /** grpc-timeout ("1S", "250m", up to 8 digits and a unit of H M S m u n) in ns; 0 when absent or malformed. */
  public static long timeoutNs(String v) {
    if (v == null || v.length() < 2 || v.length() > 9) {
      return 0;
    }
    long n = 0;
    for (int i = 0; i < v.length() - 1; i++) {
      char c = v.charAt(i);
      if (c < '0' || c > '9') {
        return 0;
      }
      n = n * 10 + (c - '0');
    }
    return switch (v.charAt(v.length() - 1)) {
      case 'H' -> n * 3_600_000_000_000L;
      case 'M' -> n * 60_000_000_000L;
      case 'S' -> n * 1_000_000_000L;
      case 'm' -> n * 1_000_000L;
      case 'u' -> n * 1_000L;
      case 'n' -> n;
      default -> 0;
    };
  }

  /** grpc-message is percent-encoded UTF-8; a malformed escape is kept as it is. */
  public static String decodeMessage(String v) {
    if (v == null || v.indexOf('%') < 0) {
      return v == null ? "" : v;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(v.length());
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c == '%' && i + 2 < v.length() + 0 && hex(v.charAt(i + 1)) >= 0 && hex(v.charAt(i + 2)) >= 0) {
        out.write(hex(v.charAt(i + 1)) * 16 + hex(v.charAt(i + 2)));
        i += 2;
      } else {
        out.write(c & 0xff);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static int hex(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }
}
