package io.sluice.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The timeline's differencing and cells, from readings given (no stack). */
class L7TimelineTest {
  @Test
  void threadsAreGroupedByTheirNamesAsProcGivesThem() {
    assertEquals("source", ThreadGroups.group("Source: sluice."));
    assertEquals("fetcher", ThreadGroups.group("Source Data Fet"));
    assertEquals("join+sink", ThreadGroups.group("join dns/http -"));
    assertEquals("reassemble", ThreadGroups.group("reassemble frag"));
    assertEquals("GC", ThreadGroups.group("GC Thread#1"));
    assertEquals("GC", ThreadGroups.group("VM Thread"));
    assertEquals("JIT", ThreadGroups.group("C2 CompilerThre"));
    assertEquals("other", ThreadGroups.group("flink-pekko.act"));
  }

  @Test
  void ticksPerGroupAreTheThreadsDifferencesANewThreadCountsWholeAReusedIdUnderANewNameToo() {
    Map<Long, ThreadGroups.Thread> before = Map.of(
        1L, new ThreadGroups.Thread("join dns/http -", 100, 1_000),
        2L, new ThreadGroups.Thread("GC Thread#0", 40, 500),
        3L, new ThreadGroups.Thread("C1 CompilerThre", 7, 70), // ends before the second reading
        4L, new ThreadGroups.Thread("flink-pekko.act", 5, 50));
    Map<Long, ThreadGroups.Thread> after = Map.of(
        1L, new ThreadGroups.Thread("join dns/http -", 130, 4_000),
        2L, new ThreadGroups.Thread("GC Thread#0", 45, 700),
        4L, new ThreadGroups.Thread("Source: sluice.", 9, 90), // the id taken by a new thread
        5L, new ThreadGroups.Thread("Source Data Fet", 12, 120));
    Map<String, ThreadGroups.Use> use = ThreadGroups.since(before, after);
    assertEquals(new ThreadGroups.Use(30, 3_000, 1), use.get("join+sink"));
    assertEquals(new ThreadGroups.Use(5, 200, 1), use.get("GC"));
    assertEquals(new ThreadGroups.Use(0, 0, 0), use.get("JIT"));
    assertEquals(new ThreadGroups.Use(9, 90, 1), use.get("source"));
    assertEquals(new ThreadGroups.Use(12, 120, 1), use.get("fetcher"));
    assertEquals(new ThreadGroups.Use(0, 0, 0), use.get("other"));
    assertEquals(ThreadGroups.GROUPS, use.keySet().stream().toList());
  }

  @Test
  void collectionsAreDifferencedYoungApartFromFull() {
    Map<String, Double> before = Map.of(
        "Status.JVM.GarbageCollector.PS_Scavenge.Count", 10.0, "Status.JVM.GarbageCollector.PS_Scavenge.Time", 300.0,
        "Status.JVM.GarbageCollector.PS_MarkSweep.Count", 1.0, "Status.JVM.GarbageCollector.PS_MarkSweep.Time", 900.0);
    Map<String, Double> after = Map.of(
        "Status.JVM.GarbageCollector.PS_Scavenge.Count", 14.0, "Status.JVM.GarbageCollector.PS_Scavenge.Time", 380.0,
        "Status.JVM.GarbageCollector.PS_MarkSweep.Count", 2.0, "Status.JVM.GarbageCollector.PS_MarkSweep.Time", 2100.0,
        "Status.JVM.Memory.Heap.Used", 512.0 * (1 << 20));
    assertEquals("4 (80) / 1 (1200), 512 MB", L7Timeline.gcCell(before, after));
  }

  @Test
  void checkpointsArePrintedOnceWhenTheyEndOldestFirst() throws Exception {
    ObjectMapper json = new ObjectMapper();
    Set<Long> seen = new HashSet<>();
    String first = "[{\"id\":2,\"status\":\"IN_PROGRESS\",\"end_to_end_duration\":0,\"checkpointed_size\":0},"
        + "{\"id\":1,\"status\":\"COMPLETED\",\"end_to_end_duration\":2500,\"checkpointed_size\":12300000}]";
    assertEquals("1 2.5 s 12.3 MB", L7Timeline.checkpointsCell(json.readTree(first), seen));
    String second = "[{\"id\":3,\"status\":\"FAILED\",\"end_to_end_duration\":60000,\"checkpointed_size\":0},"
        + "{\"id\":2,\"status\":\"COMPLETED\",\"end_to_end_duration\":11000,\"checkpointed_size\":45600000},"
        + "{\"id\":1,\"status\":\"COMPLETED\",\"end_to_end_duration\":2500,\"checkpointed_size\":12300000}]";
    assertEquals("2 11.0 s 45.6 MB, 3 FAILED 60.0 s", L7Timeline.checkpointsCell(json.readTree(second), seen));
    assertEquals("", L7Timeline.checkpointsCell(json.readTree(second), seen));
  }

  @Test
  void watermarksAreGivenApartAndBehindOnlyWhileAllHaveOne() {
    assertEquals("2.5 / 12.0", L7Timeline.watermarkCell(1_000_000_000_000.0, 1_000_000_002_500.0, 1_000_000_002_500.0 - 12_000));
    assertEquals("-", L7Timeline.watermarkCell(Long.MIN_VALUE, 1_000_000_002_500.0, 1_000_000_000_000.0));
    assertEquals("-", L7Timeline.watermarkCell(1_000_000_000_000.0, 1_000_000_002_500.0, Long.MAX_VALUE));
  }

  @Test
  void aTaskThreadBusyButNeitherRunningNorWaitingForACoreIsBlocked() {
    // 2 join threads busy 800 ms/s on average over 5 s; together 5 s on a core and 2.5 s waiting for one: 0.5 s and
    // 0.25 s a second each, so 800 - 500 - 250 = 50 ms/s blocked: 5 % of the wall time.
    ThreadGroups.Use join = new ThreadGroups.Use(500, 2_500_000_000L, 2);
    assertEquals("5", L7Timeline.blockedCell(800.0, join, 5.0));
    assertEquals("-", L7Timeline.blockedCell(null, join, 5.0));
  }
}
