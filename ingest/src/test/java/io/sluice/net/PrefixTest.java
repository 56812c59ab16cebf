package io.sluice.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PrefixTest {
  @ParameterizedTest
  @CsvSource({
      "192.0.2.1, 192.0.2.1/32, 128",
      "192.0.2.0/24, 192.0.2.0/24, 120",
      "' 10.0.0.0/8 ', 10.0.0.0/8, 104",
      "0.0.0.0/0, 0.0.0.0/0, 96",
      "::ffff:192.0.2.1, 192.0.2.1/32, 128",
      "::ffff:192.0.2.0/120, 192.0.2.0/24, 120",
      "::ffff:0:0/96, 0.0.0.0/0, 96",
      "2001:DB8::/32, 2001:db8::/32, 32",
      "2001:db8:0:0:0:0:0:1, 2001:db8::1/128, 128",
      "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1/128, 128",
      "2001:0:0:1:0:0:0:1, 2001:0:0:1::1/128, 128",
      "::/0, ::/0, 0",
      "::1, ::1/128, 128",
      "fe80::/10, fe80::/10, 10",
      "64:ff9b::192.0.2.33, 64:ff9b::c000:221/128, 128",
      "1:2:3:4:5:6:7::, 1:2:3:4:5:6:7:0/128, 128",
  })
  void parsesAndCanonicalises(String text, String canonical, int length) {
    Prefix p = Prefix.parse(text);
    assertEquals(canonical, p.canonical());
    assertEquals(length, p.length());
    assertEquals(p, Prefix.parse(p.canonical()), "canonical text parses back to the same prefix");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "router1", "192.0.2", "192.0.2.256", "192.0.2.01", "192.0.2.1/33", "192.0.2.1/", "192.0.2.1/-1",
      "192.0.2.1/ 24", "2001:db8::/129", "2001:db8:::1", "1::2::3", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "12345::",
      "fe80::1%eth0", "::ffff:1.2.3", "1.2.3.4::", "٣.0.0.1", "2001:db8::g", "192.0.2.1/2a", "1:2:3:4:5:6:7:8::"})
  void refusesInvalidInput(String text) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Prefix.parse(text));
    assertTrue(e.getMessage().contains("invalid") || e.getMessage().contains("empty"), e.getMessage());
  }

  @Test
  void hostBitsAreRefusedWithTheNetworkSuggested() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Prefix.parse("192.0.2.1/24"));
    assertTrue(e.getMessage().contains("did you mean 192.0.2.0/24"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Prefix.parse("2001:db8::1/64"));
    assertTrue(e.getMessage().contains("2001:db8::/64"), e.getMessage());
  }

  @Test
  void addressBytesAndLastAddress() {
    Prefix p = Prefix.parse("192.0.2.0/24");
    assertArrayEquals(HexFormat.of().parseHex("00000000000000000000ffffc0000200"), p.address());
    assertArrayEquals(HexFormat.of().parseHex("00000000000000000000ffffc00002ff"), p.lastAddress());
    assertArrayEquals(HexFormat.of().parseHex("20010db8ffffffffffffffffffffffff"), Prefix.parse("2001:db8::/32").lastAddress());
    assertArrayEquals(HexFormat.of().parseHex("ffffffffffffffffffffffffffffffff"), Prefix.parse("::/0").lastAddress());
    assertArrayEquals(Prefix.parse("::1").address(), Prefix.parse("::1").lastAddress());
    assertArrayEquals(HexFormat.of().parseHex("20010db800000000ffffffffffffffff"), Prefix.parse("2001:db8::/64").lastAddress());
  }

  @Test
  void containsAndV4() {
    Prefix p = Prefix.parse("10.1.0.0/16");
    byte[] in = IpAddresses.parse("10.1.200.3");
    byte[] out = IpAddresses.parse("10.2.0.1");
    assertTrue(p.contains(IpAddresses.longAt(in, 0), IpAddresses.longAt(in, 8)));
    assertFalse(p.contains(IpAddresses.longAt(out, 0), IpAddresses.longAt(out, 8)));
    assertTrue(p.isV4());
    assertFalse(Prefix.parse("::/0").isV4());
  }

  @Test
  void formatsRfc5952() {
    assertEquals("2001:db8::1", IpAddresses.format(IpAddresses.parse("2001:0db8:0000:0000:0000:0000:0000:0001")));
    assertEquals("2001:db8:0:1:1:1:1:1", IpAddresses.format(IpAddresses.parse("2001:db8:0:1:1:1:1:1")));
    assertEquals("2001:db8::1:0:0:1", IpAddresses.format(IpAddresses.parse("2001:db8:0:0:1:0:0:1")));
    assertEquals("::", IpAddresses.format(new byte[16]));
    assertEquals("192.0.2.1", IpAddresses.format(IpAddresses.parse("192.0.2.1")));
  }
}
