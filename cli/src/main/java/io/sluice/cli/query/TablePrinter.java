package io.sluice.cli.query;

import io.sluice.cli.Printable;
import java.io.PrintWriter;
import java.util.List;

/** Prints rows as a left-aligned table with a header rule. */
public final class TablePrinter {
  private TablePrinter() {}

  public static void print(PrintWriter out, List<String> header, List<List<String>> rows) {
    int[] widths = new int[header.size()];
    for (int i = 0; i < header.size(); i++) {
      widths[i] = printable(header.get(i)).length();
    }
    for (List<String> row : rows) {
      for (int i = 0; i < row.size() && i < widths.length; i++) {
        widths[i] = Math.max(widths[i], printable(row.get(i)).length());
      }
    }
    line(out, header, widths);
    StringBuilder rule = new StringBuilder();
    for (int w : widths) {
      rule.append("-".repeat(w)).append("  ");
    }
    out.println(rule.toString().stripTrailing());
    for (List<String> row : rows) {
      line(out, row, widths);
    }
    out.flush();
  }

  private static void line(PrintWriter out, List<String> cells, int[] widths) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < widths.length; i++) {
      String cell = i < cells.size() ? printable(cells.get(i)) : "";
      text.append(cell).append(" ".repeat(widths[i] - cell.length())).append("  ");
    }
    out.println(text.toString().stripTrailing());
  }

  private static String printable(String cell) {
    return Printable.text(cell);
  }
}
