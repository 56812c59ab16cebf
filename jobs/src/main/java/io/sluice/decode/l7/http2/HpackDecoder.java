package io.sluice.decode.l7.http2;

/**
 * HPACK decoding (RFC 7541) for one direction of one connection, with its dynamic table.
 *
 * <p>The table is "unknown" when the decoder did not see every header block from the connection's start (a
 * capture that began mid-connection, a header block not captured whole, a malformed block). Then a field that
 * refers to the dynamic table is reported as {@link HeaderSink#unknown()} instead of guessed, and fields from
 * the static table and literals are still decoded. A size update to 0 empties the table, which makes it known
 * again.
 *
 * <p>An unknown table is still partly known: the entries added (literals with incremental indexing) since it
 * became unknown are its newest entries, in order, so index 62 + i for i below their count is exactly the i-th
 * newest of them. A conforming encoder refers only to entries its table holds, and an entry is evicted only after
 * every older one, so such a reference cannot mean anything else. Larger indexes (entries from before) stay
 * unknown, and any block not decoded whole, or an entry whose name was itself unknown, empties the known part.
 */
public final class HpackDecoder {
  /** SETTINGS_HEADER_TABLE_SIZE's initial value. */
  public static final int DEFAULT_TABLE_SIZE = 4096;
  private static final int ENTRY_OVERHEAD = 32;
  private static final int MAX_STRING = 1 << 20;
  private static final int PARTIAL_MAX_SIZE = 1 << 16;

  private String[] names = new String[16];
  private String[] values = new String[16];
  /** Ring buffer: entry 1 (the newest) is at {@code head}, older ones follow. */
  private int head;
  private int count;
  private int size;
  private int maxSize = DEFAULT_TABLE_SIZE;
  private int limit = DEFAULT_TABLE_SIZE;
  private boolean known;

  private final StringBuilder text = new StringBuilder(64);
  private int pos;

  public HpackDecoder(boolean tableKnown) {
    this.known = tableKnown;
  }

  /** The peer's SETTINGS_HEADER_TABLE_SIZE: the largest size a size update may choose. */
  public void setLimit(int settingsValue) {
    limit = settingsValue;
  }

  public boolean tableKnown() {
    return known;
  }

  /** The current dynamic table size in octets (RFC 7541 4.1); meaningful while the table is known. */
  public int tableSize() {
    return size;
  }

  public int entries() {
    return count;
  }

  /** The decoder's state (table, sizes, known) for Flink keyed state. */
  public void write(java.io.DataOutput out) throws java.io.IOException {
    out.writeBoolean(known);
    out.writeInt(size);
    out.writeInt(maxSize);
    out.writeInt(limit);
    out.writeInt(count);
    for (int d = count; d >= 1; d--) { // oldest first, so reading adds them back in order
      Latin1.write(out, names[slot(d)]);
      Latin1.write(out, values[slot(d)]);
    }
  }

  public static HpackDecoder read(java.io.DataInput in) throws java.io.IOException {
    HpackDecoder d = new HpackDecoder(in.readBoolean());
    int size = in.readInt();
    d.maxSize = in.readInt();
    d.limit = in.readInt();
    int n = in.readInt();
    for (int i = 0; i < n; i++) {
      String name = Latin1.read(in);
      String value = Latin1.read(in);
      if (d.count == d.names.length) {
        d.grow();
      }
      d.head = (d.head - 1 + d.names.length) % d.names.length;
      d.names[d.head] = name;
      d.values[d.head] = value;
      d.count++;
    }
    d.size = size;
    return d;
  }

  /** From now on the table's contents are unknown. */
  public void forget() {
    known = false;
    count = 0;
    size = 0;
  }

  /**
   * Decodes one header block. With {@code complete} false the block was cut: the fields lying wholly inside are
   * decoded, the rest dropped, and the table becomes unknown. Returns false when the block is malformed (the
   * fields before the error were delivered; the table becomes unknown).
   */
  public boolean decode(byte[] b, int off, int len, boolean complete, HeaderSink sink) {
    pos = off;
    int end = off + len;
    while (pos < end) {
      int start = pos;
      int r = field(b, end, sink);
      if (r < 0) {
        if (r == CUT && !complete) {
          pos = start;
          break;
        }
        forget();
        return false;
      }
    }
    if (!complete) {
      forget();
    }
    return true;
  }

  private static final int CUT = -1;
  private static final int BAD = -2;

