package io.sluice.jobs;

/**
 * Kafka's LZ4 codec (lz4-java) picks its JNI build only when it was loaded by the system class loader or its native
 * library is already loaded; in a Flink job's own class loader it falls back to pure Java, which was the Kafka
 * fetcher thread's largest cost in FlowJob's TaskManager profile (issue 22). {@link KafkaSources} loads the native
 * library when a source reader opens its deserializer, before the first fetch, so that Kafka's decompressor and
 * checksum are the JNI ones. A platform without it keeps the Java codec.
 */
public final class NativeLz4 {
  private NativeLz4() {}

  /** True when lz4-java's native library is loaded in this class loader (now or before). */
  public static boolean load() {
    try {
      // By name: lz4-java is kafka-clients' runtime dependency, in this class loader beside the Kafka classes.
      Class<?> nativeLib = Class.forName("net.jpountz.util.Native", true, NativeLz4.class.getClassLoader());
      nativeLib.getMethod("load").invoke(null);
      return (Boolean) nativeLib.getMethod("isLoaded").invoke(null);
    } catch (ReflectiveOperationException | LinkageError | RuntimeException unavailable) {
      return false; // no lz4-java, or no native build for this platform: Kafka keeps the Java codec
    }
  }
}
