package io.sluice.ingest.collect.bench;

import io.sluice.ingest.collect.Collector;
import io.sluice.ingest.collect.CollectorConfig;
import io.sluice.ingest.collect.KafkaFixture;
import io.sluice.ingest.collect.ListenerKind;
import io.sluice.ingest.collect.Metrics;
import io.sluice.ingest.collect.UdpPayloads;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A measured run of the receive path: loopback senders blast real NetFlow v9 datagrams at a lab-mode collector
 * that forwards to a real local Kafka broker; prints what was sent, received, forwarded and dropped by the kernel.
 *
 * <p>Args: seconds (10), sockets (2), sender threads (2), target datagrams/s for all senders (0: as fast as
 * possible), the producer's linger.ms (the collector's default when absent or "default"), its compression codec
 * (none, lz4, zstd; lz4 when absent), and whether a consumer reads the topic meanwhile ("consumer": with FlowJob's
 * fetch settings, 256 KiB or 100 ms per fetch; "consumer:MIN_BYTES:MAX_WAIT_MS" for others; "none", the default). Also prints the CPU time, per datagram
 * received, of the collector's own threads (receive threads and the producer's I/O thread, read by name in this JVM)
 * and of the broker process (from /proc), from the start of sending to the end of the drain.
 */
public final class CollectorBench {
  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    int sockets = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    int senders = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    long targetRate = args.length > 3 ? Long.parseLong(args[3]) : 0;
    Integer linger = args.length > 4 && !args[4].equals("default") ? Integer.valueOf(args[4]) : null;
    String compression = args.length > 5 ? args[5] : "lz4";
    // "consumer" or "consumer:MIN_BYTES:MAX_WAIT_MS"
    String[] consumerArg = args.length > 6 && args[6].startsWith("consumer") ? (args[6] + ":262144:100").split(":") : null;
    boolean consume = consumerArg != null;
    byte[] payload = UdpPayloads.read(UdpPayloads.fixtures().resolve("flows/logstash-codec-netflow/nfv9_cisco_asr9k_256.pcap"))
        .stream().max((a, b) -> Integer.compare(a.payload().length, b.payload().length)).orElseThrow().payload();
    try (KafkaFixture kafka = new KafkaFixture()) {
      String[] topics = kafka.newTopics();
      CollectorConfig config = CollectorConfig.defaults().bind("127.0.0.1")
          .port(ListenerKind.SFLOW, null).port(ListenerKind.IPFIX, null).port(ListenerKind.NETFLOW, 0)
          .sockets(sockets).kafka(kafka.bootstrap()).topics(topics[0], topics[1]).labMode(true)
          .metrics("127.0.0.1", 0).log(System.err::println).compression(compression);
      Collector collector = Collector.start(linger == null ? config : config.linger(linger));
      long brokerPid = kafka.brokerPid();
      long collectorCpuStart = collectorCpuNs();
      long receiveCpuStart = threadCpuNs("sluice-collect-");
      long producerCpuStart = threadCpuNs("kafka-producer-network-thread | sluice-collector");
      long brokerCpuStart = processCpuNs(brokerPid);
      java.util.Map<String, Long> brokerThreadsStart = threadTicks(brokerPid);
      AtomicLong consumed = new AtomicLong();
      java.util.concurrent.atomic.AtomicBoolean stopConsumer = new java.util.concurrent.atomic.AtomicBoolean();
      Thread consumer = consume ? startConsumer(kafka.bootstrap(), topics[0], consumerArg[1], consumerArg[2], consumed, stopConsumer) : null;
      int port = collector.port(ListenerKind.NETFLOW);
      AtomicLong sent = new AtomicLong();
      long endAt = System.nanoTime() + seconds * 1_000_000_000L;
      List<Thread> threads = new ArrayList<>();
      for (int s = 0; s < senders; s++) {
        Thread t = new Thread(() -> {
          try (DatagramChannel ch = DatagramChannel.open()) {
            ch.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
            ByteBuffer buf = ByteBuffer.wrap(payload);
            long perThread = targetRate / senders;
            long start = System.nanoTime();
            long n = 0;
            while (System.nanoTime() < endAt) {
              if (perThread > 0 && n % 50 == 0) {
                long due = start + n * 1_000_000_000L / perThread;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                  java.util.concurrent.locks.LockSupport.parkNanos(wait); // sleep, do not spin: the cores are shared
                }
              }
              ch.send(buf.rewind(), to);
              n++;
            }
            sent.addAndGet(n);
          } catch (Exception e) {
            throw new RuntimeException(e);
          }
        });
        threads.add(t);
        t.start();
      }
      for (Thread t : threads) {
        t.join();
      }
      Thread.sleep(2_000); // let the collector drain its sockets and Kafka acknowledge
      long collectorCpu = collectorCpuNs() - collectorCpuStart;
      long receiveCpu = threadCpuNs("sluice-collect-") - receiveCpuStart;
      long producerCpu = threadCpuNs("kafka-producer-network-thread | sluice-collector") - producerCpuStart;
      long brokerCpu = processCpuNs(brokerPid) - brokerCpuStart;
      java.util.Map<String, Long> brokerThreads = threadTicks(brokerPid);
      if (consumer != null) {
        stopConsumer.set(true);
        consumer.join(10_000);
      }
      String text = Metrics.scrape(collector.metricsPort());
      collector.close();
      double received = Metrics.value(text, "sluice_collector_datagrams_received_total");
      double forwarded = Metrics.value(text, "sluice_collector_datagrams_forwarded_total");
      double drops = Metrics.value(text, "sluice_collector_kernel_udp_drops_total");
      double failures = Math.max(0, Metrics.value(text, "sluice_collector_send_failures_total"));
      double latencyCount = Metrics.value(text, "sluice_collector_kafka_send_seconds_count");
      double latencySum = Metrics.value(text, "sluice_collector_kafka_send_seconds_sum");
      System.out.printf("payload %d B, %d s, %d sockets, %d senders, target %s%n", payload.length, seconds, sockets, senders,
          targetRate == 0 ? "max" : targetRate + "/s");
      System.out.printf("sent %d (%.0f/s), received %.0f (%.0f/s), forwarded %.0f, send failures %.0f, kernel drops %.0f (%.2f%%), "
              + "mean send latency %.1f ms, rcvbuf %s%n",
          sent.get(), sent.get() / (double) seconds, received, received / seconds, forwarded, failures, drops,
          100.0 * drops / Math.max(1, sent.get()), 1000 * latencySum / Math.max(1, latencyCount),
          (long) Metrics.value(text, "sluice_collector_socket_receive_buffer_bytes"));
      System.out.printf("linger %s ms: CPU per datagram received: collector threads %.2f us, broker %.2f us%n",
          linger == null ? "default" : linger, collectorCpu / 1e3 / Math.max(1, received), brokerCpu / 1e3 / Math.max(1, received));
      System.out.printf("of which: receive threads %.2f us, producer I/O thread %.2f us per datagram received%n",
          receiveCpu / 1e3 / Math.max(1, received), producerCpu / 1e3 / Math.max(1, received));
      if (consumer != null) {
        System.out.printf("consumer (fetch.min.bytes %s, fetch.max.wait.ms %s) read %d records%n", consumerArg[1], consumerArg[2],
            consumed.get());
      }
      System.out.println("broker threads, us per datagram received:");
      brokerThreads.forEach((name, ticks) -> {
        long d = ticks - brokerThreadsStart.getOrDefault(name, 0L);
        if (d > 0) {
          System.out.printf("  %8.2f  %s%n", d * 10_000.0 / Math.max(1, received), name);
        }
      });
      if (received + drops < sent.get()) {
        System.out.printf("note: %.0f datagrams are neither received nor counted as dropped by the socket (loopback/sender side)%n",
            sent.get() - received - drops);
      }
    }
  }

  /** CPU time of the collector's receive threads and its producer's I/O thread in this JVM. */
  private static long collectorCpuNs() {
    java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
    long total = 0;
    for (java.lang.management.ThreadInfo t : mx.getThreadInfo(mx.getAllThreadIds())) {
      if (t != null && (t.getThreadName().startsWith("sluice-collect-")
          || t.getThreadName().startsWith("kafka-producer-network-thread | sluice-collector"))) {
        total += Math.max(0, mx.getThreadCpuTime(t.getThreadId()));
      }
    }
    return total;
  }

  /** CPU time of this JVM's threads whose name starts with {@code prefix}. */
  private static long threadCpuNs(String prefix) {
    java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
    long total = 0;
    for (java.lang.management.ThreadInfo t : mx.getThreadInfo(mx.getAllThreadIds())) {
      if (t != null && t.getThreadName().startsWith(prefix)) {
        total += Math.max(0, mx.getThreadCpuTime(t.getThreadId()));
      }
    }
    return total;
  }

  /** A consumer of the flows topic with FlowJob's fetch settings, as FlowJob's fetcher reads it. */
  private static Thread startConsumer(String bootstrap, String topic, String minBytes, String maxWaitMs, AtomicLong consumed,
      java.util.concurrent.atomic.AtomicBoolean stop) {
    java.util.Properties p = new java.util.Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("enable.auto.commit", "false");
    p.put("fetch.min.bytes", minBytes);
    p.put("fetch.max.wait.ms", maxWaitMs);
    p.put("max.partition.fetch.bytes", "1048576");
    Thread t = new Thread(() -> {
      try (org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]> c = new org.apache.kafka.clients.consumer.KafkaConsumer<>(p,
          new org.apache.kafka.common.serialization.ByteArrayDeserializer(), new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
        List<org.apache.kafka.common.TopicPartition> parts = c.partitionsFor(topic).stream()
            .map(i -> new org.apache.kafka.common.TopicPartition(topic, i.partition())).toList();
        c.assign(parts);
        c.seekToBeginning(parts);
        while (!stop.get()) {
          consumed.addAndGet(c.poll(java.time.Duration.ofMillis(200)).count());
        }
      }
    }, "bench-consumer");
    t.start();
    return t;
  }

  /** utime + stime ticks of each of a process's threads from /proc, by thread name with digits replaced by '#'. */
  private static java.util.Map<String, Long> threadTicks(long pid) throws java.io.IOException {
    java.util.Map<String, Long> out = new java.util.TreeMap<>();
    try (var tasks = java.nio.file.Files.list(java.nio.file.Path.of("/proc/" + pid + "/task"))) {
      for (java.nio.file.Path task : tasks.toList()) {
        String stat;
        try {
          stat = java.nio.file.Files.readString(task.resolve("stat"));
        } catch (java.io.IOException gone) {
          continue;
        }
        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("[0-9]+", "#");
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        out.merge(name, Long.parseLong(f[11]) + Long.parseLong(f[12]), Long::sum);
      }
    }
    return out;
  }

  /** utime + stime of a process from /proc, in ns (clock ticks of 10 ms). */
  private static long processCpuNs(long pid) throws java.io.IOException {
    String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
  }
}
