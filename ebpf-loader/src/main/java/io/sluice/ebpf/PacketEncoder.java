package io.sluice.ebpf;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Encodes a packet record (src/main/c/events.h) as the protobuf bytes of a {@code CapturedPacket} in one pass, into
 * an array of the exact size or straight into a batch ({@link #prepare}, then {@link #writeTo}): the loader's
 * per-packet work, so no builder, no ByteString, and node, interface and container names encoded once and cached. Fields are written in field-number order and zero values left
 * out, as protobuf's own encoder does, so the bytes equal {@code CapturedPacket.toByteArray()}. One thread only.
 */
final class PacketEncoder implements PacketBatcher.Encoded {
  private static final int DIRECTION_INGRESS = 1;
  private static final int DIRECTION_EGRESS = 2;
  private static final int LINK_TYPE_ETHERNET = 1;
  private static final int MAX_CACHED_CGROUPS = 4096;

  private final byte[] node;
  private final long clockOffset;
  private final IntFunction<String> ifname;
  private final Cgroups cgroups;
  private int lastIfindex = -1;
  private String lastIfname;
  /** Fields 2 to 4 (node, interface name, ifindex) of the last ifindex, encoded: the same for each of its packets. */
  private byte[] lastInterfaceFields = new byte[0];
  private final Map<Long, byte[]> containerIds = new HashMap<>();
  private long lastCgroup;
  private byte[] lastContainerId = new byte[0];

  /** ifname: the interface's name by ifindex, or null; cgroups: for the container id of egress packets. */
  PacketEncoder(String node, long clockOffset, IntFunction<String> ifname, Cgroups cgroups) {
    this.node = node.getBytes(StandardCharsets.UTF_8);
    this.clockOffset = clockOffset;
    this.ifname = ifname;
    this.cgroups = cgroups;
  }

  /** The bytes of the frame a packet record carries (after its 32-byte header). */
  static int capturedLength(byte[] rec, int size) {
    return Math.max(0, Math.min(Records.u16(rec, 2), size - Records.PACKET_HEADER));
  }

  byte[] encode(byte[] rec, int size) {
    byte[] out = new byte[prepare(rec, size)];
    int p = writeTo(out, 0);
    assert p == out.length : p + " != " + out.length;
    return out;
  }

  // The packet prepare() read, for writeTo(): the drain path encodes straight into a batch, with no array per packet.
  private byte[] rec;
  private int cap;
  private int direction;
  private int ifindex;
  private int origLen;
  private long capturedNs;
  private long cgroup;
  private byte[] interfaceFields;
  private byte[] container;

  /** Reads a packet record (kept, not copied, until {@link #writeTo}) and returns its encoded length. */
  int prepare(byte[] rec, int size) {
    this.rec = rec;
    cap = capturedLength(rec, size);
    direction = rec[1] == 1 ? DIRECTION_INGRESS : rec[1] == 2 ? DIRECTION_EGRESS : 0;
    ifindex = Records.i32(rec, 4);
    origLen = Records.i32(rec, 8);
    capturedNs = Records.i64(rec, 16) + clockOffset;
    cgroup = Records.i64(rec, 24);
    interfaceFields = interfaceFields(ifindex);
    container = cgroup == 0 ? null : containerId(cgroup);
    return uint64Field(capturedNs) + interfaceFields.length + uint32Field(direction) + uint32Field(cap) + uint32Field(origLen) + uint32Field(LINK_TYPE_ETHERNET)
        + bytesField(cap) + uint64Field(cgroup) + (container == null ? 0 : bytesField(container.length));
  }

  /** Writes the prepared packet at p (room for its encoded length is the caller's); returns the end. */
  @Override
  public int writeTo(byte[] out, int p) {
    if (capturedNs != 0) {
      out[p++] = 1 << 3;
      p = varint(out, p, capturedNs);
    }
    System.arraycopy(interfaceFields, 0, out, p, interfaceFields.length);
    p += interfaceFields.length;
    p = uint32(out, p, 5, direction);
    p = uint32(out, p, 6, cap);
    p = uint32(out, p, 7, origLen);
    p = uint32(out, p, 8, LINK_TYPE_ETHERNET);
    p = bytes(out, p, 9, rec, Records.PACKET_HEADER, cap);
    if (cgroup != 0) {
      out[p++] = 12 << 3;
      p = varint(out, p, cgroup);
    }
    if (container != null) {
      p = bytes(out, p, 13, container, 0, container.length);
    }
    return p;
  }

  private byte[] interfaceFields(int ifindex) {
    String name = ifname.apply(ifindex);
    if (ifindex != lastIfindex || name != lastIfname) {
      lastIfindex = ifindex;
      lastIfname = name;
      byte[] iface = name == null ? new byte[0] : name.getBytes(StandardCharsets.UTF_8);
      byte[] fields = new byte[bytesField(node.length) + bytesField(iface.length) + uint32Field(ifindex)];
      int p = bytes(fields, 0, 2, node, 0, node.length);
      p = bytes(fields, p, 3, iface, 0, iface.length);
      uint32(fields, p, 4, ifindex);
      lastInterfaceFields = fields;
    }
    return lastInterfaceFields;
  }

  /** The container id's bytes; cached only once the cgroup's path is known (a new cgroup may not be yet). */
  private byte[] containerId(long cgroup) {
    if (cgroup == lastCgroup) {
      return lastContainerId;
    }
    byte[] id = containerIds.get(cgroup);
    if (id == null) {
      String path = cgroups.path(cgroup);
      id = Cgroups.containerIdOf(path).getBytes(StandardCharsets.UTF_8);
      if (path == null) {
        return id;
      }
      if (containerIds.size() >= MAX_CACHED_CGROUPS) {
        containerIds.clear();
      }
      containerIds.put(cgroup, id);
    }
    lastCgroup = cgroup;
    lastContainerId = id;
    return id;
  }

  static int varintSize(long v) {
    return v == 0 ? 1 : (63 - Long.numberOfLeadingZeros(v)) / 7 + 1;
  }

  private static int uint64Field(long v) {
    return v == 0 ? 0 : 1 + varintSize(v);
  }

  /** uint32 and enum fields: the value as unsigned 32 bits. */
  private static int uint32Field(int v) {
    return v == 0 ? 0 : 1 + varintSize(v & 0xffffffffL);
  }

  private static int bytesField(int len) {
    return len == 0 ? 0 : 1 + varintSize(len) + len;
  }

  static int varint(byte[] out, int p, long v) {
    while ((v & ~0x7fL) != 0) {
      out[p++] = (byte) ((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    out[p++] = (byte) v;
    return p;
  }

  private static int uint32(byte[] out, int p, int field, int v) {
    if (v == 0) {
      return p;
    }
    out[p++] = (byte) (field << 3);
    return varint(out, p, v & 0xffffffffL);
  }

  private static int bytes(byte[] out, int p, int field, byte[] src, int off, int len) {
    if (len == 0) {
      return p;
    }
    out[p++] = (byte) (field << 3 | 2);
    p = varint(out, p, len);
    System.arraycopy(src, off, out, p, len);
    return p + len;
  }
}
