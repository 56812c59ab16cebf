package io.sluice.store.chdb;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.types.size_t;

/**
 * The part of chDB's C API (programs/local/chdb.h of chdb-io/chdb) the tests use. A connection is a
 * {@code chdb_connection *} from chdb_connect; the other calls take the {@code chdb_connection} it points to.
 */
public interface LibChdb {
  String chdb_version();

  /** Whether chDB installs its own handlers for fatal signals; off, so the JVM keeps its own. */
  void chdb_set_signal_handlers_enabled(int enabled);

  /** @return a {@code chdb_connection *}, or null */
  Pointer chdb_connect(int argc, String[] argv);

  /** @param conn the {@code chdb_connection *} chdb_connect returned */
  void chdb_close_conn(Pointer conn);

  Pointer chdb_query_n(Pointer conn, @In byte[] query, @size_t long queryLength, @In byte[] format, @size_t long formatLength);

  Pointer chdb_result_buffer(Pointer result);

  @size_t long chdb_result_length(Pointer result);

  String chdb_result_error(Pointer result);

  long chdb_result_rows_read(Pointer result);

  long chdb_result_rows_written(Pointer result);

  double chdb_result_elapsed(Pointer result);

  void chdb_destroy_query_result(Pointer result);

  /** @param query an INSERT without FORMAT or data; the rows follow through chdb_stream_append */
  Pointer chdb_stream_insert_n(Pointer conn, @In byte[] query, @size_t long queryLength, @In byte[] format,
      @size_t long formatLength);

  String chdb_stream_insert_error(Pointer stream);

  int chdb_stream_append(Pointer stream, @In byte[] data, @size_t long length);

  Pointer chdb_stream_done(Pointer stream);

  void chdb_destroy_insert_stream(Pointer stream);
}
