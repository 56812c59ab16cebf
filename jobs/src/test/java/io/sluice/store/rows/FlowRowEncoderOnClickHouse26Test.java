package io.sluice.store.rows;

import io.sluice.store.ClickHouseSql;
import io.sluice.store.chdb.Chdb;

/** {@link FlowRowEncoderTest} on ClickHouse 26.7 (chDB): the encoded rows in IPv6 and LowCardinality columns. */
class FlowRowEncoderOnClickHouse26Test extends FlowRowEncoderTest {
  @Override
  protected ClickHouseSql server() {
    return Chdb.clickHouse();
  }
}
