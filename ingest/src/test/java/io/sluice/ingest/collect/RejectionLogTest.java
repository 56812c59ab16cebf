package io.sluice.ingest.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RejectionLogTest {
  @Test
  void atMostOneLinePerMinutePerSourceWithTheCountSinceTheLastLine() {
    List<String> lines = new ArrayList<>();
    AtomicLong clock = new AtomicLong(1_000);
    RejectionLog log = new RejectionLog(lines::add, clock::get);
    for (int i = 0; i < 100; i++) {
      log.rejected("192.0.2.1", n -> "a " + n);
      clock.addAndGet(100_000_000L); // 0.1 s
    }
    log.rejected("192.0.2.2", n -> "b " + n);
    assertEquals(List.of("a 1", "b 1"), lines);
    clock.addAndGet(RejectionLog.INTERVAL_NS);
    log.rejected("192.0.2.1", n -> "a " + n);
    assertEquals(List.of("a 1", "b 1", "a 100"), lines, "the next line counts the 99 silent ones plus this one");
  }
}
