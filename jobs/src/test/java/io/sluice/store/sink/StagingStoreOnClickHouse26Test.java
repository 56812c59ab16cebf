package io.sluice.store.sink;

import io.sluice.store.ClickHouseSql;
import io.sluice.store.chdb.Chdb;

/** {@link StagingStoreTest}'s commit protocol, the same statements, on ClickHouse 26.7 (chDB, in-process). */
class StagingStoreOnClickHouse26Test extends StagingStoreTest {
  @Override
  protected ClickHouseSql server() {
    return Chdb.clickHouse();
  }

  @Override
  protected String url() {
    return "chdb:in-process"; // not dialled: the store gets its connection from server()
  }
}
