package io.sluice.cli.decode;

import io.sluice.decode.flow.CaptureFlowDecoder;
import io.sluice.decode.flow.DecodeCounters;
import io.sluice.decode.flow.DecodeProblem;
import io.sluice.decode.flow.ExporterState;
import io.sluice.decode.flow.FlowRecord;
import io.sluice.decode.flow.RecordKind;
import io.sluice.decode.flow.SequenceTracker;
import java.io.PrintWriter;
import java.util.Map;
import java.util.TreeMap;

/** Totals over the decoded records, printed after them. */
final class DecodeSummary {
  private long flows;
  private long sampledBytes;
  private long sampledPackets;
  private long estBytes;
  private long estPackets;
  private long flowsWithoutRate;
  private final Map<String, Long> rates = new TreeMap<>();

  void add(FlowRecord r) {
    flows++;
    sampledBytes += r.sampledBytes;
    sampledPackets += r.sampledPackets;
    estBytes += r.estBytes;
    estPackets += r.estPackets;
    if (r.samplingRate == 0) flowsWithoutRate++;
    rates.merge(r.samplingRateSource.column() + (r.samplingRate == 0 ? "" : " " + r.samplingRate), 1L, Long::sum);
  }

  void print(PrintWriter out, CaptureFlowDecoder decoder, int frames) {
    DecodeCounters c = decoder.counters();
    out.println("# summary");
    out.println("frames: " + frames + " (without a UDP datagram: " + decoder.framesWithoutUdp() + ", IP fragments: " + decoder.fragments() + ")");
    out.print("datagrams:");
    c.datagrams().forEach((t, n) -> out.print(" " + t.column() + "=" + n));
    out.println();
    out.print("records:");
    for (Map.Entry<RecordKind, Long> e : c.records().entrySet()) out.print(" " + e.getKey().key() + "=" + e.getValue());
    out.println();
    out.println("sampled: bytes=" + sampledBytes + " packets=" + sampledPackets);
    out.println("corrected: bytes=" + estBytes + " packets=" + estPackets
        + (flowsWithoutRate > 0 ? " (" + flowsWithoutRate + " of " + flows + " flows have no known rate and are not counted)" : ""));
    out.print("sampling rates (source rate=flows):");
    rates.forEach((k, n) -> out.print(" " + k.replace(' ', '/') + "=" + n));
    out.println();
    long lostDatagrams = 0, lostRecords = 0, reorders = 0, restarts = 0;
    for (ExporterState s : decoder.exporters().values()) {
      for (SequenceTracker t : s.sequenceTrackers()) {
        if (t.countsRecords()) lostRecords += t.lost();
        else lostDatagrams += t.lost();
        reorders += t.reorders();
        restarts += t.restarts();
      }
    }
    out.println("sequence: lost_datagrams=" + lostDatagrams + " lost_records=" + lostRecords + " reorders=" + reorders + " restarts=" + restarts);
    Map<DecodeProblem, Long> problems = c.problems();
    if (problems.isEmpty()) {
      out.println("problems: none");
    } else {
      out.println("problems:");
      problems.forEach((p, n) -> out.println("  " + p.reason() + "=" + n + "  (" + p.description() + ")"));
    }
  }
}
