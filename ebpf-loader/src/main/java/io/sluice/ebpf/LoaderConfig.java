package io.sluice.ebpf;

import io.sluice.ingest.DefaultEndpoints;
import io.sluice.ingest.KafkaConnection;
import java.nio.file.Path;
import java.util.List;

/**
 * What `sluice capture` configures. ports empty: every port. interfaces empty: every interface, including ones
 * created later. snapLen: payload bytes kept after the L4 header (headers are always kept whole). skipPureAcks: TCP
 * segments without payload, SYN, FIN or RST are counted but not captured (see ebpf-loader/README.md). packetBatches:
 * the packets of one drain go to Kafka as one {@code CapturedPacketBatch} per partition, else one record each.
 * gatherMs: the longest wait between drains of the ring buffer below an eighth full ({@link RingPoller}). tcMode:
 * how the capture programs attach ({@link TcAttacher}); null: tcx links where the kernel has them, else clsact.
 */
public record LoaderConfig(
    List<String> interfaces,
    List<Integer> ports,
    List<String> cidrs,
    int snapLen,
    KafkaConnection kafka,
    String netns,
    String topicPrefix,
    String node,
    int ringBytes,
    Integer metricsPort,
    String metricsBind,
    boolean udpAttribution,
    Path stateDir,
    boolean skipPureAcks,
    boolean packetBatches,
    int gatherMs,
    TcAttacher.Mode tcMode) {
  public static final List<Integer> DEFAULT_PORTS = List.of(53, 80, 8080, 8000, 5353);
  public static final int MAX_SNAP = 2048 - 134;  // MAX_SNAP in events.h minus the longest headers we parse

  public static LoaderConfig defaults() {
    String node = System.getenv("NODE_NAME");
    if (node == null || node.isBlank()) {
      try {
        node = java.net.InetAddress.getLocalHost().getHostName();
      } catch (java.net.UnknownHostException e) {
        node = "unknown";
      }
    }
    return new LoaderConfig(List.of(), DEFAULT_PORTS, List.of(), 256, KafkaConnection.plaintext(DefaultEndpoints.KAFKA), null, "", node, 16 << 20, DefaultEndpoints.LOADER_METRICS_PORT, DefaultEndpoints.HOST, true, Path.of("/run/sluice/ebpf-loader"), true, true, RingPoller.GATHER_MS, null);
  }

  public LoaderConfig withInterfaces(List<String> v) {
    return new LoaderConfig(v, ports, cidrs, snapLen, kafka, netns, topicPrefix, node, ringBytes, metricsPort, metricsBind, udpAttribution, stateDir, skipPureAcks, packetBatches, gatherMs, tcMode);
  }

  public LoaderConfig withPorts(List<Integer> v) {
    return new LoaderConfig(interfaces, v, cidrs, snapLen, kafka, netns, topicPrefix, node, ringBytes, metricsPort, metricsBind, udpAttribution, stateDir, skipPureAcks, packetBatches, gatherMs, tcMode);
  }

  public LoaderConfig withCidrs(List<String> v) {
    return new LoaderConfig(interfaces, ports, v, snapLen, kafka, netns, topicPrefix, node, ringBytes, metricsPort, metricsBind, udpAttribution, stateDir, skipPureAcks, packetBatches, gatherMs, tcMode);
  }

  public LoaderConfig withSnapLen(int v) {
    return new LoaderConfig(interfaces, ports, cidrs, v, kafka, netns, topicPrefix, node, ringBytes, metricsPort, metricsBind, udpAttribution, stateDir, skipPureAcks, packetBatches, gatherMs, tcMode);
  }

  /** {@code bootstrap} with the security settings of the environment ({@link KafkaConnection#of(String)}). */
  public LoaderConfig withKafka(String bootstrap) {
    return withKafka(KafkaConnection.of(bootstrap));
  }

  public LoaderConfig withKafka(KafkaConnection v) {
    return new LoaderConfig(interfaces, ports, cidrs, snapLen, v, netns, topicPrefix, node, ringBytes, metricsPort, metricsBind, udpAttribution, stateDir, skipPureAcks, packetBatches, gatherMs, tcMode);
  }

  public LoaderConfig withNetns(String v) {
    return new LoaderConfig(interfaces, ports, cidrs, snapLen, kafka, v, topicPrefix, node, ringBytes, metricsPort, metricsBind, udpAttribution, stateDir, skipPureAcks, packetBatches, gatherMs, tcMode);
  }

  public LoaderConfig withTopicPrefix(String v) {
    return new LoaderConfig(interfaces, ports, cidrs, snapLen, kafka, netns, v, node, ringBytes, metricsPort, metricsBind, udpAttribution, stateDir, skipPureAcks, packetBatches, gatherMs, tcMode);
  }

  public LoaderConfig withRingBytes(int v) {
    return new LoaderConfig(interfaces, ports, cidrs, snapLen, kafka, netns, topicPrefix, node, v, metricsPort, metricsBind, udpAttribution, stateDir, skipPureAcks, packetBatches, gatherMs, tcMode);
  }

  public LoaderConfig withMetricsPort(Integer v) {
    return new LoaderConfig(interfaces, ports, cidrs, snapLen, kafka, netns, topicPrefix, node, ringBytes, v, metricsBind, udpAttribution, stateDir, skipPureAcks, packetBatches, gatherMs, tcMode);
  }

  /** The address /metrics binds: loopback by default; the pod IP in Kubernetes (k8s/base/ebpf-loader.yaml). */
  public LoaderConfig withMetricsBind(String v) {
    return new LoaderConfig(interfaces, ports, cidrs, snapLen, kafka, netns, topicPrefix, node, ringBytes, metricsPort, v, udpAttribution, stateDir, skipPureAcks, packetBatches, gatherMs, tcMode);
  }

  public LoaderConfig withUdpAttribution(boolean v) {
    return new LoaderConfig(interfaces, ports, cidrs, snapLen, kafka, netns, topicPrefix, node, ringBytes, metricsPort, metricsBind, v, stateDir, skipPureAcks, packetBatches, gatherMs, tcMode);
  }

  public LoaderConfig withStateDir(Path v) {
    return new LoaderConfig(interfaces, ports, cidrs, snapLen, kafka, netns, topicPrefix, node, ringBytes, metricsPort, metricsBind, udpAttribution, v, skipPureAcks, packetBatches, gatherMs, tcMode);
  }

  public LoaderConfig withSkipPureAcks(boolean v) {
    return new LoaderConfig(interfaces, ports, cidrs, snapLen, kafka, netns, topicPrefix, node, ringBytes, metricsPort, metricsBind, udpAttribution, stateDir, v, packetBatches, gatherMs, tcMode);
  }

  public LoaderConfig withPacketBatches(boolean v) {
    return new LoaderConfig(interfaces, ports, cidrs, snapLen, kafka, netns, topicPrefix, node, ringBytes, metricsPort, metricsBind, udpAttribution, stateDir, skipPureAcks, v, gatherMs, tcMode);
  }

  public LoaderConfig withGatherMs(int v) {
    return new LoaderConfig(interfaces, ports, cidrs, snapLen, kafka, netns, topicPrefix, node, ringBytes, metricsPort, metricsBind, udpAttribution, stateDir, skipPureAcks, packetBatches, v, tcMode);
  }

  public LoaderConfig withTcMode(TcAttacher.Mode v) {
    return new LoaderConfig(interfaces, ports, cidrs, snapLen, kafka, netns, topicPrefix, node, ringBytes, metricsPort, metricsBind, udpAttribution, stateDir, skipPureAcks, packetBatches, gatherMs, v);
  }
}
