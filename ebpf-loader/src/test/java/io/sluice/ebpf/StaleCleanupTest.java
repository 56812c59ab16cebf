package io.sluice.ebpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * A run that died without detaching, with tc filters on clsact (a kernel without tcx links, or an older loader),
 * leaves filters and a clsact qdisc; the next start removes them. (A run with tcx links leaves nothing: TcxCrashTest.)
 */
class StaleCleanupTest {
  @Test
  void removesWhatACrashedRunLeft() throws Exception {
    assumeTrue(Preflight.kernelLacksBpf() == null, () -> "skipped: " + Preflight.kernelLacksBpf());
    Path state = Files.createTempDirectory("sluice-ebpf-state-");
    try (NetLab lab = new NetLab()) {
      int ifindex;
      try (NetNs ns = new NetNs(lab.client); BpfObject crashed = BpfObject.open("sluice", Set.of("capture_ingress", "capture_egress"))) {
        crashed.load();
        ifindex = ns.call(Interfaces::list).entrySet().stream()
            .filter(e -> e.getValue().equals(lab.clientVeth)).findFirst().orElseThrow().getKey();
        new TcAttacher(ns, state, TcAttacher.Mode.CLSACT).attach(ifindex, lab.clientVeth, crashed.programFd("capture_ingress"), crashed.programFd("capture_egress"));
        // no detachAll(): the filters keep the programs alive after this object closes, as after a crash
      }
      assertTrue(CaptureTest.filters(lab).contains("capture_ingress"), CaptureTest.filters(lab));

      LoaderConfig config = LoaderConfig.defaults().withNetns(lab.client).withInterfaces(List.of("lo"))
          .withMetricsPort(null).withStateDir(state).withUdpAttribution(false);
      try (Loader loader = Loader.start(config, new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()))) {
        assertEquals("", CaptureTest.filters(lab), "stale filters survived the restart");
        assertFalse(NetLab.sh("tc -netns " + lab.client + " qdisc show dev " + lab.clientVeth).contains("clsact"));
        assertTrue(loader.attachedInterfaces().containsValue("lo"));
      }
      assertFalse(NetLab.sh("tc -netns " + lab.client + " qdisc show dev lo").contains("clsact"));
    } finally {
      NetLab.sh("rm -rf " + state);
    }
  }
}
