package io.sluice.store.schema;

import java.util.ArrayList;
import java.util.List;

/** Splits a SQL file into statements at semicolons outside quotes and comments. */
final class SqlStatements {
  private SqlStatements() {}

  /** A statement and the 1-based line of the file it starts on. */
  record Statement(String sql, int line) {}

  static List<Statement> split(String text) {
    List<Statement> statements = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    boolean hasCode = false;
    int line = 1;
    int startLine = 1;
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '-' && i + 1 < text.length() && text.charAt(i + 1) == '-') {
        int end = text.indexOf('\n', i);
        end = end < 0 ? text.length() : end;
        current.append(text, i, end);
        i = end;
        continue;
      }
      if (c == '/' && i + 1 < text.length() && text.charAt(i + 1) == '*') {
        int end = text.indexOf("*/", i + 2);
        end = end < 0 ? text.length() : end + 2;
        line += count(text, i, end);
        current.append(text, i, end);
        i = end;
        continue;
      }
      if (c == '\'' || c == '"' || c == '`') {
        int end = closingQuote(text, i);
        line += count(text, i, end);
        if (!hasCode) {
          startLine = line;
        }
        hasCode = true;
        current.append(text, i, end);
        i = end;
        continue;
      }
      if (c == ';') {
        if (hasCode) {
          statements.add(new Statement(current.toString().strip(), startLine));
        }
        current.setLength(0);
        hasCode = false;
        i++;
        continue;
      }
      if (c == '\n') {
        line++;
      } else if (!Character.isWhitespace(c) && !hasCode) {
        hasCode = true;
        startLine = line;
      }
      current.append(c);
      i++;
    }
    if (hasCode) {
      statements.add(new Statement(current.toString().strip(), startLine));
    }
    return statements;
  }

  private static int closingQuote(String text, int open) {
    char quote = text.charAt(open);
    int i = open + 1;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '\\') {
        i += 2;
        continue;
      }
      if (c == quote) {
        return i + 1;
      }
      i++;
    }
    return text.length();
  }

  private static int count(String text, int from, int to) {
    int n = 0;
    for (int i = from; i < to; i++) {
      if (text.charAt(i) == '\n') {
        n++;
      }
    }
    return n;
  }
}
