package io.sluice.ebpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The overhead benchmark's "without" runs suspend one long-lived loader: suspended, no program of it may run (no tc
 * filter or tcx link left, no packet seen, no socket event), and resumed, it captures again. Both ways of attaching
 * the capture: tcx links (on kernels that have them) and clsact filters (the only way before Linux 6.6).
 */
class SuspendResumeTest {
  @ParameterizedTest
  @ValueSource(strings = {"TCX", "CLSACT"})
  void suspendedNothingRunsResumedItCapturesAgain(String attach) throws Exception {
    assumeTrue(Preflight.kernelLacksBpf() == null, () -> "skipped: " + Preflight.kernelLacksBpf());
    TcAttacher.Mode mode = TcAttacher.Mode.valueOf(attach);
    assumeTrue(mode != TcAttacher.Mode.TCX || TcxCrashTest.kernelHasTcx(), () -> "skipped: no tcx before Linux 6.6");
    Path state = Files.createTempDirectory("sluice-ebpf-state-");
    try (NetLab lab = new NetLab()) {
      LoaderConfig config = LoaderConfig.defaults().withNetns(lab.client).withPorts(List.of(9)).withMetricsPort(null)
          .withStateDir(state).withTcMode(mode);
      try (Loader loader = Loader.start(config, new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()));
           NetNs ns = new NetNs(lab.client)) {
        assertEquals(mode == TcAttacher.Mode.TCX ? "tcx" : "tc", loader.choices().get("capture"));
        String attached = CaptureTest.attached(lab);
        assertTrue(attached.contains("capture_ingress") && attached.contains("capture_egress"), attached);
        assertEquals(mode == TcAttacher.Mode.CLSACT, !CaptureTest.filters(lab).isEmpty(), "tc filters only with clsact: " + attached);
        lab.sendDatagrams(ns, 5, 9, 1);
        Thread.sleep(300);

        loader.suspend();
        assertEquals("", CaptureTest.attached(lab), "suspended, its tc filters or tcx links are gone");
        long[] before = loader.maps().counters();
        lab.sendDatagrams(ns, 20, 9, 1);  // a new socket: the UDP sender program would announce it
        Thread.sleep(300);
        long[] during = loader.maps().counters();
        assertEquals(before[0], during[0], "packets seen while suspended");
        assertEquals(before[3], during[3], "socket events while suspended");

        loader.resume();
        assertTrue(CaptureTest.attached(lab).contains("capture_ingress"), CaptureTest.attached(lab));
        lab.sendDatagrams(ns, 20, 9, 1);
        long until = System.nanoTime() + 30_000_000_000L;  // a ceiling for a busy machine
        long[] after = loader.maps().counters();
        while ((after[1] < during[1] + 20 || after[3] == during[3]) && System.nanoTime() < until) {
          Thread.sleep(50);
          after = loader.maps().counters();
        }
        assertTrue(after[1] >= during[1] + 20, "captured again after resume: " + (after[1] - during[1]));
        assertTrue(after[3] > during[3], "socket events again after resume");
      }
      assertEquals("", CaptureTest.attached(lab), "closed, no filter or tcx link left");
      assertFalse(NetLab.sh("tc -netns " + lab.client + " qdisc show dev " + lab.clientVeth).contains("clsact"), "the clsact it made is gone");
    } finally {
      NetLab.sh("rm -rf " + state);
    }
  }

  /** The overhead benchmark's capture-only runs: the socket programs detached, packets still captured, and back. */
  @org.junit.jupiter.api.Test
  void socketHooksOffCaptureGoesOnWithoutSocketEvents() throws Exception {
    assumeTrue(Preflight.kernelLacksBpf() == null, () -> "skipped: " + Preflight.kernelLacksBpf());
    Path state = Files.createTempDirectory("sluice-ebpf-state-");
    try (NetLab lab = new NetLab()) {
      LoaderConfig config = LoaderConfig.defaults().withNetns(lab.client).withPorts(List.of(9)).withMetricsPort(null)
          .withStateDir(state);
      try (Loader loader = Loader.start(config, new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()));
           NetNs ns = new NetNs(lab.client)) {
        loader.socketHooks(false);
        long[] before = loader.maps().counters();
        lab.sendDatagrams(ns, 20, 9, 1);  // a new socket: the UDP sender program would announce it
        long until = System.nanoTime() + 30_000_000_000L;  // a ceiling for a busy machine
        long[] off = loader.maps().counters();
        while (off[1] < before[1] + 20 && System.nanoTime() < until) {
          Thread.sleep(50);
          off = loader.maps().counters();
        }
        assertTrue(off[1] >= before[1] + 20, "captured with the socket programs off: " + (off[1] - before[1]));
        // Host-wide: with the programs attached, any connection on this host would count here too.
        assertEquals(before[3], off[3], "socket events with the socket programs off");

        loader.socketHooks(true);
        lab.sendDatagrams(ns, 20, 9, 1);
        until = System.nanoTime() + 30_000_000_000L;
        long[] on = loader.maps().counters();
        while (on[3] == off[3] && System.nanoTime() < until) {
          Thread.sleep(50);
          on = loader.maps().counters();
        }
        assertTrue(on[3] > off[3], "socket events again with the socket programs on");
      }
    } finally {
      NetLab.sh("rm -rf " + state);
    }
  }
}
