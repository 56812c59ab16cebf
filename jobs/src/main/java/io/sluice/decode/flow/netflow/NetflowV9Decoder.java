package io.sluice.decode.flow.netflow;

import static io.sluice.decode.packet.BigEndian.u32;

import io.sluice.decode.flow.DecodeContext;
import io.sluice.decode.flow.DecodeProblem;
import io.sluice.decode.flow.SequenceTracker;
import io.sluice.decode.flow.ipfix.TemplateFlowDecoder;

/** NetFlow v9 (RFC 3954): the 20-byte header, then flowsets decoded like IPFIX sets. */
public final class NetflowV9Decoder {
  static final int HEADER = 20;
  static final long SEQUENCE_KEY = 9L << 56;

  private final TemplateFlowDecoder sets;

  public NetflowV9Decoder(TemplateFlowDecoder sets) {
    this.sets = sets;
  }

  public void decode(byte[] b, int off, int len, DecodeContext ctx) {
    if (len < HEADER) {
      ctx.problem(DecodeProblem.TRUNCATED_HEADER);
      return;
    }
    long sysUptime = u32(b, off + 4);
    long unixSecs = u32(b, off + 8);
    long sequence = u32(b, off + 12);
    long sourceId = u32(b, off + 16);
    // The v9 sequence counts export packets per source id.
    SequenceTracker tracker = ctx.state.sequence(SEQUENCE_KEY | sourceId, false);
    if (tracker != null) tracker.observe(sequence, 1);
    // The header's count is not trusted: exporters disagree on what it counts (records, flowsets,
    // data records only), so every flowset is decoded by its length, as nfdump and goflow2 do.
    sets.decodeSets(b, off + HEADER, off + len, false, sourceId, unixSecs, sysUptime, sequence, ctx);
  }
}
