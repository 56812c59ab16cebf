package io.sluice.cli;

import java.io.PrintWriter;
import java.util.List;

/**
 * The CLI's one table printer: left-aligned columns two spaces apart, every cell (header too) made safe by
 * {@link Printable#text}. {@link #print} puts a rule under the header; {@link #printCompact} has no rule and cuts
 * long cells (for wide rows such as {@code sluice l7}'s).
 */
public final class TablePrinter {
  private TablePrinter() {}

  /** The header, a rule of dashes, then the rows. */
  public static void print(PrintWriter out, List<String> header, List<List<String>> rows) {
    print(out, header, rows, true, Integer.MAX_VALUE);
  }

  /** The header, then the rows; a cell longer than {@code maxCell} characters (once escaped) ends in "…". */
  public static void printCompact(PrintWriter out, List<String> header, List<List<String>> rows, int maxCell) {
    print(out, header, rows, false, maxCell);
  }

  private static void print(PrintWriter out, List<String> header, List<List<String>> rows, boolean rule, int maxCell) {
    int[] widths = new int[header.size()];
    for (int i = 0; i < header.size(); i++) {
      widths[i] = cell(header.get(i), maxCell).length();
    }
    for (List<String> row : rows) {
      for (int i = 0; i < row.size() && i < widths.length; i++) {
        widths[i] = Math.max(widths[i], cell(row.get(i), maxCell).length());
      }
    }
    line(out, header, widths, maxCell);
    if (rule) {
      StringBuilder dashes = new StringBuilder();
      for (int w : widths) {
        dashes.append("-".repeat(w)).append("  ");
      }
      out.println(dashes.toString().stripTrailing());
    }
    for (List<String> row : rows) {
      line(out, row, widths, maxCell);
    }
    out.flush();
  }

  private static void line(PrintWriter out, List<String> cells, int[] widths, int maxCell) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < widths.length; i++) {
      String cell = i < cells.size() ? cell(cells.get(i), maxCell) : "";
      text.append(cell).append(" ".repeat(widths[i] - cell.length())).append("  ");
    }
    out.println(text.toString().stripTrailing());
  }

  private static String cell(String raw, int maxCell) {
    String text = Printable.text(raw);
    return text.length() > maxCell ? text.substring(0, maxCell - 1) + "…" : text;
  }
}
