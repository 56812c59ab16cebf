package io.sluice.store.views;

import io.sluice.store.ClickHouseSql;
import io.sluice.store.chdb.Chdb;

/** {@link FlowProcessesViewTest} on ClickHouse 26.7 (chDB, in-process). */
class FlowProcessesViewOnClickHouse26Test extends FlowProcessesViewTest {
  @Override
  protected ClickHouseSql server() {
    return Chdb.clickHouse();
  }
}
