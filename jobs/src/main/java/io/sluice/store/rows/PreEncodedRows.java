package io.sluice.store.rows;

import io.sluice.store.sink.RowBinary;
import io.sluice.store.sink.RowEncoder;
import java.util.List;

/**
 * Rows already encoded as RowBinary upstream (e.g. in the operator that had the decoded object in hand), so
 * they travel through Flink as plain byte arrays instead of one serializer per row type.
 */
public final class PreEncodedRows implements RowEncoder<byte[]> {
  private final List<String> columns;

  public PreEncodedRows(List<String> columns) {
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
