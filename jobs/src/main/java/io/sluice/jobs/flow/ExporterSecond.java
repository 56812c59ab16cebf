package io.sluice.jobs.flow;

import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/** Sums one exporter's datagrams over a 1-second window into an exporter_stats row. */
final class ExporterSecond implements AggregateFunction<DatagramStats, DatagramStats, DatagramStats> {
  @Override
  public DatagramStats createAccumulator() {
    return new DatagramStats();
  }

  @Override
  public DatagramStats add(DatagramStats datagram, DatagramStats second) {
    return second.merge(datagram);
  }

  @Override
  public DatagramStats getResult(DatagramStats second) {
    return second;
  }

  @Override
  public DatagramStats merge(DatagramStats a, DatagramStats b) {
    return a.merge(b);
  }

  /** Stamps the row with the window's second. */
  static final class Emit extends ProcessWindowFunction<DatagramStats, byte[], String, TimeWindow> {
    @Override
    public void process(String key, Context context, Iterable<DatagramStats> seconds, Collector<byte[]> out) {
      for (DatagramStats second : seconds) {
        out.collect(second.encode(context.window().getStart() / 1000));
      }
    }
  }
}
