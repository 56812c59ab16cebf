package io.sluice.join;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import io.sluice.store.rows.DnsRowEncoder;
import io.sluice.store.rows.HttpRowEncoder;
import org.junit.jupiter.api.Test;

/** The rows' column names are the ClickHouse tables' columns, in order. */
class SqlColumnsTest {
  private static final Pattern COLUMN = Pattern.compile("^\\s{4}([a-z_]+)\\s+\\S", Pattern.MULTILINE);

  @Test
  void dnsRowMatchesTheDnsTable() throws IOException {
    DnsRow row = new DnsRow(0, new byte[16], 0, new byte[16], 0, "udp", 0, ".", 0, 0, 0, 0, 0, 0, 0, 0, 0, List.of(),
        false, 0, 0, false, 0, 0, 0, new byte[16], false, 0, 0, 0, 0, RowStatus.TIMEOUT);
    assertEquals(sorted(columns("010_dns.sql")), sorted(new ArrayList<>(row.columns("n").keySet())));
    assertEquals(columns("010_dns.sql"), DnsRowEncoder.COLUMNS, "the encoder writes the table's columns in order");
  }

  @Test
  void httpRowMatchesTheHttpTable() throws IOException {
    HttpRow row = new HttpRow(0, new byte[16], 0, new byte[16], 0, "", "", "", "", 0, 0, 0, "", "", 0, 0, RowStatus.TIMEOUT);
    assertEquals(sorted(columns("011_http.sql")), sorted(new ArrayList<>(row.columns("n").keySet())));
    assertEquals(columns("011_http.sql"), HttpRowEncoder.COLUMNS, "the encoder writes the table's columns in order");
  }

  private static List<String> sorted(List<String> names) {
    names.sort(null);
    return names;
  }

  private static List<String> columns(String file) throws IOException {
    Path sql = null;
    for (Path dir = Path.of("").toAbsolutePath(); dir != null && sql == null; dir = dir.getParent()) {
      if (Files.exists(dir.resolve("sql").resolve(file))) {
        sql = dir.resolve("sql").resolve(file);
      }
    }
    String text = Files.readString(sql);
    String body = text.substring(text.indexOf('('), text.indexOf("ENGINE"));
    List<String> names = new ArrayList<>();
    Matcher m = COLUMN.matcher(body);
    while (m.find()) {
      if (!m.group(1).equals("ingest_batch")) { // the sink's own column
        names.add(m.group(1));
      }
    }
    return names;
  }
}
