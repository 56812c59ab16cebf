package io.sluice.ebpf;

import io.sluice.ebpf.ffi.BpfException;
import io.sluice.ebpf.ffi.LibBpf;
import io.sluice.ebpf.ffi.Native;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Checks, before touching the kernel, what the loader needs, and says what is missing and how to get it. */
public final class Preflight {
  private static final int CAP_NET_ADMIN = 12;
  private static final int CAP_SYS_ADMIN = 21;
  private static final int CAP_PERFMON = 38;
  private static final int CAP_BPF = 39;

  private Preflight() {}

  /** Null when BPF can work here, else why not (used by tests to skip only where the kernel truly lacks BPF). */
  public static String kernelLacksBpf() {
    if (!Files.exists(Path.of("/sys/kernel/btf/vmlinux"))) {
      return "the kernel has no BTF (/sys/kernel/btf/vmlinux; needs CONFIG_DEBUG_INFO_BTF=y)";
    }
    if (!Files.exists(Path.of("/proc/sys/kernel/unprivileged_bpf_disabled"))) {
      return "the kernel has no bpf(2) (CONFIG_BPF_SYSCALL is off)";
    }
    return null;
  }

  /** entersNetns: the loader was given --netns, which needs CAP_SYS_ADMIN (setns). */
  public static void check(boolean entersNetns) {
    String lacks = kernelLacksBpf();
    if (lacks != null) {
      throw new BpfException(lacks);
    }
    List<String> missing = missingCapabilities(effectiveCapabilities(), entersNetns);
    if (!missing.isEmpty()) {
      throw new BpfException("missing capabilities " + String.join(", ", missing)
          + ": run as root, or grant CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN, and CAP_SYS_ADMIN with --netns"
          + " (see ebpf-loader/README.md)");
    }
    LibBpf bpf = Native.bpf();
    int major = bpf.libbpf_major_version();
    int minor = bpf.libbpf_minor_version();
    if (major < 1 || (major == 1 && minor < 1)) {
      throw new BpfException("libbpf " + major + "." + minor + " is too old: need 1.1 or later (apt-get install -y libbpf1)");
    }
  }

  private static BigInteger effectiveCapabilities() {
    BigInteger eff = BigInteger.ZERO;
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("CapEff:")) {
          eff = new BigInteger(line.substring(7).trim(), 16);
        }
      }
    } catch (IOException e) {
      return null;
    }
    return eff;
  }

  /** What eff (the CapEff bits; null: unknown, nothing reported) lacks. CAP_SYS_ADMIN stands in for BPF and PERFMON. */
  static List<String> missingCapabilities(BigInteger eff, boolean entersNetns) {
    if (eff == null) {
      return List.of();
    }
    List<String> missing = new ArrayList<>();
    boolean sysAdmin = eff.testBit(CAP_SYS_ADMIN);
    if (!eff.testBit(CAP_BPF) && !sysAdmin) {
      missing.add("CAP_BPF");
    }
    if (!eff.testBit(CAP_PERFMON) && !sysAdmin) {
      missing.add("CAP_PERFMON");
    }
    if (!eff.testBit(CAP_NET_ADMIN)) {
      missing.add("CAP_NET_ADMIN");
    }
    if (entersNetns && !sysAdmin) {
      missing.add("CAP_SYS_ADMIN (setns into --netns)");
    }
    return missing;
  }
}
