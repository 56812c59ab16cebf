package io.sluice.ebpf;

import io.sluice.ebpf.AttachProbe.Kind;
import io.sluice.ebpf.ffi.BpfException;
import io.sluice.ingest.KafkaConnection;
import io.sluice.ingest.metrics.MetricsServer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The node agent: probes what the kernel allows, loads sluice.bpf.o with the best programs, attaches tc capture
 * to the chosen interfaces (following new ones), drains the ring buffer into a {@link RecordForwarder}, serves
 * /metrics.
 */
public final class Loader implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Loader.class.getName());

  private final LoaderConfig config;
  private final Map<Kind, String> probed;
  private final Map<String, String> choices = new LinkedHashMap<>();
  private final BpfMaps maps;
  private final BpfObject obj;
  private final NetNs netns;
  private final TcAttacher tc;
  private final LoaderMetrics metrics = new LoaderMetrics();
  private final Map<Integer, String> ifnames = new ConcurrentHashMap<>();
  private final RecordForwarder forwarder;
  private volatile boolean running = true;
  private volatile boolean paused;
  /** No program attached, and the interface watcher does not attach any (see suspend). */
  private volatile boolean suspended;
  /** Whether the socket programs are attached while not suspended (see socketHooks). */
  private volatile boolean socketHooks = true;
  private final List<String> programs;
  private Thread poller;
  private Thread watcher;
  private MetricsServer metricsServer;

  private Loader(LoaderConfig config, Producer<byte[], byte[]> producer, Set<Kind> refused) {
    this.config = config;
    this.forwarder = new RecordForwarder(config, producer, metrics, ifnames::get);
    Preflight.check(config.netns() != null);
    probed = AttachProbe.run();
    refused.forEach(k -> probed.put(k, "not used here (as on a kernel without it)"));
    probed.forEach((k, why) -> LOG.info("attach probe " + k + ": " + (why == null ? "works" : "refused: " + why)));
    if (probed.get(Kind.TC) != null) {
      throw new BpfException("this kernel refuses tc BPF classifiers, which packet capture needs: " + probed.get(Kind.TC));
    }
    List<String> programs = new ArrayList<>(List.of("capture_ingress", "capture_egress"));
    choices.put("capture", "tcx or tc");  // tcx links where the kernel has them: known at the first interface
    choose("socket_state", List.of(Kind.TP_BTF, Kind.RAW_TP), Map.of(Kind.TP_BTF, "state_btf", Kind.RAW_TP, "state_raw"), programs);
    choose("retransmit", List.of(Kind.TP_BTF, Kind.RAW_TP), Map.of(Kind.TP_BTF, "retransmit_btf", Kind.RAW_TP, "retransmit_raw"), programs);
    if (config.udpAttribution()) {
      choose("udp_sender", List.of(Kind.TP_BTF, Kind.RAW_TP), Map.of(Kind.TP_BTF, "udp_send_btf", Kind.RAW_TP, "udp_send_raw"), programs);
    } else {
      choices.put("udp_sender", "off");
    }
    LOG.info("attach choice: " + choices + " (fentry/fexit/kprobe are not needed; every hook has a tracepoint form)");

    this.programs = programs;
    obj = BpfObject.open("sluice", programs);
    BpfMaps m = null;
    NetNs ns = null;
    try {
      obj.setMaxEntries("events", config.ringBytes());
      obj.load();
      m = new BpfMaps(obj);
      m.configure(config);
      attachHooks();
      ns = new NetNs(config.netns());
    } catch (RuntimeException e) {
      obj.close();
      throw e;
    }
    maps = m;
    netns = ns;
    metrics.watch(maps::counters, choices, ifnames::size);
    tc = new TcAttacher(netns, config.stateDir(), config.tcMode());
  }

  /** Attaches the socket programs: tracepoints, each where its section name says. */
  private void attachHooks() {
    if (!socketHooks) {
      return;
    }
    for (String p : programs) {
      if (socketProgram(p)) {
        obj.attach(p);
      }
    }
  }

  private static boolean socketProgram(String p) {
    return p.startsWith("state_") || p.startsWith("retransmit_") || p.startsWith("udp_send_");
  }

  /**
   * Detaches the socket programs (state changes, retransmissions, UDP senders) and keeps packet capture, or
   * attaches them again: the overhead benchmark's runs with capture alone, on the same warm loader.
   */
  public synchronized void socketHooks(boolean attached) {
    if (attached == socketHooks) {
      return;
    }
    socketHooks = attached;
    if (suspended) {
      return;  // resume attaches them, or not
    }
    if (attached) {
      attachHooks();
    } else {
      programs.stream().filter(Loader::socketProgram).forEach(obj::detach);
    }
  }

  /**
   * Detaches every program (tc, tracepoints) and stops draining once what was captured is drained, keeping
   * the programs loaded and the JVM warm; {@link #resume} attaches them again. For the overhead benchmark, which
   * alternates runs with and without capture on one long-lived loader.
   */
  public synchronized void suspend() {
    suspended = true;
    tc.detachAll();
    ifnames.clear();
    obj.detachLinks();
    long until = System.nanoTime() + 2_000_000_000L;
    long seen = -1;
    while (System.nanoTime() < until) {  // what the programs wrote before they went is drained
      long polled = metrics.polledPackets() + metrics.polledSockets();
      if (polled == seen) {
        break;
      }
      seen = polled;
      sleepMs(2L * config.gatherMs() + 50);
    }
    paused = true;
  }

  public synchronized void resume() {
    attachHooks();
    suspended = false;
    syncInterfaces(true);
    paused = false;
  }

  private static void sleepMs(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void choose(String hook, List<Kind> order, Map<Kind, String> programFor, List<String> programs) {
    Kind k = AttachProbe.best(probed, order);
    if (k == null) {
      choices.put(hook, "none");
      LOG.warning(hook + ": no attach type works here (tried " + order + "); those events will be missing");
    } else {
      choices.put(hook, k.name().toLowerCase());
      programs.add(programFor.get(k));
    }
  }

  /** Starts capturing; the producer is created from config.kafka() when null. */
  public static Loader start(LoaderConfig config, Producer<byte[], byte[]> producer) {
    return start(config, producer, Set.of());
  }

  /** As {@link #start(LoaderConfig, Producer)}, as if the kernel refused the given attach types (the fallbacks' tests). */
  static Loader start(LoaderConfig config, Producer<byte[], byte[]> producer, Set<Kind> refused) {
    Producer<byte[], byte[]> p = producer != null ? producer : newProducer(config.kafka());
    Loader l;
    try {
      l = new Loader(config, p, refused);
    } catch (RuntimeException e) {
      if (producer == null) {
        p.close();
      }
      throw e;
    }
    try {
      l.tc.removeStale();
      l.syncInterfaces(true);
      l.poller = new Thread(l::pollLoop, "sluice-ringbuf");
      l.poller.start();
      l.watcher = new Thread(l::watchLoop, "sluice-iface-watch");
      l.watcher.setDaemon(true);
      l.watcher.start();
      if (config.metricsPort() != null) {
        l.metricsServer = MetricsServer.start(config.metricsBind(), config.metricsPort(), l::metricsText);
      }
    } catch (RuntimeException e) {
      l.close();
      throw e;
    }
    return l;
  }

  static Producer<byte[], byte[]> newProducer(KafkaConnection kafka) {
    return new KafkaProducer<>(producerConfig(kafka), new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** The producer settings of a loader that makes its own producer. */
  public static Properties producerConfig(KafkaConnection kafka) {
    Properties p = kafka.clientProperties();
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "sluice-ebpf-loader");
    p.put(ProducerConfig.ACKS_CONFIG, "1");
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    // Longer than a drain's period (RingPoller.GATHER_MS): each producer batch takes two drains, which halves the
    // produce requests, the producer thread's work and its buffers per packet (BENCHMARKS.md, "eBPF loader"). A full
    // batch (a burst) still goes at once; packets reach Kafka up to about 250 ms after capture.
    p.put(ProducerConfig.LINGER_MS_CONFIG, 150);
    // acks=1 leaves idempotence off, so a retried request (a fresh topic's first produce, a leader change) could
    // land after the next one: one request in flight keeps each partition in ring-buffer order (BatchReuseKafkaTest).
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
    // Under G1's half-region limit (512 KiB with the 1 MiB regions of a small heap): a 512 KiB batch buffer was a
    // humongous object, a whole old region each, and the producer's pool of them set off concurrent marking every
    // few seconds (BENCHMARKS.md, "eBPF loader"). A drain's ~330 KiB per partition still fits one batch compressed.
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 128L << 20);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 1_000);
    return p;
  }

  /** Which attach type each hook uses (capture, socket_state, retransmit, udp_sender). */
  public Map<String, String> choices() {
    return choices;
  }

  public Map<Kind, String> probed() {
    return probed;
  }

  public Map<Integer, String> attachedInterfaces() {
    return Map.copyOf(ifnames);
  }

  public LoaderMetrics metrics() {
    return metrics;
  }

  public BpfMaps maps() {
    return maps;
  }

  public int metricsPort() {
    return metricsServer == null ? -1 : metricsServer.port();
  }

  /** Stops draining the ring buffer (records pile up in it) until resumed; for the drain benchmark. */
  public void pause(boolean pause) {
    this.paused = pause;
  }

  /** Synchronized with suspend: the watcher must not attach an interface again while a suspend detaches them. */
  private synchronized void syncInterfaces(boolean failLoudly) {
    if (suspended) {
      return;
    }
    Map<Integer, String> now = netns.call(Interfaces::list);
    for (var e : now.entrySet()) {
      if (!config.interfaces().isEmpty() && !config.interfaces().contains(e.getValue())) {
        continue;
      }
      if (!tc.isAttached(e.getKey())) {
        try {
          tc.attach(e.getKey(), e.getValue(), obj.programFd("capture_ingress"), obj.programFd("capture_egress"));
          ifnames.put(e.getKey(), e.getValue());
        } catch (BpfException ex) {
          if (failLoudly && config.interfaces().contains(e.getValue())) {
            throw ex;
          }
          LOG.warning(ex.getMessage());
        }
      }
    }
    if (tc.mode() != null) {
      choices.put("capture", tc.mode() == TcAttacher.Mode.TCX ? "tcx" : "tc");
    }
    for (Integer gone : new ArrayList<>(ifnames.keySet())) {
      if (!now.containsKey(gone)) {
        LOG.info("interface " + ifnames.get(gone) + " went away");
        ifnames.remove(gone);
        tc.forget(gone);
      }
    }
    if (failLoudly) {
      for (String want : config.interfaces()) {
        if (!now.containsValue(want)) {
          LOG.warning("interface " + want + " does not exist (yet); it is attached when it appears");
        }
      }
    }
  }

  private void watchLoop() {
    while (running) {
      try {
        Thread.sleep(1000);
        if (running) {
          syncInterfaces(false);
        }
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        LOG.warning("interface watch: " + e.getMessage());
      }
    }
  }

  private void pollLoop() {
    RingPoller.Sink sink = new RingPoller.Sink() {
      @Override
      public void record(byte[] data, int size) {
        forwarder.record(data, size);
      }

      @Override
      public void drained() {
        forwarder.drained();
      }
    };
    try (RingPoller rb = new RingPoller(maps.eventsFd(), sink, config.gatherMs())) {
      while (running) {
        if (paused) {
          Thread.sleep(20);
          continue;
        }
        rb.poll(100);
      }
      rb.poll(0);  // what is left after the programs stopped
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.severe("ring buffer polling stopped: " + e);
    }
  }

  public String metricsText() {
    return metrics.text();
  }

  /** Detaches everything it attached (tc filters, the qdiscs it created, tracepoint links) and flushes. */
  @Override
  public void close() {
    running = false;
    if (watcher != null) {
      watcher.interrupt();
    }
    try {
      tc.detachAll();
    } catch (RuntimeException e) {
      LOG.warning("detach: " + e.getMessage());
    }
    if (poller != null) {
      try {
        poller.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (metricsServer != null) {
      metricsServer.close();
    }
    obj.close();
    netns.close();
    forwarder.close();
  }
}
