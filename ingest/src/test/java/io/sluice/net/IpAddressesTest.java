package io.sluice.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The one address-to-text code: RFC 5952 for IPv6, and the two forms of an IPv4-mapped address. */
class IpAddressesTest {
  @ParameterizedTest
  @CsvSource({
      "2001:0db8:0000:0000:0000:0000:0000:0001, 2001:db8::1",
      "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
      "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
      "1:0:0:0:0:0:0:0, 1::",
      "0:0:0:0:0:0:0:1, ::1",
      "0:0:1:0:0:0:1:0, 0:0:1::1:0",
      "fe80:0:0:0:0:0:0:ABCD, fe80::abcd",
      "::, ::"})
  void ipv6TextIsRfc5952(String in, String text) {
    byte[] a = IpAddresses.parse(in);
    assertEquals(text, IpAddresses.format(a));
    assertEquals(text, IpAddresses.clickHouseText(a));
  }

  @Test
  void mappedAddressesAreDottedQuadsOrAsClickHousePrintsThem() {
    byte[] a = IpAddresses.parse("192.0.2.1");
    assertEquals("192.0.2.1", IpAddresses.format(a));
    assertEquals("::ffff:192.0.2.1", IpAddresses.clickHouseText(a));
  }

  @Test
  void appendV6KeepsMappedAddressesInHexAndReadsAtAnOffset() {
    byte[] record = new byte[20];
    System.arraycopy(IpAddresses.parse("::ffff:1.2.3.4"), 0, record, 4, 16);
    StringBuilder text = new StringBuilder("AAAA ");
    IpAddresses.appendV6(text, record, 4);
    assertEquals("AAAA ::ffff:102:304", text.toString());
  }

  @Test
  void formatRefusesWhatIsNotSixteenBytes() {
    assertThrows(IllegalArgumentException.class, () -> IpAddresses.format(new byte[4]));
    assertThrows(IllegalArgumentException.class, () -> IpAddresses.clickHouseText(null));
  }

  @Test
  void halvesAsLongsRoundTrip() {
    byte[] a = IpAddresses.parse("2001:db8:1:2:8000::ff");
    assertEquals(0x20010db800010002L, IpAddresses.longAt(a, 0));
    assertEquals(0x80000000000000ffL, IpAddresses.longAt(a, 8));
    assertEquals("2001:db8:1:2:8000::ff",
        IpAddresses.format(IpAddresses.fromLongs(IpAddresses.longAt(a, 0), IpAddresses.longAt(a, 8))));
  }
}
