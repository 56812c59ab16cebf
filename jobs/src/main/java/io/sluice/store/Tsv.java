package io.sluice.store;

import java.util.ArrayList;
import java.util.List;

/** ClickHouse's TabSeparated escaping. */
final class Tsv {
  private Tsv() {}

  static List<String> split(String line) {
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '\t') {
        fields.add(field.toString());
        field.setLength(0);
      } else if (c == '\\' && i + 1 < line.length()) {
        char next = line.charAt(++i);
        switch (next) {
          case 't' -> field.append('\t');
          case 'n' -> field.append('\n');
          case 'r' -> field.append('\r');
          case '0' -> field.append('\0');
          case 'b' -> field.append('\b');
          case 'f' -> field.append('\f');
          default -> field.append(next);
        }
      } else {
        field.append(c);
      }
    }
    fields.add(field.toString());
    return fields;
  }
}
