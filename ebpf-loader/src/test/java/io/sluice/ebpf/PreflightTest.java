package io.sluice.ebpf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the capability check asks for: CAP_SYS_ADMIN only to enter --netns (or in place of CAP_BPF and CAP_PERFMON). */
class PreflightTest {
  static BigInteger caps(int... bits) {
    BigInteger b = BigInteger.ZERO;
    for (int bit : bits) {
      b = b.setBit(bit);
    }
    return b;
  }

  @Test
  void sysAdminOnlyForANetworkNamespace() {
    BigInteger daemonSet = caps(39, 38, 12, 24);  // BPF, PERFMON, NET_ADMIN, SYS_RESOURCE: the DaemonSet's
    assertEquals(List.of(), Preflight.missingCapabilities(daemonSet, false));
    assertEquals(List.of("CAP_SYS_ADMIN (setns into --netns)"), Preflight.missingCapabilities(daemonSet, true));
    assertEquals(List.of(), Preflight.missingCapabilities(caps(21, 12), true), "SYS_ADMIN stands in for BPF and PERFMON");
    assertEquals(List.of("CAP_BPF", "CAP_PERFMON", "CAP_NET_ADMIN"), Preflight.missingCapabilities(caps(), false));
    assertEquals(List.of(), Preflight.missingCapabilities(null, true), "unknown capabilities: nothing reported");
  }
}
