package io.sluice.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A panel's SQL as the ClickHouse data source sends it to the server, in the same three steps:
 * <ol>
 *   <li>{@code $__conditionalAll(cond, $var)}: the frontend's {@code Datasource.applyConditionalAll}
 *       (src/data/CHDatasource.ts): "1=1" when the variable is All or empty, else the condition;</li>
 *   <li>template variables: Grafana's {@code TemplateSrv.replace} with the plugin's {@code format} callback
 *       (CHDatasource.ts): a multi-value becomes {@code 'a','b'}, a single value goes in as it is;</li>
 *   <li>backend macros: grafana-plugin-sdk-go {@code sqlutil.Interpolate} / {@code getMacroMatches}
 *       (data/sqlutil/macros.go) calling the plugin's pkg/macros/macros.go functions.</li>
 * </ol>
 * Only the macros whose expansion runs on ClickHouse 18.16 are supported ($__timeInterval expands to
 * toStartOfInterval, which 18.16 lacks); any other {@code $__name} is an error.
 */
final class GrafanaQuery {
  /**
   * A variable's current value: All (all options), the selection of a multi-value variable (an array in Grafana,
   * even with one value selected), or the one value of a single-value variable.
   */
  record Value(boolean all, boolean array, List<String> values) {
    static Value all(List<String> options) {
      return new Value(true, true, options);
    }

    static Value of(String... values) {
      return new Value(false, true, List.of(values));
    }

    static Value single(String value) {
      return new Value(false, false, List.of(value));
    }
  }

  /** The time range (epoch seconds) and the interval Grafana computes for it. */
  record Range(long fromSeconds, long toSeconds, int maxDataPoints) {
    /** rangeutil.calculateInterval + roundInterval (@grafana/data), in ms, with the default 1 ms low limit. */
    long intervalMs() {
      return roundInterval((toSeconds - fromSeconds) * 1000.0 / maxDataPoints);
    }
  }

  private static final long[][] ROUND = {{10, 1}, {15, 10}, {35, 20}, {75, 50}, {150, 100}, {350, 200}, {750, 500},
      {1500, 1000}, {3500, 2000}, {7500, 5000}, {12500, 10000}, {17500, 15000}, {25000, 20000}, {45000, 30000},
      {90000, 60000}, {210000, 120000}, {450000, 300000}, {750000, 600000}, {1050000, 900000}, {1500000, 1200000},
      {2700000, 1800000}, {5400000, 3600000}, {9000000, 7200000}, {16200000, 10800000}, {32400000, 21600000},
      {86400000, 43200000}, {604800000, 86400000}, {1814400000, 604800000}, {3628800000L, 2592000000L}};

  static long roundInterval(double ms) {
    for (long[] step : ROUND) {
      if (ms < step[0]) {
        return step[1];
      }
    }
    return 31536000000L;
  }

  // TemplateSrv's variable syntax: $name, [[name:fmt]], ${name:fmt}
  private static final Pattern VARIABLE =
      Pattern.compile("\\$(\\w+)|\\[\\[(\\w+?)(?::(\\w+))?\\]\\]|\\$\\{(\\w+)(?:\\.([^:^}]+))?(?::([^}]+))?\\}");
  private static final List<String> MACROS = List.of("fromTime", "toTime", "timeFilter", "interval_s");

  private GrafanaQuery() {}

  static String expand(String sql, Map<String, Value> variables, Range range) {
    return macros(templateVariables(conditionalAll(sql, variables), variables), range);
  }

  static String conditionalAll(String sql, Map<String, Value> variables) {
    String macro = "$__conditionalAll(";
    for (int at = sql.lastIndexOf(macro); at >= 0; at = sql.lastIndexOf(macro)) {
      List<String> args = macroArgs(sql, at + macro.length() - 1);
      if (args.size() != 2) {
        return sql;
      }
      Matcher name = Pattern.compile("(?<=\\$\\{)\\w+(?=})|(?<=\\$)\\w+").matcher(args.get(1).trim());
      String phrase = args.get(0);
      if (name.find()) {
        Value v = variables.get(name.group());
        if (v != null && (v.all() || v.values().isEmpty() || String.join(",", v.values()).isEmpty())) {
          phrase = "1=1";
        }
      }
      // String.replace in JS: the first occurrence only.
      sql = sql.replaceFirst(Pattern.quote(macro + args.get(0) + "," + args.get(1) + ")"),
          Matcher.quoteReplacement(phrase));
    }
    return sql;
  }

