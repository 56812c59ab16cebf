package io.sluice.jobs.l7;

import io.sluice.decode.l7.L7Problem;
import io.sluice.decode.packet.PacketHeader;
import io.sluice.jobs.DecodeFaults;
import io.sluice.l7.L7Config;
import io.sluice.l7.L7Engine;
import io.sluice.l7.L7Summary;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Parses each frame once, before any shuffle: drops (and counts) what carries nothing for L7, keys the rest by
 * node and conversation, and sends IP fragments aside, keyed by their datagram, to be reassembled first.
 */
final class TriagePackets extends ProcessFunction<CapturedFrame, KeyedPacket> implements CheckpointedFunction {
  static final OutputTag<KeyedPacket> FRAGMENTS = new OutputTag<>("fragments", TypeInformation.of(KeyedPacket.class));

  private transient NodeSummaries summaries;
  private transient L7Config config;
  private transient PacketHeader header;
  private transient PacketKeys.Builder keys;

  @Override
  public void open(OpenContext context) {
    config = L7Config.defaults();
    header = new PacketHeader();
    keys = new PacketKeys.Builder();
    summaries.registerMetrics(getRuntimeContext());
  }

  @Override
  public void processElement(CapturedFrame f, Context ctx, Collector<KeyedPacket> out) {
    L7Summary summary = summaries.of(f.node);
    try {
      triage(f, summary, ctx, out);
    } catch (RuntimeException | StackOverflowError fault) {
      DecodeFaults.rethrowIfNotContainable(fault);
      DecodeFaults.log("triage", f.node, fault);
      summary.problems.add(L7Problem.DECODER_EXCEPTION);
      header = new PacketHeader();
    }
  }

  private void triage(CapturedFrame f, L7Summary summary, Context ctx, Collector<KeyedPacket> out) {
    PacketHeader h = L7Engine.triage(f.linkType, f.data, f.offset, f.length, header, summary);
    if (h == null) {
      return;
    }
    KeyedPacket keyed;
    boolean fragment = L7Engine.reassembles(h);
    if (fragment) {
      keyed = new KeyedPacket(PacketKeys.fragment(f.node, h), f.capturedNs, f.linkType, f.data, f.offset, f.length);
    } else if (L7Engine.worthKeying(h, f.data, config, summary)) {
      keyed = new KeyedPacket(keys.conversation(f.node, h), f.capturedNs, f.linkType, f.data, f.offset, f.length);
    } else {
      return;
    }
    try {
      if (fragment) {
        ctx.output(FRAGMENTS, keyed);
      } else {
        out.collect(keyed);
      }
    } catch (RuntimeException downstream) {
      throw new DecodeFaults.Downstream(downstream);
    }
  }

  @Override
  public void close() {
    // A task cancelled before its state was initialised (the job failed as it started) is closed too: an exception
    // here is fatal to the whole TaskManager.
    if (summaries != null) {
      summaries.publish(getRuntimeContext());
    }
  }

  @Override
  public void snapshotState(FunctionSnapshotContext context) throws Exception {
    summaries.snapshot();
  }

  @Override
  public void initializeState(FunctionInitializationContext context) throws Exception {
    summaries = new NodeSummaries();
    summaries.initialize(context, "l7-triage-summary");
  }
}
