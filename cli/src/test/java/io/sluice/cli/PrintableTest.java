package io.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class PrintableTest {
  @Test
  void plainTextIsUnchanged() {
    String s = "example.com/index.html?q=é";
    assertSame(s, Printable.text(s));
  }

  @Test
  void controlCharactersBecomeEscapes() {
    assertEquals("\\x1b[31mred\\x1b]0;title\\x07", Printable.text("\u001b[31mred\u001b]0;title\u0007"));
    assertEquals("a\\nb\\tc\\rd\\x00\\x7f\\x9b", Printable.text("a\nb\tc\rd\u0000\u007f\u009b"));
    assertEquals("\\u202egnp.exe", Printable.text("\u202egnp.exe"));
    assertEquals("C:\\\\x1b", Printable.text("C:\\x1b"), "a literal backslash is doubled, so escapes are unambiguous");
  }
}
