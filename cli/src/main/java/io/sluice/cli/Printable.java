package io.sluice.cli;

/**
 * Text from packets and databases made safe for a terminal: every human-readable output (the {@code sluice l7} and
 * {@code sluice query} tables, the {@code sluice decode} table) passes its cells through {@link #text}. Control
 * characters would otherwise reach the terminal as they are: colour codes, cursor moves, a window title set from an
 * HTTP Host header. JSON output needs none of this: its encoder escapes them.
 */
public final class Printable {
  private Printable() {}

  /**
   * {@code s} with C0 controls, DEL, C1 controls and the bidirectional overrides written as escapes ({@code \n},
   * {@code \t}, {@code \r}, {@code \x1b}, {@code \u202e}); a backslash is doubled so that an escape in the output
   * always means a control character in the data.
   */
  public static String text(String s) {
    if (s == null) {
      return "null";
    }
    int i = 0;
    while (i < s.length() && !needsEscape(s.charAt(i))) {
      i++;
    }
    if (i == s.length()) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length() + 16).append(s, 0, i);
    for (; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!needsEscape(c)) {
        b.append(c);
      } else if (c == '\\') {
        b.append("\\\\");
      } else if (c == '\n') {
        b.append("\\n");
      } else if (c == '\t') {
        b.append("\\t");
      } else if (c == '\r') {
        b.append("\\r");
      } else if (c <= 0xFF) {
        b.append(String.format("\\x%02x", (int) c));
      } else {
        b.append(String.format("\\u%04x", (int) c));
      }
    }
    return b.toString();
  }

  private static boolean needsEscape(char c) {
    return c < 0x20 || c == '\\' || (c >= 0x7F && c <= 0x9F) || (c >= 0x202A && c <= 0x202E)
        || (c >= 0x2066 && c <= 0x2069);
  }
}
