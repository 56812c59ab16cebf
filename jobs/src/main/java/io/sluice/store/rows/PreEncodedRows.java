package io.sluice.store.rows;

import io.sluice.store.sink.RowBinary;
import io.sluice.store.sink.RowEncoder;
import io.sluice.store.sink.RowLayout;
import java.util.List;

/**
 * Rows already encoded as RowBinary upstream (e.g. in the operator that had the decoded object in hand), so
 * they travel through Flink as plain byte arrays instead of one serializer per row type.
 *
 * <p>Once the sink knows the table's column types ({@link #forColumnTypes}), it stages only the columns a row fills,
 * as it does for flows: dns and http rows leave about half their columns empty (EDNS and client subnet, HTTP/2 and
 * gRPC, the process when unknown), and each column left out is one ClickHouse neither parses when staging nor copies
 * when committing (BENCHMARKS.md, "ClickHouse's CPU per L7 row").
 */
public final class PreEncodedRows implements RowEncoder<byte[]> {
  private final List<String> columns;
  /** Null until the types are known, or when a type is not laid out: the rows are then staged whole. */
  private final transient RowLayout layout;

  public PreEncodedRows(List<String> columns) {
    this(columns, null);
  }

  private PreEncodedRows(List<String> columns, RowLayout layout) {
    this.columns = List.copyOf(columns);
    this.layout = layout;
  }

  @Override
  public List<String> columns() {
    return columns;
  }

  /** A new encoder for one writer (the layout remembers the row it last walked). */
  @Override
  public RowEncoder<byte[]> forColumnTypes(List<String> types) {
    RowLayout laid = types.size() == columns.size() ? RowLayout.of(types) : null;
    return new PreEncodedRows(columns, laid);
  }

  @Override
  public long filledColumns(byte[] row) {
    return layout == null ? ALL_COLUMNS : layout.filledColumns(row);
  }

  @Override
  public void encode(byte[] row, RowBinary out) {
    out.raw(row);
  }

  @Override
  public void encode(byte[] row, RowBinary out, long columns) {
    if (layout == null || columns == ALL_COLUMNS) {
      out.raw(row);
    } else {
      layout.copy(row, columns, out);
    }
  }
}
