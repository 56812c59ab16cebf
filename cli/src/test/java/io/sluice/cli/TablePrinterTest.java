package io.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 21: `sluice query` escaped only \n and \t; a stored Host header could drive the terminal. The layout is pinned. */
class TablePrinterTest {
  @Test
  void controlCharactersInCellsAreEscaped() {
    StringWriter text = new StringWriter();
    TablePrinter.print(new PrintWriter(text), List.of("host"), List.of(List.of("\u001b]0;pwned\u0007evil\u001b[2J")));
    String out = text.toString();
    assertFalse(out.chars().anyMatch(c -> c < 0x20 && c != '\n'), out);
    assertEquals("\\x1b]0;pwned\\x07evil\\x1b[2J", out.split("\n")[2]);
  }

  @Test
  void headerRuleAndRowsAreLeftAlignedTwoSpacesApart() {
    StringWriter text = new StringWriter();
    TablePrinter.print(new PrintWriter(text), List.of("prefix", "name", "x"), List.of(
        List.of("192.0.2.0/24", "edge\tone", "1"), List.of("2001:db8::/32", "b"), List.of("a", "b", "c", "extra")));
    assertEquals("prefix         name       x\n"
        + "-------------  ---------  -\n"
        + "192.0.2.0/24   edge\\tone  1\n"
        + "2001:db8::/32  b\n"
        + "a              b          c\n", text.toString().replace(System.lineSeparator(), "\n"));
  }
}
