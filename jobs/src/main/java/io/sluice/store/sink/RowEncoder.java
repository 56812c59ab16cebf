package io.sluice.store.sink;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/** Writes one record as a RowBinary row of a ClickHouse table. */
public interface RowEncoder<T> extends Serializable {
  /**
   * A set of {@link #columns()} as a bit mask: bit i is column i for i &lt; 63; columns from the 64th on are always
   * in. All bits: every column.
   */
  long ALL_COLUMNS = -1L;

  /** The target table's columns this encoder writes, in order; ingest_batch is appended by the sink. */
  List<String> columns();

  void encode(T record, RowBinary out);

  /**
   * The columns whose value in this record is not its type's default (0, empty, all-zero bytes, no elements): the
   * others may be left out of the staging insert, and the staging table fills them with that default. An encoder
   * that does not know says {@link #ALL_COLUMNS}.
   */
  default long filledColumns(T record) {
    return ALL_COLUMNS;
  }

  /**
   * Writes only {@code columns} (a superset of {@link #filledColumns}), in the order of {@link #columns()}. Encoders
   * that override {@link #filledColumns} override this too.
   */
  default void encode(T record, RowBinary out, long columns) {
    encode(record, out);
  }

  /**
   * This encoder for a table whose {@link #columns()} have these ClickHouse types (as system.columns names them, in
   * the same order), once the sink has read them from the server. Encoders that know their types ignore them.
   */
  default RowEncoder<T> forColumnTypes(List<String> types) {
    return this;
  }

  /** The names of the columns in the set, in order. */
  static List<String> columnsIn(List<String> all, long columns) {
    if (columns == ALL_COLUMNS) {
      return all;
    }
    List<String> chosen = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      if (has(columns, i)) {
        chosen.add(all.get(i));
      }
    }
    return chosen;
  }

  /** Whether column {@code i} is in the set. */
  static boolean has(long columns, int i) {
    return i >= 63 || (columns & (1L << i)) != 0;
  }
}
