package io.sluice.store;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ClickHouse over its HTTP interface with plain text formats, which every server version from 18.16 on speaks
 * the same way. One statement per call. A user and password (given, or in the URL as
 * {@code http://user:password@host:8123}) go as HTTP basic authentication; an {@code https://} URL uses TLS with the
 * JVM's trust store. With neither, the environment's {@code SLUICE_CLICKHOUSE_USER} and
 * {@code SLUICE_CLICKHOUSE_PASSWORD} (so a password can come from a Secret rather than a command line); with none of
 * these, the server's default user. Why this and not com.clickhouse:client-v2: jobs/README.md, "The HTTP client".
 */
public final class ClickHouseHttp implements ClickHouseSql {
  private static final Pattern ERROR_CODE = Pattern.compile("Code: (\\d+)");

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String baseUrl;
  private final String database;
  /** The Authorization header's value, or null to send none (the server's default user). */
  private final String authorization;

  /** @param database the default database for statements, or null for the server's default */
  public ClickHouseHttp(String baseUrl, String database) {
    this(baseUrl, database, null, null);
  }

  /**
   * @param database the default database for statements, or null for the server's default
   * @param user the user to authenticate as, or null for the one the URL names (if any)
   * @param password the user's password (null: empty)
   */
  public ClickHouseHttp(String baseUrl, String database, String user, String password) {
    URI uri = URI.create(baseUrl);
    String url = baseUrl;
    if (uri.getRawUserInfo() != null) {
      String[] info = uri.getRawUserInfo().split(":", 2);
      if (user == null) {
        user = URLDecoder.decode(info[0], StandardCharsets.UTF_8);
        password = info.length > 1 ? URLDecoder.decode(info[1], StandardCharsets.UTF_8) : "";
      }
      url = baseUrl.replace(uri.getRawUserInfo() + "@", ""); // never in an error message
    }
    if (user == null) {
      String envUser = System.getenv("SLUICE_CLICKHOUSE_USER");
      if (envUser != null && !envUser.isEmpty()) {
        user = envUser;
        password = System.getenv("SLUICE_CLICKHOUSE_PASSWORD");
      }
    }
    this.baseUrl = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    this.database = database;
    this.authorization = user == null ? null : "Basic " + Base64.getEncoder().encodeToString(
        (user + ":" + (password == null ? "" : password)).getBytes(StandardCharsets.UTF_8));
  }

  private ClickHouseHttp(ClickHouseHttp same, String database) {
    this.baseUrl = same.baseUrl;
    this.database = database;
    this.authorization = same.authorization;
  }

  @Override
  public String database() {
    return database;
  }

  @Override
  public ClickHouseHttp withDatabase(String other) {
    return new ClickHouseHttp(this, other);
  }

  /** Runs a statement and returns the raw response body. */
  @Override
  public String execute(String sql) {
    return send(null, HttpRequest.BodyPublishers.ofString(sql, StandardCharsets.UTF_8), null, "");
  }

  /**
   * The server refuses a second query with the same id while the first still runs (error 216), which makes a
   * retried statement safe to send while an earlier attempt may be in flight.
   */
  @Override
  public String execute(String sql, String queryId, java.util.Map<String, String> settings) {
    StringBuilder params = new StringBuilder();
    settings.forEach((k, v) -> params.append(k).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8)).append('&'));
    return send(null, HttpRequest.BodyPublishers.ofString(sql, StandardCharsets.UTF_8), queryId, params.toString());
  }

  /** Sends {@code INSERT INTO table (columns) FORMAT RowBinary} with the given rows as the body. */
  @Override
  public void insertRowBinary(String table, java.util.List<String> columns, byte[] rows, int length) {
    insertRowBinary(table, columns, rows, length, null);
  }

  @Override
  public void insertRowBinary(String table, java.util.List<String> columns, byte[] rows, int length, String queryId) {
    String insert = ClickHouseSql.insertInto(table, columns) + " FORMAT RowBinary";
    send(insert, HttpRequest.BodyPublishers.ofByteArray(rows, 0, length), queryId, "");
  }

  private String send(String queryParam, HttpRequest.BodyPublisher body, String queryId, String settingParams) {
    StringBuilder url = new StringBuilder(baseUrl).append("/?").append(settingParams);
    if (database != null) {
      url.append("database=").append(URLEncoder.encode(database, StandardCharsets.UTF_8)).append('&');
    }
    if (queryParam != null) {
      url.append("query=").append(URLEncoder.encode(queryParam, StandardCharsets.UTF_8)).append('&');
    }
    if (queryId != null) {
      url.append("query_id=").append(URLEncoder.encode(queryId, StandardCharsets.UTF_8)).append('&');
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url.substring(0, url.length() - 1)))
        .timeout(Duration.ofMinutes(5))
        .POST(body);
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    HttpResponse<String> response;
    try {
      response = client.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new ClickHouseException("cannot reach ClickHouse at " + baseUrl + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ClickHouseException("interrupted while talking to ClickHouse", e);
    }
    if (response.statusCode() != 200) {
      String text = response.body().trim();
      Matcher code = ERROR_CODE.matcher(text);
      throw new ClickHouseException(code.find() ? Integer.parseInt(code.group(1)) : response.statusCode(), text);
    }
    return response.body();
  }
}