  private int field(byte[] b, int end, HeaderSink sink) {
    int first = b[pos] & 0xff;
    if ((first & 0x80) != 0) { // indexed field
      long index = integer(b, end, 7);
      if (index < 0) {
        return (int) index;
      }
      if (index == 0 || index > Integer.MAX_VALUE) {
        return BAD;
      }
      return emitIndexed((int) index, sink);
    }
    if ((first & 0xe0) == 0x20) { // dynamic table size update
      long newSize = integer(b, end, 5);
      if (newSize < 0) {
        return (int) newSize;
      }
      if (newSize > Integer.MAX_VALUE || (newSize > limit && known)) { // unknown: so may be the SETTINGS that raised the limit
        return BAD;
      }
      maxSize = (int) newSize;
      if (maxSize == 0) {
        known = true;
      }
      evict(0);
      return 0;
    }
    boolean indexing = (first & 0xc0) == 0x40;
    long index = integer(b, end, indexing ? 6 : 4);
    if (index < 0) {
      return (int) index;
    }
    String name = null;
    boolean nameKnown = true;
    if (index == 0) {
      int r = string(b, end);
      if (r < 0) {
        return r;
      }
      name = text.toString();
    } else if (index <= HpackStaticTable.SIZE) {
      name = HpackStaticTable.NAMES[(int) index];
    } else if (index - HpackStaticTable.SIZE <= count) {
      name = names[slot((int) index - HpackStaticTable.SIZE)];
    } else if (known) {
      return BAD;
    } else {
      nameKnown = false;
    }
    int r = string(b, end);
    if (r < 0) {
      return r;
    }
    String value = text.toString();
    if (nameKnown) {
      sink.header(name, value);
    } else {
      sink.unknown();
    }
    if (indexing) {
      if (nameKnown) {
        add(name, value);
      } else {
        forget(); // an entry this decoder cannot name now sits before the known ones
      }
    }
    return 0;
  }

  private int emitIndexed(int index, HeaderSink sink) {
    if (index <= HpackStaticTable.SIZE) {
      sink.header(HpackStaticTable.NAMES[index], HpackStaticTable.VALUES[index]);
      return 0;
    }
    int d = index - HpackStaticTable.SIZE;
    if (d > count) {
      if (!known) {
        sink.unknown();
        return 0;
      }
      return BAD;
    }
    int s = slot(d);
    sink.header(names[s], values[s]);
    return 0;
  }

  private int slot(int d) {
    return (head + d - 1) % names.length;
  }

  private void add(String name, String value) {
    int entrySize = name.length() + value.length() + ENTRY_OVERHEAD;
    // Partly known, the limit may be one this decoder never saw: holding less only leaves more unknown.
    int max = known ? maxSize : Math.min(maxSize, PARTIAL_MAX_SIZE);
    if (entrySize > max) {
      evict(0);
      return;
    }
    evict(max - entrySize);
    if (count == names.length) {
      grow();
    }
    head = (head - 1 + names.length) % names.length;
    names[head] = name;
    values[head] = value;
    count++;
    size += entrySize;
  }

  private void evict(int target) {
    while (size > target && count > 0) {
      int s = slot(count);
      size -= names[s].length() + values[s].length() + ENTRY_OVERHEAD;
      names[s] = null;
      values[s] = null;
      count--;
    }
  }

  private void grow() {
    String[] n = new String[names.length * 2];
    String[] v = new String[names.length * 2];
    for (int d = 1; d <= count; d++) {
      n[d - 1] = names[slot(d)];
      v[d - 1] = values[slot(d)];
    }
    names = n;
    values = v;
    head = 0;
  }

  /** An integer with an N-bit prefix (RFC 7541 5.1); CUT when the block ends inside it, BAD on overflow. */
  private long integer(byte[] b, int end, int prefixBits) {
    int mask = (1 << prefixBits) - 1;
    long value = b[pos++] & mask;
    if (value < mask) {
      return value;
    }
    int shift = 0;
    while (true) {
      if (pos >= end) {
        return CUT;
      }
      int v = b[pos++] & 0xff;
      value += (long) (v & 0x7f) << shift;
      if ((v & 0x80) == 0) {
        return value;
      }
      shift += 7;
      if (shift > 28) {
        return BAD;
      }
    }
  }

  /** A string literal (RFC 7541 5.2) into {@link #text}. */
  private int string(byte[] b, int end) {
    if (pos >= end) {
      return CUT;
    }
    boolean huffman = (b[pos] & 0x80) != 0;
    long len = integer(b, end, 7);
    if (len < 0) {
      return (int) len;
    }
    if (len > MAX_STRING) {
      return BAD;
    }
    if (pos + len > end) {
      return CUT;
    }
    text.setLength(0);
    if (huffman) {
      if (!HpackHuffman.decode(b, pos, (int) len, text)) {
        return BAD;
      }
    } else {
      for (int i = pos, e = pos + (int) len; i < e; i++) {
        text.append((char) (b[i] & 0xff));
      }
    }
    pos += (int) len;
    return 0;
  }
}
