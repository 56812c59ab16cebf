package io.sluice.cli.l7;

import io.sluice.cli.TablePrinter;
import io.sluice.l7.DnsRow;
import io.sluice.l7.Http2Row;
import io.sluice.l7.HttpRow;
import io.sluice.l7.TlsRow;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Rows as aligned tables (dns, http, HTTP/2 streams, tls) of the most telling columns, printed by {@link TablePrinter};
 * --json has them all.
 */
final class TableRows implements L7Command.RowPrinter {
  private static final List<String> DNS_COLUMNS = List.of("time_ns", "client_addr", "client_port", "server_addr",
      "server_port", "transport", "id", "qname", "qtype", "rcode", "answer_count", "latency_ns", "status");
  private static final List<String> HTTP_COLUMNS = List.of("time_ns", "client_addr", "client_port", "server_addr",
      "server_port", "method", "host", "path", "status_code", "response_body_size", "latency_ns", "status");
  private static final List<String> HTTP2_COLUMNS = List.of("time_ns", "client_addr", "client_port", "server_addr",
      "server_port", "stream_id", "method", "host", "path", "status_code", "grpc_status", "grpc_message", "latency_ns",
      "incomplete", "status");
  private static final List<String> TLS_COLUMNS = List.of("time_ns", "client_addr", "client_port", "server_addr",
      "server_port", "sni", "version", "cipher_suite", "alpn", "ja4", "handshake_ns", "status");
  private static final int MAX_CELL = 48;

  private final PrintWriter out;
  private final String node;
  private final List<List<String>> dns = new ArrayList<>();
  private final List<List<String>> http = new ArrayList<>();
  private final List<List<String>> http2 = new ArrayList<>();
  private final List<List<String>> tls = new ArrayList<>();

  TableRows(PrintWriter out, String node) {
    this.out = out;
    this.node = node;
  }

  @Override
  public void dns(DnsRow row) {
    dns.add(cells(row.columns(node), DNS_COLUMNS));
  }

  @Override
  public void http(HttpRow row) {
    http.add(cells(row.columns(node), HTTP_COLUMNS));
  }

  @Override
  public void http2(Http2Row row) {
    http2.add(cells(row.columns(node), HTTP2_COLUMNS));
  }

  @Override
  public void tls(TlsRow row) {
    tls.add(cells(row.columns(node), TLS_COLUMNS));
  }

  @Override
  public void finish() {
    print("dns", DNS_COLUMNS, dns);
    print("http", HTTP_COLUMNS, http);
    print("http (HTTP/2)", HTTP2_COLUMNS, http2);
    print("tls", TLS_COLUMNS, tls);
  }

  private static List<String> cells(Map<String, Object> columns, List<String> names) {
    List<String> cells = new ArrayList<>(names.size());
    for (String n : names) {
      cells.add(String.valueOf(columns.get(n)));
    }
    return cells;
  }

  private void print(String title, List<String> header, List<List<String>> rows) {
    if (rows.isEmpty()) {
      return;
    }
    out.println(title + " (" + rows.size() + " rows)");
    TablePrinter.printCompact(out, header, rows, MAX_CELL);
    out.println();
  }
}
