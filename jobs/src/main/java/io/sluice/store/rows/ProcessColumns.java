package io.sluice.store.rows;

import io.sluice.l7.L7Process;
import io.sluice.store.sink.RowBinary;
import java.util.List;
import java.util.stream.Stream;

/** The process columns every L7 row ends with (dns, http, tls), written in one order for all three tables. */
final class ProcessColumns {
  static final List<String> NAMES = List.of("pid", "comm", "container", "pod", "pod_namespace", "cgroup_id");

  private ProcessColumns() {}

  static void write(L7Process process, RowBinary out) {
    out.uint32(process.pid()).string(process.comm()).string(process.container()).string(process.pod())
        .string(process.podNamespace()).uint64(process.cgroupId());
  }

  /** The table's own columns followed by the process columns. */
  static List<String> after(List<String> columns) {
    return Stream.concat(columns.stream(), NAMES.stream()).toList();
  }
}
