package io.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class BadArgumentTest {
  @Test
  void aRejectedUrlIsEchoedWithoutItsPassword() {
    assertEquals("--clickhouse must be an http:// or https:// URL with a host, got 'ftp://writer:***@ch:8123'",
        message("ftp://writer:s3cret@ch:8123"));
    // Too broken to parse: still hidden, and the parser's reason (which quotes the input) is not shown.
    String broken = message("http://writer:s3 cret@ch:8123/");
    assertEquals("--clickhouse is not a URL: 'http://writer:***@ch:8123/'", broken);
    // A password with '/', '?', '#' or '@' in it.
    assertFalse(message("http//writer:a/b?c#d@e@ch:8123").contains("a/b?c#d@e"));
  }

  @Test
  void aUrlWithoutPasswordIsEchoedAsGiven() {
    assertEquals("--clickhouse must be an http:// or https:// URL with a host, got 'clickhouse:8123'",
        message("clickhouse:8123"));
    assertEquals("http://reader@ch:8123", BadArgument.withoutPassword("http://reader@ch:8123"));
  }

  private static String message(String url) {
    return assertThrows(BadArgument.class, () -> BadArgument.httpUrl("--clickhouse", url)).getMessage();
  }
}
