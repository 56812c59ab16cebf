package io.sluice.cli;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.regex.Pattern;

/**
 * A bad command-line argument found once the command runs: printed as one line, exit code 2 (as picocli's own
 * usage errors). The static checks are shared by every command with such an option.
 */
public final class BadArgument extends RuntimeException {
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");

  public BadArgument(String message) {
    super(message);
  }

  /** An http(s) URL with a host, as --clickhouse and --flink take. The message never repeats a password in it. */
  public static String httpUrl(String option, String value) {
    try {
      URI uri = new URI(value);
      if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
          || uri.getHost() == null) {
        throw new BadArgument(option + " must be an http:// or https:// URL with a host, got '" + withoutPassword(value) + "'");
      }
      return value;
    } catch (URISyntaxException e) {
      throw new BadArgument(option + " is not a URL: '" + withoutPassword(value) + "'");
    }
  }

  /**
   * {@code value} with whatever lies between the first ':' after the scheme's "//" and the last '@' replaced by "***".
   * Found by text, not by URI parsing, so that a URL too broken to parse (or a password holding '/', '?' or '#') is
   * hidden too; a URL with '@' in its path is masked more than needed, never less. The reason a URI parser gives
   * quotes the input, so it is not shown.
   */
  static String withoutPassword(String value) {
    int start = value.indexOf("//");
    start = start < 0 ? 0 : start + 2;
    int at = value.lastIndexOf('@');
    if (at < start) {
      return value;
    }
    int colon = value.indexOf(':', start);
    return colon < 0 || colon > at ? value : value.substring(0, colon + 1) + "***" + value.substring(at);
  }

  /** A ClickHouse database name: it goes into SQL unquoted, so letters, digits and underscores only. */
  public static String database(String option, String value) {
    if (value == null || !IDENTIFIER.matcher(value).matches()) {
      throw new BadArgument(option + " must be letters, digits and underscores (not starting with a digit), got '"
          + value + "'");
    }
    return value;
  }
}
