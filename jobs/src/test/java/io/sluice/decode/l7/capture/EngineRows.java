package io.sluice.decode.l7.capture;

import io.sluice.l7.DnsRow;
import io.sluice.l7.Http2Row;
import io.sluice.l7.HttpRow;
import io.sluice.l7.L7Config;
import io.sluice.l7.L7Replay;
import io.sluice.l7.L7Sink;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A capture through the L7 engine as `sluice l7` runs it, or with every conversation written to bytes and read back
 * after each packet as the L7Job's keyed state holds it: the HTTP/1 rows and each HTTP/2 row's columns.
 */
record EngineRows(List<HttpRow> http1, List<Map<String, Object>> http2) {
  static EngineRows of(Path capture, boolean keyedState) throws Exception {
    EngineRows rows = new EngineRows(new ArrayList<>(), new ArrayList<>());
    L7Sink sink = new L7Sink() {
      @Override
      public void dns(DnsRow row) {}

      @Override
      public void http(HttpRow row) {
        rows.http1.add(row);
      }

      @Override
      public void http2(Http2Row row) {
        rows.http2.add(row.columns("test"));
      }
    };
    if (keyedState) {
      KeyedStateReplay.run(capture, sink);
    } else {
      L7Replay.run(capture, L7Config.defaults(), sink);
    }
    return rows;
  }
}
