package io.sluice.ebpf;

import io.sluice.ebpf.ffi.LibC;
import io.sluice.ebpf.ffi.Native;
import java.util.Map;
import java.util.TreeMap;
import jnr.ffi.Pointer;

/** The interfaces of the calling thread's network namespace (if_nameindex(3)), index to name. */
public final class Interfaces {
  private Interfaces() {}

  public static Map<Integer, String> list() {
    LibC libc = Native.libc();
    Pointer p = libc.if_nameindex();
    Map<Integer, String> out = new TreeMap<>();
    if (p == null) {
      return out;
    }
    try {
      int stride = 16;  // struct if_nameindex { unsigned if_index; char *if_name; } on LP64
      for (int i = 0; ; i++) {
        int index = p.getInt((long) i * stride);
        Pointer name = p.getPointer((long) i * stride + 8);
        if (index == 0 && name == null) {
          break;
        }
        out.put(index, name.getString(0));
      }
    } finally {
      libc.if_freenameindex(p);
    }
    return out;
  }
}
