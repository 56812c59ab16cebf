package io.sluice.jobs.l7;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import org.junit.jupiter.api.Test;

/**
 * A task that fails as the job starts is closed before its state was initialised; an exception from close() then is
 * fatal to the whole TaskManager (seen: an L7Job started on a missing Kafka topic took the TaskManager down).
 */
class ClosedBeforeStateTest {
  @Test
  void triageClosesBeforeItsStateWasInitialised() {
    assertDoesNotThrow(() -> new TriagePackets().close());
  }

  @Test
  void reassemblyClosesBeforeItsStateWasInitialised() {
    assertDoesNotThrow(() -> new ReassembleFragments().close());
  }

  @Test
  void joinClosesBeforeItsStateWasInitialised() {
    assertDoesNotThrow(() -> new JoinConversations().close());
  }
}
