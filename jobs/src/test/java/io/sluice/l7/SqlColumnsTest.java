package io.sluice.l7;

import io.sluice.decode.l7.http2.Http2StreamRow;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import io.sluice.decode.l7.tls.TlsHandshakeRow;
import io.sluice.store.rows.DnsRowEncoder;
import io.sluice.store.rows.TlsRowEncoder;
import io.sluice.store.rows.HttpRowEncoder;
import org.junit.jupiter.api.Test;

/** The rows' column names are the ClickHouse tables' columns, in order, after every migration. */
class SqlColumnsTest {
  private static final Pattern COLUMN = Pattern.compile("^\\s{4}([a-z_][a-z_0-9]*)\\s+\\S", Pattern.MULTILINE);
  private static final Pattern ALTER = Pattern.compile("^ALTER TABLE ([a-z_]+)\\s+([^;]*);", Pattern.MULTILINE);
  private static final Pattern ADD_COLUMN = Pattern.compile("ADD COLUMN ([a-z_][a-z_0-9]*) [^\\n]*? AFTER ([a-z_][a-z_0-9]*)");

  @Test
  void dnsRowMatchesTheDnsTable() throws IOException {
    DnsRow row = new DnsRow(0, new byte[16], 0, new byte[16], 0, "udp", 0, ".", 0, 0, 0, 0, 0, 0, 0, 0, 0, List.of(),
        false, 0, 0, false, 0, 0, 0, new byte[16], false, 0, 0, 0, 0, RowStatus.TIMEOUT, false);
    assertEquals(sorted(columns("010_dns.sql", "dns")), sorted(new ArrayList<>(row.columns("n").keySet())));
    assertEquals(columns("010_dns.sql", "dns"), DnsRowEncoder.COLUMNS, "the encoder writes the table's columns in order");
  }

  @Test
  void httpRowMatchesTheHttpTable() throws IOException {
    HttpRow row = new HttpRow(0, new byte[16], 0, new byte[16], 0, "", "", "", "", 0, 0, 0, "", "", 0, 0, RowStatus.TIMEOUT, false);
    assertEquals(sorted(columns("011_http.sql", "http")), sorted(new ArrayList<>(row.columns("n").keySet())));
    assertEquals(columns("011_http.sql", "http"), HttpRowEncoder.COLUMNS, "the encoder writes the table's columns in order");
  }

  @Test
  void tlsRowMatchesTheTlsTable() throws IOException {
    TlsRow row = new TlsRow(new byte[16], 0, new byte[16], 0, new TlsHandshakeRow(0, 0, null, null, false, false, 0,
        0, false, TlsHandshakeRow.STATUS_NO_SERVER_HELLO));
    assertEquals(sorted(columns("018_tls.sql", "tls")), sorted(new ArrayList<>(row.columns("n").keySet())));
    assertEquals(columns("018_tls.sql", "tls"), TlsRowEncoder.COLUMNS, "the encoder writes the table's columns in order");
  }

  /** One concept, one name: each field of a row is its column, snake_cased (ednsDnssecOk was edns_do). */
  @Test
  void rowFieldsAreNamedAsTheirColumns() throws IOException {
    assertEquals(List.of(), unnamed(DnsRow.class, columns("010_dns.sql", "dns")));
    assertEquals(List.of(), unnamed(HttpRow.class, columns("011_http.sql", "http")));
  }

  /** A component that is itself a record (HttpRow's HTTP/2 columns) is a group: its own components are columns. */
  private static List<String> unnamed(Class<?> row, List<String> columns) {
    List<String> out = new ArrayList<>();
    for (RecordComponent c : row.getRecordComponents()) {
      if (c.getType().isRecord()) {
        out.addAll(unnamed(c.getType(), columns));
        continue;
      }
      if (c.getDeclaringRecord() == Http2StreamRow.class && c.getName().equals("requestNs")) {
        continue; // not a column of its own: time_ns is requestNs, else responseTimeNs for an unsolicited response
      }
      String column = c.getName().replaceAll("([A-Z])", "_$1").toLowerCase(java.util.Locale.ROOT);
      if (!columns.contains(column)) {
        out.add(row.getSimpleName() + "." + c.getName());
      }
    }
    return out;
  }

  @Test
  void http2RowMatchesTheHttpTable() throws IOException {
    Http2Row row = new Http2Row(new byte[16], 0, new byte[16], 0, new io.sluice.decode.l7.http2.Http2StreamRow(1, "GET",
        "http", "a", "/", 200, "", "", 0, 0, 1, 2, 3, "answered", 0, false, false, true, "s", "m", 0, "", 1, 1, 0));
    assertEquals(sorted(columns("011_http.sql", "http")), sorted(new ArrayList<>(row.columns("n").keySet())));
    assertEquals(Http2Columns.HTTP1, new HttpRow(0, new byte[16], 0, new byte[16], 0, "", "", "", "", 0, 0, 0, "", "",
        0, 0, RowStatus.TIMEOUT, false).http2(), "an HTTP/1.x row has the HTTP/2 columns' defaults");
  }

  private static List<String> sorted(List<String> names) {
    names.sort(null);
    return names;
  }

  /** The columns {@code file} creates, with what later migrations add to {@code table} (ADD COLUMN … AFTER). */
  private static List<String> columns(String file, String table) throws IOException {
    Path sqlDir = null;
    for (Path dir = Path.of("").toAbsolutePath(); dir != null && sqlDir == null; dir = dir.getParent()) {
      if (Files.exists(dir.resolve("sql").resolve(file))) {
        sqlDir = dir.resolve("sql");
      }
    }
    String text = Files.readString(sqlDir.resolve(file));
    String body = text.substring(text.indexOf('('), text.indexOf("ENGINE"));
    List<String> names = new ArrayList<>();
    Matcher m = COLUMN.matcher(body);
    while (m.find()) {
      if (!m.group(1).equals("ingest_batch")) { // the sink's own column
        names.add(m.group(1));
      }
    }
    try (var files = Files.list(sqlDir)) {
      for (Path later : files.filter(f -> f.getFileName().toString().compareTo(file) > 0).sorted().toList()) {
        Matcher alter = ALTER.matcher(Files.readString(later));
        while (alter.find()) {
          Matcher add = ADD_COLUMN.matcher(alter.group(2));
          while (alter.group(1).equals(table) && add.find()) {
            names.add(names.indexOf(add.group(2)) + 1, add.group(1));
          }
        }
      }
    }
    return names;
  }
}
