package io.sluice.cli.demo.exporter;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An sFlow v5 agent (sflow.org sFlow Version 5): flow samples of one sampled packet each (raw Ethernet header,
 * extended router and extended gateway records) and, every {@link #COUNTER_INTERVAL_MS}, a generic interface
 * counter sample per interface whose octet counters grow with the traffic sampled there. Pure: bytes out.
 */
public final class SflowEncoder {
  static final long COUNTER_INTERVAL_MS = 20_000;
  private static final int MAX_DATAGRAM = 1400;
  private static final int HEADER_BYTES = 128;

  private final byte[] agent;
  private final int subAgent;
  private final long samplingRate;
  private final Site site;
  private final long bootMs;
  private long datagramSequence;
  private long flowSequence;
  private long samplePool;
  private long counterSequence;
  private long nextCountersMs;
  private final long[] inOctets;
  private final long[] outOctets;
  private final long[] inPackets;
  private final long[] outPackets;

  public SflowEncoder(byte[] agent, int subAgent, long samplingRate, Site site, long bootMs) {
    this.agent = agent.clone();
    this.subAgent = subAgent;
    this.samplingRate = samplingRate;
    this.site = site;
    this.bootMs = bootMs;
    int n = site.interfaces().size();
    inOctets = new long[n];
    outOctets = new long[n];
    inPackets = new long[n];
    outPackets = new long[n];
  }

  /** The datagrams for these flows, each flow one flow sample, then the counter samples if they are due. */
  public List<byte[]> encode(List<DemoFlow> flows, long nowMs) {
    List<byte[]> datagrams = new ArrayList<>();
    List<byte[]> samples = new ArrayList<>();
    for (DemoFlow flow : flows) {
      samples.add(flowSample(flow));
    }
    if (nowMs >= nextCountersMs) {
      nextCountersMs = nowMs + COUNTER_INTERVAL_MS;
      for (int i = 0; i < site.interfaces().size(); i++) {
        samples.add(counterSample(i));
      }
    }
    List<byte[]> batch = new ArrayList<>();
    int size = 28;
    for (byte[] sample : samples) {
      if (size + sample.length > MAX_DATAGRAM && !batch.isEmpty()) {
        datagrams.add(datagram(batch, nowMs));
        batch.clear();
        size = 28;
      }
      batch.add(sample);
      size += sample.length;
    }
    if (!batch.isEmpty()) {
      datagrams.add(datagram(batch, nowMs));
    }
    return datagrams;
  }

  private byte[] datagram(List<byte[]> samples, long nowMs) {
    int length = 28 + samples.stream().mapToInt(s -> s.length).sum();
    ByteBuffer b = ByteBuffer.allocate(length);
    b.putInt(5).putInt(1).put(agent).putInt(subAgent).putInt((int) ++datagramSequence).putInt((int) (nowMs - bootMs))
        .putInt(samples.size());
    samples.forEach(b::put);
    return b.array();
  }

  private byte[] flowSample(DemoFlow flow) {
    int packetSize = flow.packetSize();
    int l4 = flow.protocol() == Frames.TCP ? 20 : 8;
    int payload = Math.max(0, packetSize - (flow.ipv6() ? 40 : 20) - l4);
    // One packet of the flow: a SYN for a flow that is only that, else a segment of the established connection.
    int flags = flow.tcpFlags() == 0x02 ? 0x02 : 0x18;
    byte[] frame = Frames.frame(flow.srcAddr(), flow.dstAddr(), flow.protocol(), flow.srcPort(), flow.dstPort(),
        flags, 1, 1, new byte[payload]);
    byte[] header = Arrays.copyOf(frame, Math.min(HEADER_BYTES, frame.length));
    int frameLength = frame.length + 4; // the frame as it was on the wire, with its FCS
    ByteBuffer raw = ByteBuffer.allocate(16 + pad(header.length));
    raw.putInt(1).putInt(frameLength).putInt(4).putInt(header.length).put(header);
    int addressLength = flow.ipv6() ? 20 : 8;
    ByteBuffer router = ByteBuffer.allocate(addressLength + 8);
    address(router, flow.nextHop()).putInt(flow.srcMask()).putInt(flow.dstMask());
    ByteBuffer gateway = ByteBuffer.allocate(addressLength + 12 + 12 + 4 + 4 + 4);
    address(gateway, flow.nextHop()).putInt((int) Networks.LOCAL_AS).putInt((int) flow.srcAs()).putInt((int) flow.srcAs())
        .putInt(1).putInt(2).putInt(1).putInt((int) flow.dstAs()).putInt(0).putInt(100);
    gateway.limit(gateway.position());
    byte[][] records = {record(1, raw), record(1002, router), record(1003, gateway)};
    int recordBytes = Arrays.stream(records).mapToInt(r -> r.length).sum();
    ByteBuffer s = ByteBuffer.allocate(8 + 32 + recordBytes);
    samplePool += samplingRate;
    s.putInt(1).putInt(32 + recordBytes).putInt((int) ++flowSequence).putInt(flow.inIf()).putInt((int) samplingRate)
        .putInt((int) samplePool).putInt(0).putInt(flow.inIf()).putInt(flow.outIf()).putInt(records.length);
    for (byte[] r : records) {
      s.put(r);
    }
    count(flow, frameLength);
    return s.array();
  }

  /** Every sampled packet stands for {@code samplingRate} packets on its interfaces' counters. */
  private void count(DemoFlow flow, long frameLength) {
    for (int i = 0; i < site.interfaces().size(); i++) {
      int index = site.interfaces().get(i).index();
      if (index == flow.inIf()) {
        inOctets[i] += frameLength * samplingRate;
        inPackets[i] += samplingRate;
      }
      if (index == flow.outIf()) {
        outOctets[i] += frameLength * samplingRate;
        outPackets[i] += samplingRate;
      }
    }
  }

  private byte[] counterSample(int i) {
    Site.Interface itf = site.interfaces().get(i);
    ByteBuffer c = ByteBuffer.allocate(88);
    c.putInt(itf.index()).putInt(6).putLong(itf.upstream() ? 10_000_000_000L : 1_000_000_000L).putInt(1).putInt(3)
        .putLong(inOctets[i]).putInt((int) inPackets[i]).putInt(0).putInt(0).putInt(0).putInt(0).putInt(0)
        .putLong(outOctets[i]).putInt((int) outPackets[i]).putInt(0).putInt(0).putInt(0).putInt(0).putInt(0);
    byte[] record = record(1, c);
    ByteBuffer s = ByteBuffer.allocate(8 + 12 + record.length);
    s.putInt(2).putInt(12 + record.length).putInt((int) ++counterSequence).putInt(itf.index()).putInt(1).put(record);
    return s.array();
  }

  private static ByteBuffer address(ByteBuffer b, byte[] address) {
    return b.putInt(address.length == 16 ? 2 : 1).put(address);
  }

  private static byte[] record(int format, ByteBuffer body) {
    int length = pad(body.limit());
    ByteBuffer r = ByteBuffer.allocate(8 + length);
    r.putInt(format).putInt(length).put(body.array(), 0, body.limit());
    return r.array();
  }

  private static int pad(int n) {
    return (n + 3) & ~3;
  }
}
