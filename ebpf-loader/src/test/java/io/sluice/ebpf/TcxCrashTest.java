package io.sluice.ebpf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** tcx links belong to the process that holds them: a loader killed with SIGKILL leaves no program on the interface. */
class TcxCrashTest {
  @Test
  void aKilledLoaderLeavesNoProgramBehind() throws Exception {
    assumeTrue(Preflight.kernelLacksBpf() == null, () -> "skipped: " + Preflight.kernelLacksBpf());
    assumeTrue(kernelHasTcx(), () -> "skipped: tcx links need Linux 6.6 or later, this is " + System.getProperty("os.version"));
    Path state = Files.createTempDirectory("sluice-tcx-child-");
    try (NetLab lab = new NetLab(); NetNs ns = new NetNs(lab.client)) {
      String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
      Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m", "-cp", classpath,
          TcxCrashChild.class.getName(), lab.client, lab.clientVeth, state.toString()).redirectErrorStream(true).start();
      try {
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        String line;
        StringBuilder said = new StringBuilder();
        while ((line = out.readLine()) != null && !line.startsWith("attached ")) {
          said.append(line).append('\n');
        }
        assertTrue(line != null, "the child did not attach:\n" + said);
        int ifindex = Integer.parseInt(line.substring("attached ".length()).trim());
        assertEquals(1, TcAttacher.tcxProgramIds(ns, ifindex, true).length, "ingress link while the child lives");
        assertEquals(1, TcAttacher.tcxProgramIds(ns, ifindex, false).length, "egress link while the child lives");

        child.destroyForcibly();  // SIGKILL: no shutdown hook, no detach
        assertTrue(child.waitFor(10, TimeUnit.SECONDS), "the child died");
        long deadline = System.currentTimeMillis() + 30_000;  // the kernel releases the links of a dead process soon, not at once
        while (TcAttacher.tcxProgramIds(ns, ifindex, true).length + TcAttacher.tcxProgramIds(ns, ifindex, false).length > 0
            && System.currentTimeMillis() < deadline) {
          Thread.sleep(50);
        }
        assertArrayEquals(new int[0], TcAttacher.tcxProgramIds(ns, ifindex, true), "ingress programs after the kill");
        assertArrayEquals(new int[0], TcAttacher.tcxProgramIds(ns, ifindex, false), "egress programs after the kill");
        assertEquals("", CaptureTest.filters(lab), "no tc filters either");
      } finally {
        child.destroyForcibly();
      }
    } finally {
      NetLab.sh("rm -rf " + state);
    }
  }

  /** Linux 6.6 or later (tcx links). */
  static boolean kernelHasTcx() {
    String[] v = System.getProperty("os.version").split("[.-]");
    int major = Integer.parseInt(v[0]);
    int minor = v.length > 1 ? Integer.parseInt(v[1]) : 0;
    return major > 6 || (major == 6 && minor >= 6);
  }
}
