package io.sluice.l7;

import io.sluice.ingest.pcap.CaptureFrame;
import io.sluice.ingest.pcap.CaptureReader;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Runs a capture file through the {@link L7Engine}: the offline `sluice l7` and the oracle tests use this.
 * The watermark trails the capture time by {@link L7Config#OUT_OF_ORDERNESS_NS}, as the L7Job's does, so
 * timeouts fire exactly as they would live.
 */
public final class L7Replay {
  private L7Replay() {}

  public static L7Summary run(Path capture, L7Config config, L7Sink sink) throws IOException {
    try (CaptureReader reader = CaptureReader.open(capture)) {
      return run(reader, config, sink);
    } catch (java.io.UncheckedIOException e) {
      throw e.getCause(); // a corrupt file, found while iterating
    }
  }

  /** The same over frames already read (e.g. cut as the loader cuts them). */
  public static L7Summary run(Iterable<CaptureFrame> frames, L7Config config, L7Sink sink) {
    L7Engine engine = new L7Engine(config, sink);
    long watermark = Long.MIN_VALUE;
    for (CaptureFrame frame : frames) {
      engine.onFrame(frame.timestampNs(), frame.linkType(), frame.data(), frame.capturedLength());
      // Captures are nearly in time order; a frame from the past must not move event time back.
      watermark = Math.max(watermark, frame.timestampNs() - L7Config.OUT_OF_ORDERNESS_NS);
      engine.advanceWatermark(watermark);
    }
    engine.finish();
    return engine.summary();
  }
}
