package io.sluice.jobs.l7;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JoinTimersTest {
  private final JoinTimers timers = new JoinTimers();
  private final List<String> fired = new ArrayList<>();

  private void advance(long watermark) throws Exception {
    timers.advance(watermark, (key, ms) -> fired.add(key + "@" + ms));
  }

  @Test
  void timersFireOnceTheWatermarkReachesThemEarliestFirst() throws Exception {
    for (long ms : new long[] {50, 7, 30, 7, 90, 12, 30, 1}) {
      timers.register("k" + ms, ms);
    }
    advance(29);
    assertEquals(List.of("k1@1", "k7@7", "k7@7", "k12@12"), fired, "in time order, a key registered twice fires twice");
    assertEquals(4, timers.pending());
    fired.clear();
    advance(30);
    assertEquals(List.of("k30@30", "k30@30"), fired);
    fired.clear();
    advance(Long.MAX_VALUE);
    assertEquals(List.of("k50@50", "k90@90"), fired);
    assertEquals(0, timers.pending());
  }

  @Test
  void aTimerRegisteredWhileFiringAtOrBeforeTheWatermarkFiresInTheSameAdvance() throws Exception {
    timers.register("a", 10);
    timers.register("b", 20);
    timers.advance(15, (key, ms) -> {
      fired.add(key + "@" + ms);
      if (key.equals("a")) {
        timers.register("late", 10); // the millisecond being fired
        timers.register("later", 12);
        timers.register("next", 16);
      }
    });
    assertEquals(List.of("a@10", "late@10", "later@12"), fired);
    assertEquals(2, timers.pending());
  }

  @Test
  void manyMillisecondsComeOutInOrder() throws Exception {
    java.util.Random random = new java.util.Random(7);
    List<Long> times = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      long ms = random.nextInt(100_000);
      times.add(ms);
      timers.register("k", ms);
    }
    List<Long> seen = new ArrayList<>();
    for (long w = 0; w <= 100_000; w += 997) {
      timers.advance(w, (key, ms) -> seen.add(ms));
    }
    timers.advance(Long.MAX_VALUE, (key, ms) -> seen.add(ms));
    times.sort(null);
    assertEquals(times, seen);
  }
}
