package io.sluice.jobs.l7;

import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.util.UserCodeClassLoader;

/** The context a Kafka record deserializer is opened with, for tests and benches that run it outside Flink. */
final class OpenedOutsideFlink {
  private OpenedOutsideFlink() {}

  /** Metrics go to {@code metrics}; the deserializers under test never ask for the class loader. */
  static DeserializationSchema.InitializationContext context(MetricGroup metrics) {
    return new DeserializationSchema.InitializationContext() {
      @Override
      public MetricGroup getMetricGroup() {
        return metrics;
      }

      @Override
      public UserCodeClassLoader getUserCodeClassLoader() {
        throw new UnsupportedOperationException("not opened in Flink: no user-code class loader");
      }
    };
  }
}
