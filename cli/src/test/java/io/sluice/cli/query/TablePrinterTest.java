package io.sluice.cli.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 21: `sluice query` escaped only \n and \t; a stored Host header could drive the terminal. */
class TablePrinterTest {
  @Test
  void controlCharactersInCellsAreEscaped() {
    StringWriter text = new StringWriter();
    TablePrinter.print(new PrintWriter(text), List.of("host"), List.of(List.of("\u001b]0;pwned\u0007evil\u001b[2J")));
    String out = text.toString();
    assertFalse(out.chars().anyMatch(c -> c < 0x20 && c != '\n'), out);
    assertEquals("\\x1b]0;pwned\\x07evil\\x1b[2J", out.split("\n")[2]);
  }
}
