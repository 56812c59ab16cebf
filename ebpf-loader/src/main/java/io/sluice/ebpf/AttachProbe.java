package io.sluice.ebpf;

import io.sluice.ebpf.ffi.BpfException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Learns which attach types this kernel allows by loading (and, for tracing, attaching) a trivial program of
 * each kind from probe.bpf.o. Locked-down kernels refuse fentry/fexit/kprobe while allowing tracepoints.
 */
public final class AttachProbe {
  public enum Kind {
    FENTRY("probe_fentry", true), FEXIT("probe_fexit", true), KPROBE("probe_kprobe", true),
    TP_BTF("probe_tp_btf", true), RAW_TP("probe_raw_tp", true), TC("probe_tc", false);

    final String program;
    final boolean attachable;

    Kind(String program, boolean attachable) {
      this.program = program;
      this.attachable = attachable;
    }
  }

  /** Each kind → null when it works, else the reason it was refused. */
  public static Map<Kind, String> run() {
    Map<Kind, String> out = new EnumMap<>(Kind.class);
    for (Kind k : Kind.values()) {
      out.put(k, probe(k));
    }
    return out;
  }

  private static String probe(Kind k) {
    try (BpfObject o = BpfObject.open("probe", Set.of(k.program))) {
      o.load();
      if (k.attachable) {
        o.attach(k.program);
      }
      return null;
    } catch (BpfException e) {
      return e.getMessage();
    }
  }

  /** The first of the candidates that works, or null. */
  public static Kind best(Map<Kind, String> probed, List<Kind> candidates) {
    for (Kind k : candidates) {
      if (probed.get(k) == null) {
        return k;
      }
    }
    return null;
  }
}