  /** CHDatasource.getMacroArgs: split on commas at depth one, from the opening parenthesis. */
  private static List<String> macroArgs(String sql, int open) {
    List<String> args = new ArrayList<>();
    int depth = 0;
    int last = open + 1;
    for (int i = open; i < sql.length(); i++) {
      char c = sql.charAt(i);
      if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
      }
      if (c == ',' && depth == 1) {
        args.add(sql.substring(last, i));
        last = i + 1;
      }
      if ((c == '(' || c == ')' || c == ',') && depth == 0) {
        args.add(sql.substring(last, i));
        return args;
      }
    }
    return List.of();
  }

  static String templateVariables(String sql, Map<String, Value> variables) {
    Matcher m = VARIABLE.matcher(sql);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(4);
      String format = m.group(3) != null ? m.group(3) : m.group(6);
      Value v = variables.get(name);
      // Unknown names ($__timeFilter and the other macros) stay as written, as TemplateSrv leaves them.
      String text = v == null ? m.group() : format(v, format);
      m.appendReplacement(out, Matcher.quoteReplacement(text));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static String format(Value v, String format) {
    List<String> values = v.values();
    if (format == null) {
      // The plugin's format callback: arrays (multi-value, All) quoted and comma-joined, a single value raw.
      return !v.array() ? values.get(0) : "'" + String.join("','", values) + "'";
    }
    if (format.equals("singlequote")) {
      List<String> quoted = values.stream().map(s -> "'" + s.replace("'", "\\'") + "'").toList();
      return String.join(",", quoted);
    }
    throw new IllegalArgumentException("variable format not supported here: " + format);
  }

  static String macros(String sql, Range range) {
    Matcher unknown = Pattern.compile("\\$__(\\w+)").matcher(sql);
    while (unknown.find()) {
      if (!MACROS.contains(unknown.group(1))) {
        throw new IllegalArgumentException("macro not portable or unknown: " + unknown.group());
      }
    }
    for (String name : MACROS) {
      for (String[] match : macroMatches(sql, name)) {
        List<String> args = match[1].isEmpty() ? List.of() : List.of(match[1].split(",", -1)).stream().map(String::trim).toList();
        sql = sql.replace(match[0], apply(name, args, range));
      }
    }
    return sql;
  }

  /**
   * sqlutil.getMacroMatches: after {@code $__name\b}, scan on to the parenthesis that closes the first one
   * opened; a ')' before any '(' ends the macro with no arguments. So a macro without arguments must not be
   * followed by a '(' before the next ')': it would take the text up to there as its arguments.
   */
  private static List<String[]> macroMatches(String sql, String name) {
    List<String[]> matches = new ArrayList<>();
    Matcher m = Pattern.compile("\\$__" + name + "\\b").matcher(sql);
    while (m.find()) {
      int start = m.start();
      int end = 0;
      int argStart = 0;
      int depth = 0;
      for (int i = start; i < sql.length(); i++) {
        if (depth == 0 && end > 0) {
          break;
        }
        char c = sql.charAt(i);
        if (c == '(') {
          depth++;
          if (argStart == 0) {
            argStart = i - start + 1;
          }
        } else if (c == ')') {
          if (depth == 0) {
            end = 0;
            break;
          }
          depth--;
          end = i - start + 1;
        }
      }
      if (end == 0) {
        end = m.end() - start;
      }
      String text = sql.substring(start, start + end);
      String args = argStart > 0 ? text.substring(argStart, end - 1) : "";
      matches.add(new String[] {text, args});
    }
    return matches;
  }

  /** pkg/macros/macros.go: FromTimeFilter, ToTimeFilter, TimeFilter, IntervalSeconds. */
  private static String apply(String name, List<String> args, Range range) {
    String from = "toDateTime(" + range.fromSeconds() + ")";
    String to = "toDateTime(" + range.toSeconds() + ")";
    return switch (name) {
      case "fromTime" -> from;
      case "toTime" -> to;
      case "timeFilter" -> {
        if (args.size() != 1) {
          throw new IllegalArgumentException("$__timeFilter expects 1 argument, got " + args);
        }
        yield args.get(0) + " >= " + from + " AND " + args.get(0) + " <= " + to;
      }
      case "interval_s" -> Long.toString(Math.max(range.intervalMs() / 1000, 1));
      default -> throw new IllegalArgumentException(name);
    };
  }
}
