package io.sluice.decode.flow;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Names an exporter gives in its own NetFlow v9/IPFIX options data: interfaceName (82) or
 * interfaceDescription (83) per ifIndex (scoped by or paired with ingressInterface 10 / egressInterface
 * 14, as in Cisco's interface table), and VRFname (236) per VRF id (ingressVRFID 234 / egressVRFID 235).
 * A later options record for the same id replaces the name: records decoded afterwards get the new one.
 * Bounded ({@link #MAX_ENTRIES} per table; a full table keeps its entries and refuses new ids). Lookups
 * do not allocate.
 */
public final class ExporterNames {
  public static final int MAX_ENTRIES = 4096;
  /** Longer names are cut (UTF-8 bytes in the options record; a VRF or interface name is short). */
  public static final int MAX_NAME_BYTES = 256;

  private final Table interfaces = new Table();
  private final Table vrfs = new Table();

  /** The exporter's name for an ifIndex, or "" when it announced none. */
  public String interfaceName(long ifIndex) {
    return interfaces.get(ifIndex);
  }

  /** The exporter's name for a VRF id, or "". */
  public String vrfName(long vrfId) {
    return vrfs.get(vrfId);
  }

  /** False when the table is full and the id is new. */
  public boolean putInterface(long ifIndex, String name) {
    return interfaces.put(ifIndex, name);
  }

  public boolean putVrf(long vrfId, String name) {
    return vrfs.put(vrfId, name);
  }

  public int interfaceCount() {
    return interfaces.size;
  }

  public int vrfCount() {
    return vrfs.size;
  }

  /** Changes so far; a name announced again unchanged is none. */
  int changes() {
    return interfaces.changes + vrfs.changes;
  }

  void write(DataOutput out) throws IOException {
    interfaces.write(out);
    vrfs.write(out);
  }

  void read(DataInput in) throws IOException {
    interfaces.read(in);
    vrfs.read(in);
  }

  /** Open addressing, long id to name; grows by doubling, at most half full so probes stay short. */
  private static final class Table {
    private long[] ids = new long[16];
    private String[] names = new String[16];
    private int size;
    private int changes;

    String get(long id) {
      if (size == 0) return "";
      int mask = names.length - 1;
      for (int i = slot(id, mask); ; i = (i + 1) & mask) {
        String n = names[i];
        if (n == null) return "";
        if (ids[i] == id) return n;
      }
    }

    boolean put(long id, String name) {
      int mask = names.length - 1;
      for (int i = slot(id, mask); ; i = (i + 1) & mask) {
        if (names[i] == null) {
          if (size == MAX_ENTRIES) return false;
          ids[i] = id;
          names[i] = name;
          changes++;
          if (++size * 2 > names.length) grow();
          return true;
        }
        if (ids[i] == id) {
          if (!names[i].equals(name)) {
            names[i] = name;
            changes++;
          }
          return true;
        }
      }
    }

    private void grow() {
      long[] oldIds = ids;
      String[] oldNames = names;
      ids = new long[oldIds.length * 2];
      names = new String[oldNames.length * 2];
      size = 0;
      for (int i = 0; i < oldNames.length; i++) if (oldNames[i] != null) put(oldIds[i], oldNames[i]);
    }

    private static int slot(long id, int mask) {
      return (int) ((id * 0x9E3779B97F4A7C15L) >>> 40) & mask;
    }

    void write(DataOutput out) throws IOException {
      out.writeShort(size);
      for (int i = 0; i < names.length; i++) {
        if (names[i] != null) {
          out.writeLong(ids[i]);
          out.writeUTF(names[i]);
        }
      }
    }

    void read(DataInput in) throws IOException {
      int n = in.readUnsignedShort();
      if (n > MAX_ENTRIES) throw new IOException("too many names: " + n);
      for (int i = 0; i < n; i++) put(in.readLong(), in.readUTF());
    }
  }
}
