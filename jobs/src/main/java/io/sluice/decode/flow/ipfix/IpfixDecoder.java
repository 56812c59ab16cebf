package io.sluice.decode.flow.ipfix;

import static io.sluice.decode.packet.BigEndian.u16;
import static io.sluice.decode.packet.BigEndian.u32;

import io.sluice.decode.flow.DecodeContext;
import io.sluice.decode.flow.DecodeProblem;
import io.sluice.decode.flow.SequenceTracker;

/** IPFIX (RFC 7011): the 16-byte message header, then sets. */
public final class IpfixDecoder {
  static final int HEADER = 16;
  static final long SEQUENCE_KEY = 10L << 56;

  private final TemplateFlowDecoder sets;

  public IpfixDecoder(TemplateFlowDecoder sets) {
    this.sets = sets;
  }

  public void decode(byte[] b, int off, int len, DecodeContext ctx) {
    if (len < HEADER) {
      ctx.problem(DecodeProblem.TRUNCATED_HEADER);
      return;
    }
    int length = u16(b, off + 2);
    if (length < HEADER || length > len) {
      ctx.problem(DecodeProblem.BAD_LENGTH);
      if (length < HEADER) return;
      length = len;
    }
    long exportTime = u32(b, off + 4);
    long sequence = u32(b, off + 8);
    long domain = u32(b, off + 12);
    long records = sets.decodeSets(b, off + HEADER, off + length, true, domain, exportTime, -1, sequence, ctx);
    // The IPFIX sequence counts data records; a set waiting for its template makes the count unknown.
    SequenceTracker tracker = ctx.state.sequence(SEQUENCE_KEY | domain, true);
    if (tracker != null) tracker.observe(sequence, records);
  }
}
