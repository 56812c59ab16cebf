package io.sluice.store.rows;

import io.sluice.l7.L7Process;
import io.sluice.l7.TlsRow;
import io.sluice.store.sink.RowBinary;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** RowBinary of the {@code tls} table (sql/018_tls.sql, pod columns from 028_tls_pod.sql), in its column order, from {@link TlsRow#columns}. */
public final class TlsRowEncoder {
  public static final List<String> COLUMNS = Stream.concat(Stream.of(
      "time", "time_ns", "server_hello_ns", "node", "client_addr", "client_port", "server_addr", "server_port",
      "sni", "alpn_offered", "versions_offered", "cipher_suites", "ja3", "ja4", "client_hello_truncated", "version",
      "cipher_suite", "alpn", "resumed", "hello_retry", "handshake_ns", "alert_level", "alert_description",
      "alert_from_server", "status"), ProcessColumns.NAMES.stream()).toList();

  private TlsRowEncoder() {}

  public static void encode(TlsRow row, String node, L7Process process, RowBinary out) {
    Map<String, Object> c = row.columns(node);
    out.dateTime((Long) c.get("time")).uint64((Long) c.get("time_ns")).uint64((Long) c.get("server_hello_ns"))
        .string(node).fixed(row.clientAddr(), 16).uint16(row.clientPort()).fixed(row.serverAddr(), 16)
        .uint16(row.serverPort()).string((String) c.get("sni"));
    StringArrays.write(out, List.of((String[]) c.get("alpn_offered")));
    StringArrays.write(out, List.of((String[]) c.get("versions_offered")));
    int[] suites = (int[]) c.get("cipher_suites");
    out.raw(varint(suites.length));
    for (int s : suites) {
      out.uint16(s);
    }
    out.string((String) c.get("ja3")).string((String) c.get("ja4")).uint8((Integer) c.get("client_hello_truncated"))
        .string((String) c.get("version")).uint16((Integer) c.get("cipher_suite")).string((String) c.get("alpn"))
        .uint8((Integer) c.get("resumed")).uint8((Integer) c.get("hello_retry")).uint64((Long) c.get("handshake_ns"))
        .uint8((Integer) c.get("alert_level")).uint8((Integer) c.get("alert_description"))
        .uint8((Integer) c.get("alert_from_server")).string((String) c.get("status"));
    ProcessColumns.write(process, out);
  }

  private static byte[] varint(long n) {
    ByteArrayOutputStream b = new ByteArrayOutputStream(4);
    do {
      int v = (int) (n & 0x7F);
      n >>>= 7;
      b.write(n != 0 ? v | 0x80 : v);
    } while (n != 0);
    return b.toByteArray();
  }
}
