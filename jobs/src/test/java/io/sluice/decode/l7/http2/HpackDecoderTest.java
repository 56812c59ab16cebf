package io.sluice.decode.l7.http2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The examples of RFC 7541 Appendix C, the bytes written out here from the RFC's description of each block. */
class HpackDecoderTest {
  private static final class Fields implements HeaderSink {
    final List<String> got = new ArrayList<>();

    @Override
    public void header(String name, String value) {
      got.add(name + ": " + value);
    }

    @Override
    public void unknown() {
      got.add("?");
    }
  }

  private static List<String> decode(HpackDecoder d, String hex) {
    byte[] b = Hex.bytes(hex);
    Fields f = new Fields();
    assertTrue(d.decode(b, 0, b.length, true, f), "block decodes");
    return f.got;
  }

  @Test
  void c2_literalsAndIndexed() {
    HpackDecoder d = new HpackDecoder(true);
    assertEquals(List.of("custom-key: custom-header"),
        decode(d, "400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572"));
    assertEquals(55, d.tableSize());
    HpackDecoder d2 = new HpackDecoder(true);
    assertEquals(List.of(":path: /sample/path"), decode(d2, "040c 2f73 616d 706c 652f 7061 7468"));
    assertEquals(0, d2.tableSize());
    HpackDecoder d3 = new HpackDecoder(true);
    assertEquals(List.of("password: secret"), decode(d3, "1008 7061 7373 776f 7264 0673 6563 7265 74"));
    assertEquals(0, d3.tableSize());
    assertEquals(List.of(":method: GET"), decode(new HpackDecoder(true), "82"));
  }

  @Test
  void c3_requestsWithoutHuffman() {
    requests(new String[] {
      "8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d",
      "8286 84be 5808 6e6f 2d63 6163 6865",
      "8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65"
    });
  }

  @Test
  void c4_requestsWithHuffman() {
    requests(new String[] {
      "8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff",
      "8286 84be 5886 a8eb 1064 9cbf",
      "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf"
    });
  }

  private static void requests(String[] blocks) {
    HpackDecoder d = new HpackDecoder(true);
    assertEquals(List.of(":method: GET", ":scheme: http", ":path: /", ":authority: www.example.com"),
        decode(d, blocks[0]));
    assertEquals(57, d.tableSize());
    assertEquals(List.of(":method: GET", ":scheme: http", ":path: /", ":authority: www.example.com",
        "cache-control: no-cache"), decode(d, blocks[1]));
    assertEquals(110, d.tableSize());
    assertEquals(List.of(":method: GET", ":scheme: https", ":path: /index.html", ":authority: www.example.com",
        "custom-key: custom-value"), decode(d, blocks[2]));
    assertEquals(164, d.tableSize());
    assertEquals(3, d.entries());
  }

  @Test
  void c5_responsesWithoutHuffmanAndEviction() {
    responses(new String[] {
      "4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32"
          + " 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d",
      "4803 3330 37c1 c0bf",
      "88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d 54c0 5a04 677a 6970"
          + " 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049 5541 5851 5745 4f49 553b 206d 6178"
          + " 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e 3d31"
    });
  }

  @Test
  void c6_responsesWithHuffmanAndEviction() {
    responses(new String[] {
      "4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b ff6e 919d 29ad"
          + " 1718 63c7 8f0b 97c8 e9ae 82ae 43d3",
      "4883 640e ffc1 c0bf",
      "88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab 77ad 94e7 821d d7f2"
          + " e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07"
    });
  }

  private static void responses(String[] blocks) {
    HpackDecoder d = new HpackDecoder(true);
    d.setLimit(256);
    // The examples run with a 256-octet table: the encoder's choice, announced here as a size update would.
    byte[] update = {0x3f, (byte) 0xe1, 0x01}; // size update to 256
    assertTrue(d.decode(update, 0, update.length, true, new Fields()));
    String date1 = "date: Mon, 21 Oct 2013 20:13:21 GMT";
    assertEquals(List.of(":status: 302", "cache-control: private", date1, "location: https://www.example.com"),
        decode(d, blocks[0]));
    assertEquals(222, d.tableSize());
    assertEquals(List.of(":status: 307", "cache-control: private", date1, "location: https://www.example.com"),
        decode(d, blocks[1]));
    assertEquals(222, d.tableSize());
    assertEquals(List.of(":status: 200", "cache-control: private", "date: Mon, 21 Oct 2013 20:13:22 GMT",
        "location: https://www.example.com", "content-encoding: gzip",
        "set-cookie: foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1"), decode(d, blocks[2]));
    assertEquals(215, d.tableSize());
    assertEquals(3, d.entries());
  }

  @Test
  void huffmanCodesRebuiltFromLengthsMatchTheRfcTable() {
    assertEquals(0x1ff8, HpackHuffman.CODES[0]);
    assertEquals(0x3ffffffc, HpackHuffman.CODES[10]);
    assertEquals(0x3ffffffe, HpackHuffman.CODES[22]);
    assertEquals(0x14, HpackHuffman.CODES[' ']);
    assertEquals(0x7b, HpackHuffman.CODES['z']);
    assertEquals(0x3ffffee, HpackHuffman.CODES[255]);
    assertEquals(0x3fffffff, HpackHuffman.CODES[HpackHuffman.EOS]);
  }

  @Test
  void unknownTableRecoversStaticAndLiteralsAndMarksTheRest() {
    HpackDecoder d = new HpackDecoder(false);
    // Third request of C.3 seen alone: 0xbf refers to the dynamic table, which this decoder never saw filled.
    assertEquals(List.of(":method: GET", ":scheme: https", ":path: /index.html", "?", "custom-key: custom-value"),
        decode(d, "8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65"));
    assertFalse(d.tableKnown());
    // A size update to 0 empties the table: known again, and later additions are trusted.
    assertEquals(List.of(), decode(d, "20"));
    assertTrue(d.tableKnown());
  }

  @Test
  void cutBlockKeepsWholeFieldsAndForgetsTheTable() {
    HpackDecoder d = new HpackDecoder(true);
    byte[] b = Hex.bytes("8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d");
    Fields f = new Fields();
    assertTrue(d.decode(b, 0, 8, false, f));
    assertEquals(List.of(":method: GET", ":scheme: http", ":path: /"), f.got);
    assertFalse(d.tableKnown());
  }

  @Test
  void malformedBlocksAreRejected() {
    Fields f = new Fields();
    assertFalse(new HpackDecoder(true).decode(new byte[] {(byte) 0x80}, 0, 1, true, f), "index 0");
    assertFalse(new HpackDecoder(true).decode(new byte[] {(byte) 0xbe}, 0, 1, true, f), "empty dynamic table");
    byte[] tooBig = {0x3f, (byte) 0xe2, 0x1f}; // size update to 4000+ above a 256 limit
    HpackDecoder d = new HpackDecoder(true);
    d.setLimit(256);
    assertFalse(d.decode(tooBig, 0, tooBig.length, true, f));
    byte[] badPadding = {0x40, (byte) 0x81, 0x00, 0x00}; // Huffman name of one byte padded with zeros
    assertFalse(new HpackDecoder(true).decode(badPadding, 0, badPadding.length, true, f));
  }
}
