package io.sluice.cli.demo.exporter;

import java.util.ArrayList;
import java.util.List;

/**
 * One demo router: its name (as `sluice sources add` registers it), the loopback address it sends from, its
 * protocol and sampling rate, and the traffic model and encoder that make its datagrams. Pure: the caller
 * gives the clock and sends the bytes.
 */
public final class DemoExporter {
  public enum Kind { SFLOW, NETFLOW9, IPFIX }

  private final String name;
  private final String address;
  private final Kind kind;
  private final long samplingRate;
  private final TrafficModel model;
  private final SflowEncoder sflow;
  private final TemplateEncoder template;

  public DemoExporter(String name, String address, Kind kind, long samplingRate, long seed, long dayMillis, long bootMs) {
    this.name = name;
    this.address = address;
    this.kind = kind;
    this.samplingRate = samplingRate;
    Site site = Site.edgeRouter();
    this.model = new TrafficModel(seed, site, dayMillis);
    byte[] addr = TrafficModel.parse(address);
    this.sflow = kind == Kind.SFLOW ? new SflowEncoder(addr, 0, samplingRate, site, bootMs) : null;
    this.template = switch (kind) {
      case NETFLOW9 -> TemplateEncoder.netflowV9(addr, 1, samplingRate, site, bootMs);
      case IPFIX -> TemplateEncoder.ipfix(addr, 1, samplingRate, site, bootMs);
      case SFLOW -> null;
    };
  }

  /**
   * The demo's routers, each from its own loopback address; {@code seed} makes each one's traffic its own and
   * repeatable. sFlow agents are known by the agent address inside the datagram, which is the same address.
   */
  public static List<DemoExporter> fleet(long seed, long dayMillis, long bootMs) {
    return List.of(
        new DemoExporter("demo-sflow-par", "127.0.0.11", Kind.SFLOW, 1024, seed, dayMillis, bootMs),
        new DemoExporter("demo-sflow-fra", "127.0.0.12", Kind.SFLOW, 2048, seed + 1, dayMillis, bootMs),
        new DemoExporter("demo-nfv9-ams", "127.0.0.21", Kind.NETFLOW9, 100, seed + 2, dayMillis, bootMs),
        new DemoExporter("demo-ipfix-lon", "127.0.0.31", Kind.IPFIX, 1000, seed + 3, dayMillis, bootMs));
  }

  public String name() {
    return name;
  }

  public String address() {
    return address;
  }

  public Kind kind() {
    return kind;
  }

  public long samplingRate() {
    return samplingRate;
  }

  public TrafficModel model() {
    return model;
  }

  /** {@code records} new flows ending by {@code nowMs}, and the datagrams that carry them (and are due anyway). */
  public List<byte[]> tick(long nowMs, int records, List<DemoFlow> generated) {
    List<DemoFlow> flows = new ArrayList<>(records);
    for (int i = 0; i < records; i++) {
      flows.add(model.next(nowMs, samplingRate));
    }
    if (generated != null) {
      generated.addAll(flows);
    }
    return kind == Kind.SFLOW ? sflow.encode(flows, nowMs) : template.encode(flows, nowMs);
  }
}
