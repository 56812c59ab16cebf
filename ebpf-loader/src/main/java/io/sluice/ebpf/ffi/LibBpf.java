package io.sluice.ebpf.ffi;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;

/** The part of libbpf.so.1 (1.1 or later) the loader calls. Int results are 0 or -errno. */
public interface LibBpf {
  @SaveError Pointer bpf_object__open_file(String path, Pointer opts);
  int bpf_object__load(Pointer obj);
  void bpf_object__close(Pointer obj);
  Pointer bpf_object__find_program_by_name(Pointer obj, String name);
  Pointer bpf_object__find_map_by_name(Pointer obj, String name);

  int bpf_program__set_autoload(Pointer prog, boolean autoload);
  int bpf_program__fd(Pointer prog);
  @SaveError Pointer bpf_program__attach(Pointer prog);
  int bpf_link__destroy(Pointer link);
  /** Returns the link's descriptor or -errno; opts may be null. A tcx link: targetFd is the ifindex. */
  int bpf_link_create(int progFd, int targetFd, int attachType, Pointer opts);
  /** A tcx query: targetFd is the ifindex; progCnt is the room in progIds in, the count out. */
  int bpf_prog_query(int targetFd, int attachType, int queryFlags, @Out int[] attachFlags, @Out int[] progIds, @In @Out int[] progCnt);

  int bpf_map__fd(Pointer map);
  int bpf_map__set_max_entries(Pointer map, int maxEntries);
  int bpf_map_update_elem(int fd, @In byte[] key, @In byte[] value, long flags);
  int bpf_map_lookup_elem(int fd, @In byte[] key, @Out byte[] value);
  int bpf_map_delete_elem(int fd, @In byte[] key);
  int bpf_map_get_next_key(int fd, @In byte[] key, @Out byte[] nextKey);

  /** info: struct bpf_map_info (max_entries at offset 16); infoLen: its size in, the kernel's out. */
  int bpf_obj_get_info_by_fd(int fd, @Out byte[] info, @In @Out int[] infoLen);

  int bpf_tc_hook_create(Pointer hook);
  int bpf_tc_hook_destroy(Pointer hook);
  int bpf_tc_attach(Pointer hook, Pointer opts);
  int bpf_tc_detach(Pointer hook, Pointer opts);
  int bpf_tc_query(Pointer hook, Pointer opts);

  int libbpf_num_possible_cpus();
  int libbpf_major_version();
  int libbpf_minor_version();
}
