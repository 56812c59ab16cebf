package io.sluice.jobs.l7;

import io.sluice.decode.l7.L7Problem;
import io.sluice.decode.packet.PacketHeader;
import io.sluice.decode.packet.PacketParser;
import io.sluice.jobs.DecodeFaults;
import io.sluice.l7.IpDefragmenter;
import io.sluice.l7.L7Config;
import io.sluice.l7.L7Engine;
import io.sluice.l7.L7Summary;
import io.sluice.l7.reassembly.MemoryBudget;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Reassembles one IP datagram per key (node, addresses, protocol, IP id) before the conversation keyBy, since
 * only a reassembled datagram has ports. The keyed state is the fragments received so far (at most
 * {@code IpDefragmenter}'s limits); each new fragment replays them through the offline {@link IpDefragmenter}, so
 * both paths reassemble, and count problems, identically. An event-time timer drops a datagram still incomplete
 * after the fragment timeout.
 */
final class ReassembleFragments extends KeyedProcessFunction<String, KeyedPacket, KeyedPacket>
    implements CheckpointedFunction {
  private transient NodeSummaries summaries;
  private transient L7Config config;
  private transient ValueState<byte[]> fragments;
  private transient ValueState<Long> timer;
  private transient PacketHeader header;

  @Override
  public void open(OpenContext context) {
    config = L7Config.defaults();
    header = new PacketHeader();
    fragments = getRuntimeContext().getState(
        new ValueStateDescriptor<>("fragments", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
    timer = getRuntimeContext().getState(new ValueStateDescriptor<>("timer", Types.LONG));
    summaries.registerMetrics(getRuntimeContext());
  }

  @Override
  public void processElement(KeyedPacket p, Context ctx, Collector<KeyedPacket> out) throws Exception {
    L7Summary summary = summaries.of(p.node());
    try {
      reassemble(p, summary, ctx, out);
    } catch (RuntimeException | StackOverflowError fault) {
      DecodeFaults.rethrowIfNotContainable(fault);
      DecodeFaults.log("reassemble fragments", p.node(), fault);
      summary.problems.add(L7Problem.DECODER_EXCEPTION);
      header = new PacketHeader();
      clear(ctx); // the datagram's fragments go with it
    }
  }

  private void reassemble(KeyedPacket p, L7Summary summary, Context ctx, Collector<KeyedPacket> out) throws Exception {
    byte[] saved = fragments.value();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream list = new DataOutputStream(bytes);
    L7Summary replay = new L7Summary();
    IpDefragmenter defragmenter = new IpDefragmenter(1, config.fragmentTimeoutNs(),
        new MemoryBudget(Long.MAX_VALUE), replay);
    long firstNs = p.capturedNs;
    if (saved != null) {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(saved));
      firstNs = in.readLong();
      list.writeLong(firstNs);
      for (int n = in.readInt(), i = 0; i < n; i++) {
        long ns = in.readLong();
        int linkType = in.readInt();
        byte[] data = new byte[in.readInt()];
        in.readFully(data);
        offer(defragmenter, ns, linkType, data);
        write(list, ns, linkType, data);
      }
    } else {
      list.writeLong(firstNs);
    }
    Map<String, Long> before = replay.counts();
    byte[] whole = offer(defragmenter, p.capturedNs, p.linkType, p.data);
    Map<String, Long> after = replay.counts();
    after.replaceAll((name, n) -> n - before.get(name));
    summary.add(after); // only what this fragment caused: the others were counted when they arrived

    if (whole != null || defragmenter.size() == 0) {
      clear(ctx);
      if (whole != null && PacketParser.parseIp(whole, 0, whole.length, header)
          && L7Engine.worthKeying(header, whole, config, summary)) {
        out.collect(new KeyedPacket(PacketKeys.conversation(p.node(), header),
            defragmenter.completedStartNs(), PacketParser.LINKTYPE_RAW, whole));
      }
      return;
    }
    write(list, p.capturedNs, p.linkType, p.data);
    fragments.update(withCount(bytes.toByteArray(), saved));
    if (timer.value() == null) {
      long at = Math.floorDiv(firstNs + config.fragmentTimeoutNs(), 1_000_000L);
      ctx.timerService().registerEventTimeTimer(at);
      timer.update(at);
    }
  }

  private byte[] offer(IpDefragmenter defragmenter, long ns, int linkType, byte[] data) {
    PacketHeader h = PacketParser.parse(linkType, data, 0, data.length, header) && header.vxlan
        && header.inner.layer >= 3 ? header.inner : header;
    return h.isFragment() ? defragmenter.offer(h, data, data.length, ns) : null;
  }

  private static void write(DataOutputStream list, long ns, int linkType, byte[] data) throws IOException {
    list.writeLong(ns);
    list.writeInt(linkType);
    list.writeInt(data.length);
    list.write(data);
  }

  /** The list is written as firstNs, then entries; the count goes after firstNs. */
  private static byte[] withCount(byte[] entries, byte[] saved) throws IOException {
    int count = saved == null ? 1 : new DataInputStream(new ByteArrayInputStream(saved, 8, 4)).readInt() + 1;
    ByteArrayOutputStream out = new ByteArrayOutputStream(entries.length + 4);
    out.write(entries, 0, 8);
    new DataOutputStream(out).writeInt(count);
    out.write(entries, 8, entries.length - 8);
    return out.toByteArray();
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<KeyedPacket> out) throws Exception {
    timer.clear();
    if (fragments.value() != null) {
      summaries.of(PacketKeys.node(ctx.getCurrentKey())).problems.add(L7Problem.IP_FRAGMENT_TIMEOUT);
      fragments.clear();
    }
  }

  private void clear(Context ctx) throws Exception {
    fragments.clear();
    Long at = timer.value();
    if (at != null) {
      ctx.timerService().deleteEventTimeTimer(at);
      timer.clear();
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
    summaries.initialize(context, "l7-fragments-summary");
  }
}
