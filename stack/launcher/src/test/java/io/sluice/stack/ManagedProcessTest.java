package io.sluice.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManagedProcessTest {
  /**
   * Right after start the process is still exec'ing (setsid, then the shell), when its /proc cmdline reads empty
   * or partial; a health loop that asks then must not conclude it died (a test's ClickHouse restart once failed so).
   */
  @Test
  void aProcessIsRunningFromTheMomentItStartsUntilItStops() throws Exception {
    Path work = Files.createTempDirectory("sluice-managed-");
    int misses = 0;
    int checks = 0;
    try {
      for (int round = 0; round < 20; round++) {
        ManagedProcess owner = new ManagedProcess("p", work, work.resolve("p.log"));
        ManagedProcess other = new ManagedProcess("p", work, work.resolve("p.log")); // another CLI: pid file only
        // several execs in a row (env, env, env, sh), each a moment when /proc/PID/cmdline is in flux
        owner.start(List.of("env", "env", "env", "sh", "-c", "sleep 5; true", work.toString()), work);
        for (int i = 0; i < 50; i++) {
          checks += 2;
          misses += (owner.isRunning() ? 0 : 1) + (other.isRunning() ? 0 : 1);
        }
        assertTrue(owner.stop(5_000));
        assertFalse(owner.isRunning());
        assertFalse(other.isRunning());
      }
    } finally {
      TestStack.deleteTree(work);
    }
    assertEquals(0, misses, misses + " of " + checks + " checks took a starting process for a dead one");
  }
}
