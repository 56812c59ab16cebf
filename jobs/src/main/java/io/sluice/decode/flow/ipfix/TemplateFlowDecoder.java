package io.sluice.decode.flow.ipfix;

import static io.sluice.decode.packet.BigEndian.u16;

import io.sluice.decode.flow.DecodeContext;
import io.sluice.decode.flow.DecodeProblem;
import io.sluice.decode.flow.RecordKind;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * The sets of a NetFlow v9 or IPFIX message: templates are defined in the exporter's state, data
 * sets are decoded with them, and data sets whose template is unknown wait for it in the state
 * ({@link PendingDataSets}). One instance per decoder thread.
 */
public final class TemplateFlowDecoder {
  private final DataRecordDecoder records = new DataRecordDecoder();
  private final SetHeader header = new SetHeader();
  private final SetHeader replayHeader = new SetHeader();
  private DecodeContext ctx;

  private final TemplateSetParser.Registrar registrar =
      new TemplateSetParser.Registrar() {
        @Override
        public void define(SetHeader h, Template t) {
          TemplateCache cache = ctx.state.templates();
          long key = TemplateCache.key(h.ipfix, h.domain, t.id);
          Template old = cache.get(key);
          if (old != null && old.sameFields(t)) return;
          if (!cache.put(key, t)) {
            ctx.problem(DecodeProblem.TEMPLATE_LIMIT);
            return;
          }
          replayPending(key, t);
        }

        @Override
        public void withdraw(SetHeader h, int templateId, boolean options) {
          ctx.counters.record(RecordKind.TEMPLATE_WITHDRAWAL);
          TemplateCache cache = ctx.state.templates();
          if (templateId == 2 || templateId == 3) cache.removeAll(true, h.domain, templateId == 3);
          else cache.remove(TemplateCache.key(true, h.domain, templateId));
        }
      };

  /**
   * Decodes the sets in {@code [p, end)}. Returns the number of data records decoded (flows and
   * options), or -1 when a data set had to wait for its template (its record count is unknown).
   */
  public long decodeSets(byte[] b, int p, int end, boolean ipfix, long domain, long exportTimeSec,
      long sysUptimeMs, long sequence, DecodeContext ctx) {
    this.ctx = ctx;
    SetHeader h = header;
    h.set(ipfix, domain, exportTimeSec, sysUptimeMs, sequence, ctx.receivedNs);
    expire(ctx);
    long dataRecords = 0;
    boolean unknownCount = false;
    int templateSet = ipfix ? 2 : 0;
    int optionsSet = ipfix ? 3 : 1;
    while (end - p >= 4) {
      int id = u16(b, p);
      int length = u16(b, p + 2);
      if (length < 4 || length > end - p) {
        ctx.problem(DecodeProblem.BAD_SET);
        return unknownCount ? -1 : dataRecords;
      }
      int body = p + 4;
      int setEnd = p + length;
      if (id == templateSet) {
        TemplateSetParser.templates(b, body, setEnd, h, ctx, registrar);
      } else if (id == optionsSet) {
        if (ipfix) TemplateSetParser.ipfixOptions(b, body, setEnd, h, ctx, registrar);
        else TemplateSetParser.v9Options(b, body, setEnd, h, ctx, registrar);
      } else if (id >= 256) {
        long key = TemplateCache.key(ipfix, domain, id);
        Template t = ctx.state.templates().get(key);
        if (t != null) {
          dataRecords += records.decode(b, body, setEnd, t, h, ctx);
        } else {
          hold(key, h, Arrays.copyOfRange(b, body, setEnd), ctx);
          unknownCount = true;
        }
      } else {
        ctx.counters.record(RecordKind.UNKNOWN_SET);
      }
      p = setEnd;
    }
    return unknownCount ? -1 : dataRecords;
  }

  private void hold(long key, SetHeader h, byte[] body, DecodeContext ctx) {
    ctx.counters.record(RecordKind.DATA_SET_PENDING);
    int dropped = ctx.state.pending().add(new PendingDataSets.Entry(
        key, h.ipfix, h.domain, h.exportTimeSec, h.sysUptimeMs, h.sequence, h.receivedNs, body));
    if (dropped > 0) ctx.problem(DecodeProblem.PENDING_OVERFLOW, dropped);
  }

  private void expire(DecodeContext ctx) {
    PendingDataSets pending = ctx.state.pending();
    if (pending.isEmpty()) return;
    int expired = pending.expire(ctx.receivedNs);
    if (expired > 0) ctx.problem(DecodeProblem.NO_TEMPLATE_DROPPED, expired);
  }

  private void replayPending(long key, Template t) {
    PendingDataSets pending = ctx.state.pending();
    if (pending.isEmpty()) return;
    ArrayDeque<PendingDataSets.Entry> waiting = pending.take(key);
    if (waiting == null) return;
    long receivedNs = ctx.receivedNs;
    for (PendingDataSets.Entry e : waiting) {
      replayHeader.set(e.ipfix, e.domain, e.exportTimeSec, e.sysUptimeMs, e.sequence, e.receivedNs);
      ctx.receivedNs = e.receivedNs;
      records.decode(e.body, 0, e.body.length, t, replayHeader, ctx);
    }
    ctx.receivedNs = receivedNs;
  }

  /** Counts every data set still waiting for its template as dropped (e.g. at the end of a file). */
  public static void dropPending(DecodeContext ctx) {
    int n = ctx.state.pending().clear();
    if (n > 0) ctx.problem(DecodeProblem.NO_TEMPLATE_DROPPED, n);
  }
}
