package io.sluice.ebpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The capture only watches, and first: its tcx link goes in front of the interface's other tcx programs (so it sees
 * packets before another tool redirects or drops them), and another tool's programs on the same interface still see
 * every packet, a tcx link and a clsact filter (which the kernel runs after all tcx links) alike. Each stand-in tool
 * is a second copy of the capture programs with maps of its own, whose "seen" counter says what reached it; both
 * are there before the loader starts, as on a node where a CNI attached first.
 */
class FollowingProgramsTest {
  static final int DATAGRAMS = 20;

  @Test
  void theCaptureGoesFirstAndAnotherToolsTcxLinkAndClsactFilterStillSeeEveryPacket() throws Exception {
    assumeTrue(Preflight.kernelLacksBpf() == null, () -> "skipped: " + Preflight.kernelLacksBpf());
    assumeTrue(TcxCrashTest.kernelHasTcx(), () -> "skipped: tcx links need Linux 6.6 or later");
    Path state = Files.createTempDirectory("sluice-ebpf-state-");
    Path tcxDir = Files.createTempDirectory("sluice-other-tcx-");
    Path clsactDir = Files.createTempDirectory("sluice-other-tc-");
    try (NetLab lab = new NetLab(); NetNs ns = new NetNs(lab.client);
         BpfObject tcxTool = BpfObject.open("sluice", Set.of("capture_ingress", "capture_egress"));
         BpfObject clsactTool = BpfObject.open("sluice", Set.of("capture_ingress", "capture_egress"))) {
      int ifindex = ns.call(Interfaces::list).entrySet().stream()
          .filter(e -> e.getValue().equals(lab.clientVeth)).findFirst().orElseThrow().getKey();
      tcxTool.load();
      clsactTool.load();
      TcAttacher tcx = new TcAttacher(ns, tcxDir, TcAttacher.Mode.TCX);
      TcAttacher clsact = new TcAttacher(ns, clsactDir, TcAttacher.Mode.CLSACT);
      tcx.attach(ifindex, lab.clientVeth, tcxTool.programFd("capture_ingress"), tcxTool.programFd("capture_egress"));
      clsact.attach(ifindex, lab.clientVeth, clsactTool.programFd("capture_ingress"), clsactTool.programFd("capture_egress"));
      LoaderConfig config = LoaderConfig.defaults().withNetns(lab.client).withPorts(List.of(9)).withMetricsPort(null)
          .withStateDir(state).withUdpAttribution(false).withTcMode(TcAttacher.Mode.TCX);
      try (Loader loader = Loader.start(config, SentPackets.batchingProducer())) {
        int[] egress = TcAttacher.tcxProgramIds(ns, ifindex, false);
        assertEquals(2, egress.length, "ours and the other tool's tcx link on egress");
        assertEquals(programId(tcxTool.programFd("capture_egress")), egress[1], "the other tool's link comes second, ours first");
        lab.sendDatagrams(ns, 1, 10, 10);  // resolves ARP first
        Thread.sleep(200);
        long captured0 = loader.maps().counters()[1];
        long tcx0 = new BpfMaps(tcxTool).counters()[0];
        long clsact0 = new BpfMaps(clsactTool).counters()[0];
        lab.sendDatagrams(ns, DATAGRAMS, 9, 10);
        Thread.sleep(200);
        assertTrue(loader.maps().counters()[1] - captured0 >= DATAGRAMS, "the capture saw the datagrams");
        long tcxSeen = new BpfMaps(tcxTool).counters()[0] - tcx0;
        long clsactSeen = new BpfMaps(clsactTool).counters()[0] - clsact0;
        assertTrue(tcxSeen >= DATAGRAMS, "a tcx link after ours saw " + tcxSeen + " of " + DATAGRAMS);
        assertTrue(clsactSeen >= DATAGRAMS, "a clsact filter saw " + clsactSeen + " of " + DATAGRAMS);
      } finally {
        tcx.detachAll();
        clsact.detachAll();
      }
    } finally {
      NetLab.sh("rm -rf " + state + " " + tcxDir + " " + clsactDir);
    }
  }

  /** The id of a loaded program (struct bpf_prog_info: type, then id). */
  private static int programId(int fd) {
    byte[] info = new byte[8];
    int[] len = {info.length};
    int rc = io.sluice.ebpf.ffi.Native.bpf().bpf_obj_get_info_by_fd(fd, info, len);
    assertEquals(0, rc, "bpf_obj_get_info_by_fd");
    return ByteBuffer.wrap(info).order(java.nio.ByteOrder.nativeOrder()).getInt(4);
  }
}
