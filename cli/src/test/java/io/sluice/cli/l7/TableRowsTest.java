package io.sluice.cli.l7;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.l7.DnsRow;
import io.sluice.l7.HttpRow;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 21: `sluice l7` printed escape sequences taken from an HTTP Host and path. Issue 23: the tables go through
 * the CLI's one TablePrinter; their layout (title, no rule, cells cut at 48 characters after escaping) is pinned.
 */
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

  @Test
  void layoutIsTitledAlignedAndCutAtFortyEightCharacters() {
    StringWriter text = new StringWriter();
    TableRows rows = new TableRows(new PrintWriter(text), "node");
    byte[] v4 = new byte[16];
    v4[10] = (byte) 0xff;
    v4[11] = (byte) 0xff;
    v4[12] = 10;
    v4[15] = 7;
    byte[] v6 = new byte[16];
    v6[0] = 0x20;
    v6[1] = 0x01;
    v6[2] = 0x0d;
    v6[3] = (byte) 0xb8;
    v6[15] = 1;
    rows.http(new HttpRow(1_700_000_000_000_000_000L, v4, 40000, v6, 80, "GET", "h\u001b[31m.example",
        "/" + "a".repeat(60) + "\\x", "HTTP/1.1", 200, 0, 0, "", "", 0, 12345, "ok", false));
    rows.http(new HttpRow(1_700_000_000_100_000_000L, v6, 1, v4, 8080, "POST", "b", "/" + "a".repeat(44) + "\u001b",
        "HTTP/1.1", 404, 0, 0, "", "", 0, 7, "answered", false));
    rows.dns(new DnsRow(1_700_000_000_000_000_000L, v4, 5353, v4, 53, "udp", 42, "example.org", 1, 1, 0, 0, 0, 0,
        1, 0, 0, List.of("example.org A 10.0.0.7"), false, 0, 0, false, 0, 0, 0, new byte[16], false, 30, 46,
        1_700_000_000_001_000_000L, 1_000_000, "answered", false));
    rows.finish();
    assertEquals(
        "dns (1 rows)\n"
        + "time_ns              client_addr  client_port  server_addr  server_port  transport  id  qname        qtype  rcode  answer_count  latency_ns  status\n"
        + "1700000000000000000  10.0.0.7     5353         10.0.0.7     53           udp        42  example.org  1      0      1             1000000     answered\n"
        + "\n"
        + "http (2 rows)\n"
        + "time_ns              client_addr  client_port  server_addr  server_port  method  host               path                                              status_code  response_body_size  latency_ns  status\n"
        + "1700000000000000000  10.0.0.7     40000        2001:db8::1  80           GET     h\\x1b[31m.example  /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\u2026  200          0                   12345       ok\n"
        + "1700000000100000000  2001:db8::1  1            10.0.0.7     8080         POST    b                  /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\\x\u2026  404          0                   7           answered\n"
        + "\n"
        , text.toString().replace(System.lineSeparator(), "\n"));
  }
}
