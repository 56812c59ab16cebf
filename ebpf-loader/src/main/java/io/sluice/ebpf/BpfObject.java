package io.sluice.ebpf;

import io.sluice.ebpf.ffi.BpfException;
import io.sluice.ebpf.ffi.LibBpf;
import io.sluice.ebpf.ffi.Native;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jnr.ffi.Pointer;

/** One BPF ELF object from this jar's resources (built by src/main/c/build.sh), opened with libbpf. */
public final class BpfObject implements AutoCloseable {
  private final LibBpf bpf = Native.bpf();
  private final Pointer obj;
  private final Map<String, Pointer> links = new LinkedHashMap<>();

  private BpfObject(Pointer obj) {
    this.obj = obj;
  }

  /** Opens resource bpf/NAME.bpf.o with only the given programs set to load. */
  public static BpfObject open(String name, Collection<String> programs) {
    Path file = extract(name);
    LibBpf bpf = Native.bpf();
    Pointer obj = bpf.bpf_object__open_file(file.toString(), null);
    int errno = Native.lastErrno();
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // a temporary file; the OS cleans /tmp
    }
    if (obj == null) {
      throw BpfException.of("cannot open BPF object " + name, errno);
    }
    BpfObject o = new BpfObject(obj);
    for (String p : programNames(name)) {
      o.bpf.bpf_program__set_autoload(o.program(p), programs.contains(p));
    }
    return o;
  }

  /** Every program in the object; listed here because libbpf 1.1 iteration needs a pointer walk. */
  static List<String> programNames(String object) {
    return switch (object) {
      case "sluice" -> List.of("capture_ingress", "capture_egress", "state_btf", "state_raw", "retransmit_btf",
          "retransmit_raw", "udp_send_btf", "udp_send_raw");
      case "probe" -> List.of("probe_fentry", "probe_fexit", "probe_kprobe", "probe_tp_btf", "probe_raw_tp",
          "probe_tc");
      default -> throw new IllegalArgumentException(object);
    };
  }

  private static Path extract(String name) {
    String resource = "/bpf/" + name + ".bpf.o";
    try (InputStream in = BpfObject.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new BpfException(resource + " is not on the class path: build ebpf-loader with Maven (needs clang, bpftool, BTF)");
      }
      Path file = Files.createTempFile("sluice-" + name, ".bpf.o");
      Files.write(file, in.readAllBytes());
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public void setMaxEntries(String map, int entries) {
    check(bpf.bpf_map__set_max_entries(map(map), entries), "set size of map " + map);
  }

  public void load() {
    check(bpf.bpf_object__load(obj), "load BPF programs (the verifier log is above on stderr)");
  }

  public Pointer program(String name) {
    Pointer p = bpf.bpf_object__find_program_by_name(obj, name);
    if (p == null) {
      throw new BpfException("no BPF program " + name);
    }
    return p;
  }

  public int programFd(String name) {
    return bpf.bpf_program__fd(program(name));
  }

  private Pointer map(String name) {
    Pointer m = bpf.bpf_object__find_map_by_name(obj, name);
    if (m == null) {
      throw new BpfException("no BPF map " + name);
    }
    return m;
  }

  public int mapFd(String name) {
    return bpf.bpf_map__fd(map(name));
  }

  /** Attaches a tracing program (tp_btf, raw_tp, fentry, kprobe) where its section name says. */
  public void attach(String program) {
    Pointer link = bpf.bpf_program__attach(program(program));
    if (link == null) {
      throw BpfException.of("cannot attach " + program, Native.lastErrno());
    }
    links.put(program, link);
  }

  /** Detaches one tracing program attached by {@link #attach}, if it is; it stays loaded. */
  public void detach(String program) {
    Pointer link = links.remove(program);
    if (link != null) {
      bpf.bpf_link__destroy(link);
    }
  }

  static void check(int rc, String what) {
    if (rc < 0) {
      throw BpfException.of("cannot " + what, rc);
    }
  }

  /** Detaches every tracing program attached so far; they stay loaded and can be attached again. */
  public void detachLinks() {
    for (Pointer l : links.values()) {
      bpf.bpf_link__destroy(l);
    }
    links.clear();
  }

  /** Detaches links (the kernel also drops them when the process dies) and frees programs and maps. */
  @Override
  public void close() {
    detachLinks();
    bpf.bpf_object__close(obj);
  }
}
