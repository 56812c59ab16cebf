package io.sluice.ebpf;

import java.nio.file.Path;
import java.util.Set;

/**
 * A loader's attach step in a process of its own, for {@link TcxCrashTest} to kill: attaches the capture programs
 * to one interface of a namespace as tcx links, says "attached" on stdout, and waits to be killed.
 * Arguments: namespace, interface, the attacher's state directory (the test deletes it).
 */
public final class TcxCrashChild {
  public static void main(String[] args) throws Exception {
    try (NetNs ns = new NetNs(args[0]); BpfObject obj = BpfObject.open("sluice", Set.of("capture_ingress", "capture_egress"))) {
      obj.load();
      int ifindex = ns.call(Interfaces::list).entrySet().stream()
          .filter(e -> e.getValue().equals(args[1])).findFirst().orElseThrow().getKey();
      TcAttacher tc = new TcAttacher(ns, Path.of(args[2]), TcAttacher.Mode.TCX);
      tc.attach(ifindex, args[1], obj.programFd("capture_ingress"), obj.programFd("capture_egress"));
      System.out.println("attached " + ifindex);
      System.out.flush();
      Thread.sleep(Long.MAX_VALUE);
    }
  }
}
