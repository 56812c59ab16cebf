package io.sluice.jobs.flow;

import io.sluice.decode.flow.DecodeProblem;
import io.sluice.store.sink.RowBinary;
import java.util.ArrayList;
import java.util.List;

/**
 * What one datagram (or, merged, one exporter's second) contributed: a Flink POJO for the 1-second window that
 * feeds {@code exporter_stats}.
 */
public final class DatagramStats {
  public static final List<String> COLUMNS = List.of("time", "exporter_addr", "exporter_name", "site", "flow_type",
      "datagrams", "records", "bytes", "est_lost_datagrams", "est_lost_records", "problem_reasons", "problem_counts",
      "sampling_rates", "sampling_rate_sources", "configured_rate");
  static final int MAX_RATES = 16;

  public long second;
  public byte[] exporterAddr;
  public String exporterName = "";
  public String site = "";
  public String flowType = "";
  public long datagrams;
  public long records;
  public long bytes;
  public long lostDatagrams;
  public long lostRecords;
  public long[] problems = new long[DecodeProblem.values().length];
  public long[] rates = new long[0];
  public String[] rateSources = new String[0];
  public long configuredRate;

  public DatagramStats() {}

  /** Adds a (rate, source) pair once; at most {@link #MAX_RATES} distinct pairs are kept. */
  void rate(long rate, String source) {
    for (int i = 0; i < rates.length; i++) {
      if (rates[i] == rate && rateSources[i].equals(source)) {
        return;
      }
    }
    if (rates.length < MAX_RATES) {
      rates = java.util.Arrays.copyOf(rates, rates.length + 1);
      rateSources = java.util.Arrays.copyOf(rateSources, rateSources.length + 1);
      rates[rates.length - 1] = rate;
      rateSources[rateSources.length - 1] = source;
    }
  }

  DatagramStats merge(DatagramStats o) {
    if (exporterAddr == null) {
      second = o.second;
      exporterAddr = o.exporterAddr;
      exporterName = o.exporterName;
      site = o.site;
      flowType = o.flowType;
      configuredRate = o.configuredRate;
    }
    datagrams += o.datagrams;
    records += o.records;
    bytes += o.bytes;
    lostDatagrams += o.lostDatagrams;
    lostRecords += o.lostRecords;
    for (int i = 0; i < problems.length && i < o.problems.length; i++) {
      problems[i] += o.problems[i];
    }
    for (int i = 0; i < o.rates.length; i++) {
      rate(o.rates[i], o.rateSources[i]);
    }
    return this;
  }

  byte[] encode(long windowSecond) {
    List<String> reasons = new ArrayList<>();
    List<Long> counts = new ArrayList<>();
    DecodeProblem[] all = DecodeProblem.values();
    for (int i = 0; i < problems.length; i++) {
      if (problems[i] != 0) {
        reasons.add(all[i].name().toLowerCase(java.util.Locale.ROOT));
        counts.add(problems[i]);
      }
    }
    RowBinary out = new RowBinary(256);
    out.dateTime(windowSecond).fixed(exporterAddr, 16).string(exporterName).string(site).string(flowType)
        .uint64(datagrams).uint64(records).uint64(bytes).uint64(lostDatagrams).uint64(lostRecords)
        .stringArray(reasons);
    out.uint64Array(counts);
    int[] rateValues = new int[rates.length];
    for (int i = 0; i < rates.length; i++) {
      rateValues[i] = (int) rates[i];
    }
    out.uint32Array(rateValues, rateValues.length).stringArray(List.of(rateSources)).uint32(configuredRate);
    return out.toByteArray();
  }
}
