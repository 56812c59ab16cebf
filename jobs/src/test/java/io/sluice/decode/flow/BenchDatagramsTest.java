package io.sluice.decode.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.decode.bench.FlowDecodeBenchmarkCheck;
import org.junit.jupiter.api.Test;

/** The benchmark datagrams decode as intended, so the numbers measure real work. */
class BenchDatagramsTest {
  @Test
  void benchmarkDatagramsDecodeCleanly() {
    DecodeCounters counters = FlowDecodeBenchmarkCheck.run();
    // Their exporter times are not near the (synthetic) receive times: counted at receive time, nothing else.
    assertEquals(0, counters.totalProblems() - counters.problems(DecodeProblem.TIME_OUT_OF_RANGE), counters.problems().toString());
    assertEquals(30 + 30 + 8, counters.records(RecordKind.FLOW));
  }
}
