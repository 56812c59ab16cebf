package io.sluice.ingest.sources;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.net.IpAddresses;
import io.sluice.wire.FlowSource;
import java.util.List;
import org.junit.jupiter.api.Test;

class SourceTableTest {
  private static FlowSource source(String prefix, String name) {
    return Sources.build(new Sources.Request(prefix, name, null, false, null, List.of(), null, false, true), 1);
  }

  @Test
  void longestPrefixWins() {
    SourceTable t = SourceTable.of(List.of(
        source("10.0.0.0/8", "ten"),
        source("10.1.0.0/16", "ten-one"),
        source("10.1.2.3", "host"),
        source("2001:db8::/32", "doc6"),
        source("2001:db8:1::/48", "doc6-1")));
    assertEquals("host", t.match(IpAddresses.parse("10.1.2.3")).getName());
    assertEquals("ten-one", t.match(IpAddresses.parse("10.1.2.4")).getName());
    assertEquals("ten", t.match(IpAddresses.parse("10.200.0.1")).getName());
    assertNull(t.match(IpAddresses.parse("11.0.0.1")));
    assertEquals("doc6-1", t.match(IpAddresses.parse("2001:db8:1::5")).getName());
    assertEquals("doc6", t.match(IpAddresses.parse("2001:db8:2::5")).getName());
    assertNull(t.match(IpAddresses.parse("2001:db9::1")));
    assertEquals(5, t.size());
  }

  @Test
  void ipv4IsTheMappedRangeOnly() {
    SourceTable t = SourceTable.of(List.of(source("0.0.0.0/0", "all-v4")));
    assertEquals("all-v4", t.match(IpAddresses.parse("203.0.113.9")).getName());
    assertNull(t.match(IpAddresses.parse("2001:db8::1")));
    SourceTable all = SourceTable.of(List.of(source("::/0", "everything")));
    assertEquals("everything", all.match(IpAddresses.parse("203.0.113.9")).getName());
    assertEquals("everything", all.match(IpAddresses.parse("2001:db8::1")).getName());
  }

  @Test
  void aPrefixMatchingEveryAddressNeedsAllowAny() {
    for (String every : List.of("0.0.0.0/0", "::/0")) {
      InvalidSourceException e = org.junit.jupiter.api.Assertions.assertThrows(InvalidSourceException.class,
          () -> Sources.build(new Sources.Request(every, "any", null, false, null, List.of(), null), 1));
      assertTrue(e.getMessage().startsWith(every + " matches every address") && e.getMessage().contains("--allow-any"), e.getMessage());
    }
    Sources.build(new Sources.Request("0.0.0.0/1", "half", null, false, null, List.of(), null), 1);
  }

  @Test
  void emptyTableMatchesNothing() {
    assertNull(SourceTable.EMPTY.match(IpAddresses.parse("192.0.2.1")));
  }
}
