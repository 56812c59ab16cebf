package io.sluice.jobs.flow;

import io.sluice.decode.flow.ExporterState;
import io.sluice.decode.flow.FlowRecord;
import io.sluice.wire.FlowSource;

/** What the registry adds: names, site, interface names, and the configured or overriding sampling rate. */
final class Enrichment {
  private Enrichment() {}

  /** Before decoding: the rates the decoder falls back to, or imposes. */
  static void configure(ExporterState state, FlowSource source) {
    long rate = source == null ? 0 : source.getSamplingRate();
    boolean override = source != null && source.getOverrideSampling();
    state.configuredDefaultRate(override ? 0 : rate);
    state.configuredOverrideRate(override ? rate : 0);
  }

  /**
   * Whether the source registers interface names: asked once per datagram, as protobuf's map getters allocate on
   * every call when the map is empty.
   */
  static boolean namesInterfaces(FlowSource source) {
    return source != null && source.getInterfaceNamesCount() > 0;
  }

  /** After decoding: the labels of each record; {@code namesInterfaces}: {@link #namesInterfaces} of the source. */
  static void label(FlowRecord record, FlowSource source, boolean namesInterfaces) {
    if (source == null) {
      return;
    }
    record.exporterName = source.getName();
    record.site = source.getSite();
    // A name registered with `sluice sources add --interface` wins over the exporter's own (options data).
    if (!namesInterfaces) {
      return; // most sources register none: skip the two map look-ups per record
    }
    record.inIfName = source.getInterfaceNamesOrDefault((int) record.inIf, record.inIfName);
    record.outIfName = source.getInterfaceNamesOrDefault((int) record.outIf, record.outIfName);
  }
}
