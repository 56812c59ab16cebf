package io.sluice.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** What each process's CPU is divided by in `sluice bench flows`. */
class FlowsBenchDivisorTest {
  @Test
  void eachProcessIsDividedByTheRecordsItWorkedOn() {
    long sent = 1_000, received = 820, landed = 700;
    assertEquals(received, FlowsBench.perRecordOf("collector", sent, received, landed), "kernel drops never reach it");
    assertEquals(received, FlowsBench.perRecordOf("kafka", sent, received, landed));
    assertEquals(sent, FlowsBench.perRecordOf("generator", sent, received, landed));
    assertEquals(landed, FlowsBench.perRecordOf("flink-taskmanager", sent, received, landed));
    assertEquals(landed, FlowsBench.perRecordOf("flink-jobmanager", sent, received, landed));
    assertEquals(landed, FlowsBench.perRecordOf("clickhouse", sent, received, landed));
  }
}
