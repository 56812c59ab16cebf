package io.sluice.ingest.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class CollectorConfigTest {
  @Test
  void compressionTakesTheProducersCodecsAndNamesABadOne() {
    for (String codec : CollectorConfig.COMPRESSIONS) {
      assertEquals(codec, CollectorConfig.defaults().compression(codec).compression);
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CollectorConfig.defaults().compression("LZ4"));
    assertEquals("compression \"LZ4\" is not one of none, gzip, snappy, lz4, zstd", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> CollectorConfig.defaults().compression(null));
  }
}
