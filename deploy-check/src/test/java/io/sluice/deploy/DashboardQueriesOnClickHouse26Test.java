package io.sluice.deploy;

import java.io.IOException;

/**
 * {@link DashboardQueriesTest} on ClickHouse 26.7 (chDB, in-process): every panel and variable query of every
 * dashboard, over the whole fixture span and over 1 h, 2 d and 60 d, on the modern schema (LowCardinality, IPv6,
 * codecs, TTL) filled with the same fixture rows.
 */
class DashboardQueriesOnClickHouse26Test extends DashboardQueriesTest {
  @Override
  protected FixtureStore fixtures() throws IOException {
    return FixtureStore.onClickHouse26();
  }
}
