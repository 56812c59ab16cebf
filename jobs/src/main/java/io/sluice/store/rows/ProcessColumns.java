package io.sluice.store.rows;

import io.sluice.l7.L7Process;
import io.sluice.store.sink.RowBinary;
import java.util.List;
import java.util.stream.Stream;

/** The process columns every L7 row ends with (dns, http), written in one order for both tables. */
final class ProcessColumns {
  static final List<String> NAMES = List.of("pid", "comm", "container", "pod", "pod_namespace", "cgroup_id");
  /** The tls table's: it has no pod columns (sql/018_tls.sql). */
  static final List<String> WITHOUT_POD = List.of("pid", "comm", "container", "cgroup_id");

  private ProcessColumns() {}

  static void write(L7Process process, RowBinary out) {
    out.uint32(process.pid()).string(process.comm()).string(process.container()).string(process.pod())
        .string(process.podNamespace()).uint64(process.cgroupId());
  }

  static void writeWithoutPod(L7Process process, RowBinary out) {
    out.uint32(process.pid()).string(process.comm()).string(process.container()).uint64(process.cgroupId());
  }

  /** The table's own columns followed by the process columns. */
  static List<String> after(List<String> columns) {
    return Stream.concat(columns.stream(), NAMES.stream()).toList();
  }
}
