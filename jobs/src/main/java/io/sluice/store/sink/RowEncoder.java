package io.sluice.store.sink;

import java.io.Serializable;
import java.util.List;

/** Writes one record as a RowBinary row of a ClickHouse table. */
public interface RowEncoder<T> extends Serializable {
  /** The target table's columns this encoder writes, in order; ingest_batch is appended by the sink. */
  List<String> columns();

  void encode(T record, RowBinary out);
}
