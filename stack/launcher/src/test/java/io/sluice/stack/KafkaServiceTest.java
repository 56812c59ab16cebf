package io.sluice.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

class KafkaServiceTest {
  @Test
  void clusterIdsAreKafkaShapedAndNeverLookLikeAnOption() {
    for (int i = 0; i < 10_000; i++) {
      String id = KafkaService.newClusterId();
      assertEquals(22, id.length(), id);
      assertFalse(id.startsWith("-"), id);
    }
  }
}
