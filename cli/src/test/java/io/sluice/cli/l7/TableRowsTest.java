package io.sluice.cli.l7;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.l7.HttpRow;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** Issue 21: `sluice l7` printed escape sequences taken from an HTTP Host and path. */
class TableRowsTest {
  @Test
  void escapeSequencesFromPacketsAreEscaped() {
    StringWriter text = new StringWriter();
    TableRows rows = new TableRows(new PrintWriter(text), "node");
    byte[] addr = new byte[16];
    rows.http(new HttpRow(1_700_000_000_000_000_000L, addr, 40000, addr, 80, "GET", "\u001b[31mevil.example",
        "/\u001b]0;title\u0007", "HTTP/1.1", 200, 0, 0, "", "", 0, 0, "ok", false));
    rows.finish();
    String out = text.toString();
    assertFalse(out.chars().anyMatch(c -> c < 0x20 && c != '\n'), out);
    assertTrue(out.contains("\\x1b[31mevil.example"), out);
    assertTrue(out.contains("/\\x1b]0;title\\x07"), out);
  }
}
