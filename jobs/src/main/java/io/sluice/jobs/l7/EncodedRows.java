package io.sluice.jobs.l7;

import io.sluice.store.sink.RowBinary;
import io.sluice.store.sink.RowEncoder;
import java.util.List;

/** Rows the join already encoded as RowBinary (it had the row objects in hand): the sink copies them. */
final class EncodedRows implements RowEncoder<byte[]> {
  private final List<String> columns;

  EncodedRows(List<String> columns) {
    this.columns = List.copyOf(columns);
  }

  @Override
  public List<String> columns() {
    return columns;
  }

  @Override
  public void encode(byte[] row, RowBinary out) {
    out.raw(row);
  }
}
