package io.sluice.ingest.pcap;

import java.io.IOException;

/** One capture file format: yields frames until the end of the file. */
interface FrameSource {
  /** The next frame, or null at a clean end of file. */
  CaptureFrame next() throws IOException;
}
