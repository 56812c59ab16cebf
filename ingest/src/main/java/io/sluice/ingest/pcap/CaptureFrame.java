package io.sluice.ingest.pcap;

/**
 * One captured frame.
 *
 * @param timestampNs capture time in nanoseconds since the Unix epoch (UTC)
 * @param linkType the pcap LINKTYPE number of {@code data} (see {@link LinkTypes})
 * @param capturedLength bytes captured, equal to {@code data.length}
 * @param originalLength length of the frame on the wire; larger than capturedLength if truncated by the snap length
 * @param data the captured bytes; owned by this record, never reused by the reader
 */
public record CaptureFrame(long timestampNs, int linkType, int capturedLength, int originalLength, byte[] data) {}
