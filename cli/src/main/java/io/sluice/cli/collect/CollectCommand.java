package io.sluice.cli.collect;

import io.sluice.cli.MetricsBind;
import io.sluice.cli.UserError;
import io.sluice.ingest.DefaultEndpoints;
import io.sluice.ingest.collect.Collector;
import io.sluice.ingest.collect.CollectorConfig;
import io.sluice.ingest.collect.CollectorException;
import io.sluice.ingest.collect.ListenerKind;
import io.sluice.net.IpAddresses;
import io.sluice.ingest.sources.SourcesTopicException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "collect", mixinStandardHelpOptions = true,
    description = {"Run the sFlow, NetFlow and IPFIX collectors in the foreground until SIGTERM or Ctrl-C.",
        "Datagrams from registered sources (`sluice sources`) go to Kafka sluice.flows.raw; the rest are counted and",
        "logged at most once a minute per source. Prometheus metrics on http://METRICS-BIND:METRICS-PORT/metrics."})
public final class CollectCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--sflow-port", defaultValue = "6343", description = "sFlow UDP port; 0 turns it off. Default: ${DEFAULT-VALUE}.")
  int sflowPort;

  @Option(names = "--netflow-port", defaultValue = "2055", description = "NetFlow v5/v9 and IPFIX UDP port; 0 turns it off. Default: ${DEFAULT-VALUE}.")
  int netflowPort;

  @Option(names = "--ipfix-port", defaultValue = "4739", description = "IPFIX UDP port; 0 turns it off. Default: ${DEFAULT-VALUE}.")
  int ipfixPort;

  @Option(names = "--bind", paramLabel = "ADDR", defaultValue = "0.0.0.0",
      description = "Address the UDP listeners bind (0.0.0.0, ::, 127.0.0.1 ...). Default: ${DEFAULT-VALUE}.")
  String bind;

  @Option(names = "--kafka", paramLabel = "BOOTSTRAP", defaultValue = DefaultEndpoints.KAFKA, description = "Kafka bootstrap servers. Default: ${DEFAULT-VALUE}.")
  String kafka;

  @picocli.CommandLine.Mixin
  io.sluice.cli.KafkaConfigOption kafkaConfig = new io.sluice.cli.KafkaConfigOption();

  @Option(names = "--metrics-port", defaultValue = "" + DefaultEndpoints.COLLECTOR_METRICS_PORT, description = "Prometheus /metrics HTTP port; 0 turns it off. Default: ${DEFAULT-VALUE}.")
  int metricsPort;

  @Option(names = "--metrics-bind", paramLabel = "ADDR", defaultValue = DefaultEndpoints.HOST,
      description = "Address /metrics binds; in Kubernetes the pod IP (status.podIP). Default: ${DEFAULT-VALUE}.")
  String metricsBind;

  @Option(names = "--sockets", paramLabel = "N", description = "Sockets (and receive threads) per port, sharing it with SO_REUSEPORT. Default: the number of cores.")
  Integer sockets;

  @Option(names = "--receive-buffer", paramLabel = "BYTES", defaultValue = "33554432",
      description = "SO_RCVBUF per socket; the kernel caps it at net.core.rmem_max. Default: ${DEFAULT-VALUE}.")
  int receiveBuffer;

  @Option(names = "--compression", paramLabel = "CODEC", defaultValue = "lz4",
      description = "The Kafka producer's compression.type: none, gzip, snappy, lz4 or zstd. Default: ${DEFAULT-VALUE}.")
  String compression;

  @Option(names = "--collector-id", description = "Recorded in every datagram. Default: the host name.")
  String collectorId;

  @Option(names = "--lab-mode", description = "Accept datagrams from every source, registered or not.")
  boolean labMode;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    check(sflowPort, "--sflow-port");
    check(netflowPort, "--netflow-port");
    check(ipfixPort, "--ipfix-port");
    check(metricsPort, "--metrics-port");
    if (sockets != null && (sockets < 1 || sockets > 64)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--sockets must be 1..64, got " + sockets);
    }
    if (receiveBuffer < 65_536) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--receive-buffer must be at least 65536 bytes, got " + receiveBuffer);
    }
    try {
      IpAddresses.parse(bind);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--bind must be an IP address such as 0.0.0.0, :: or 127.0.0.1, got \"" + bind + "\"");
    }
    MetricsBind.check(spec, metricsBind);
    if (sflowPort == 0 && netflowPort == 0 && ipfixPort == 0) {
      throw new CommandLine.ParameterException(spec.commandLine(), "every listener is off: give at least one of --sflow-port, --netflow-port, --ipfix-port a port");
    }
    CollectorConfig config;
    try {
      config = CollectorConfig.defaults().compression(compression);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--compression: " + e.getMessage());
    }
    io.sluice.ingest.KafkaConnection connection = kafkaConfig.connection(kafka);
    config
        .bind(bind)
        .port(ListenerKind.SFLOW, sflowPort == 0 ? null : sflowPort)
        .port(ListenerKind.NETFLOW, netflowPort == 0 ? null : netflowPort)
        .port(ListenerKind.IPFIX, ipfixPort == 0 ? null : ipfixPort)
        .receiveBuffer(receiveBuffer)
        .kafka(connection)
        .labMode(labMode)
        .metrics(metricsBind, metricsPort == 0 ? null : metricsPort)
        .log(line -> {
          synchronized (err) {
            err.println(line);
            err.flush();
          }
        });
    if (sockets != null) {
      config.sockets(sockets);
    }
    if (collectorId != null) {
      config.collectorId(collectorId);
    }
    Collector collector;
    try {
      collector = Collector.start(config);
    } catch (CollectorException | SourcesTopicException e) {
      throw new UserError(e.getMessage(), e);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      collector.close();
      err.println("collector stopped; producer flushed");
      err.flush();
      stopped.countDown();
    }, "sluice-collect-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    StringBuilder ports = new StringBuilder();
    for (ListenerKind k : ListenerKind.values()) {
      if (collector.port(k) > 0) {
        ports.append(ports.length() == 0 ? "" : ", ").append(k.label()).append(" udp/").append(collector.port(k));
      }
    }
    out.println("collecting on " + bind + " (" + ports + ") into " + connection + "; " + collector.sources().size()
        + " source(s) registered" + (labMode ? "; LAB MODE: every source accepted" : "")
        + (collector.metricsPort() > 0 ? "; metrics on http://" + metricsBind + ":" + collector.metricsPort() + "/metrics" : ""));
    out.flush();
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      collector.close();
    }
    return 0;
  }

  private void check(int port, String option) {
    if (port < 0 || port > 65_535) {
      throw new CommandLine.ParameterException(spec.commandLine(), option + " must be 0..65535 (0 turns it off), got " + port);
    }
  }
}
