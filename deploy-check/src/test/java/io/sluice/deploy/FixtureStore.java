package io.sluice.deploy;

import io.sluice.decode.flow.CaptureFlowDecoder;
import io.sluice.decode.flow.DecodeCounters;
import io.sluice.decode.flow.DecodeProblem;
import io.sluice.decode.flow.ExporterState;
import io.sluice.decode.flow.FlowRecord;
import io.sluice.decode.flow.FlowSink;
import io.sluice.decode.flow.FlowType;
import io.sluice.decode.flow.InterfaceCounters;
import io.sluice.decode.flow.SequenceTracker;
import io.sluice.decode.packet.PacketHeader;
import io.sluice.decode.packet.PacketParser;
import io.sluice.ingest.pcap.CaptureFrame;
import io.sluice.ingest.pcap.CaptureReader;
import io.sluice.l7.DnsRow;
import io.sluice.l7.Http2Row;
import io.sluice.l7.HttpRow;
import io.sluice.l7.L7Config;
import io.sluice.l7.L7Replay;
import io.sluice.l7.L7Sink;
import io.sluice.stack.ClickHouseService;
import io.sluice.stack.TestStack;
import io.sluice.store.ClickHouseHttp;
import io.sluice.store.ClickHouseSql;
import io.sluice.store.chdb.Chdb;
import io.sluice.store.rows.DnsRowEncoder;
import io.sluice.store.rows.FlowRowEncoder;
import io.sluice.store.rows.HttpRowEncoder;
import io.sluice.store.rows.InterfaceCountersEncoder;
import io.sluice.store.schema.Migrator;
import io.sluice.store.schema.ServerCapabilities;
import io.sluice.store.schema.ServerFeature;
import io.sluice.store.sink.RowBinary;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A real ClickHouse with the real migrations in database {@code sluice}, filled from the fixture captures: flows
 * decoded by the same decoder FlowJob uses, labelled from a registry written to {@code sources}; exporter_stats
 * and interface_counters derived from that decode (FlowJob does not write them yet); dns and http rows from the
 * L7 engine behind `sluice l7`. Rows a job writes are encoded by its encoders (flows, dns, http,
 * interface_counters). Every exporter is registered except those first seen in goflow2's captures, so
 * the "without a registration" panel has rows too.
 */
final class FixtureStore {
  static final Path FIXTURES = TestStack.repoRoot().getParent().resolve("shared/fixtures");
  private static FixtureStore instance;
  private static FixtureStore instance26;

  final ClickHouseSql db;
  final String version;
  final Map<String, Long> rows = new LinkedHashMap<>();

  private FixtureStore(ClickHouseSql db, String version) {
    this.db = db;
    this.version = version;
  }

  /** On Debian's ClickHouse 18.16, a server of this JVM. */
  static synchronized FixtureStore get() throws IOException {
    if (instance == null) {
      var settings = TestStack.settings();
      ClickHouseService server = TestStack.start(new ClickHouseService(settings), 60_000);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> TestStack.stopAndDelete(settings, server)));
      instance = fill(new ClickHouseHttp(settings.clickhouseUrl(), null));
    }
    return instance;
  }

  /** On ClickHouse 26.7, in this JVM (chDB). */
  static synchronized FixtureStore onClickHouse26() throws IOException {
    if (instance26 == null) {
      instance26 = fill(Chdb.clickHouse());
    }
    return instance26;
  }

  private static FixtureStore fill(ClickHouseSql root) throws IOException {
    ServerCapabilities capabilities = new Migrator(root, "sluice", TestStack.repoRoot().resolve("sql"), line -> {})
        .migrate().capabilities();
    FixtureStore store = new FixtureStore(root.withDatabase("sluice"), capabilities.version());
    if (capabilities.features().contains(ServerFeature.TTL)) {
      // The captures are years old: the tables' TTL (flows: 90 days) would delete their rows in the background.
      store.db.execute("SYSTEM STOP TTL MERGES");
    }
    store.loadFlows();
    store.loadL7();
    for (String t : List.of("flows", "flows_1m", "flows_1h", "exporter_stats", "interface_counters", "sources",
        "dns", "http")) {
      store.rows.put(t, Long.parseLong(store.db.scalar("SELECT count() FROM sluice." + t)));
    }
    return store;
  }

  static List<Path> captures(String dir) throws IOException {
    try (Stream<Path> files = Files.walk(FIXTURES.resolve(dir))) {
      return files.filter(p -> p.toString().endsWith(".pcap") || p.toString().endsWith(".pcapng")).sorted().toList();
    }
  }

  private void loadFlows() throws IOException {
    FlowRowEncoder encoder = new FlowRowEncoder();
    RowBinary flowRows = new RowBinary(1 << 20);
    Rows stats = new Rows();
    Rows counters = new Rows();
    Rows sources = new Rows();
    Map<ByteBuffer, String> names = new LinkedHashMap<>();
    PacketHeader packet = new PacketHeader();
    for (Path capture : captures("flows")) {
      boolean register = !capture.toString().contains("/goflow2/");
      CaptureFlowDecoder decoder = new CaptureFlowDecoder(0);
      try (CaptureReader reader = CaptureReader.open(capture)) {
        for (CaptureFrame frame : reader) {
          if (!PacketParser.parse(frame.linkType(), frame.data(), 0, frame.data().length, packet)
              || packet.protocol != PacketParser.PROTO_UDP || packet.isFragment()) {
            continue;
          }
          byte[] udpSource = packet.srcAddr.clone();
          int payload = packet.payloadLength;
          Second second = new Second(frame.timestampNs() / 1_000_000_000L);
          long[] lostBefore = lost(decoder.exporters().get(ByteBuffer.wrap(udpSource)));
          long[] problemsBefore = problems(decoder.counters());
          FlowType type = decoder.frame(frame.timestampNs(), frame.linkType(), frame.data(), new FlowSink() {
            @Override
            public void flow(FlowRecord r) {
              String name = names.computeIfAbsent(ByteBuffer.wrap(r.exporterAddr.clone()),
                  k -> register ? register(sources, r.exporterAddr) : "");
              r.exporterName = name;
              r.site = name.isEmpty() ? "" : "fixtures";
              encoder.encode(r, flowRows);
              flowRows.uint64(0); // ingest_batch
              second.exporter(r.exporterAddr, name);
              second.records++;
              second.rate(r.samplingRate, r.samplingRateSource.column());
            }

            @Override
            public void interfaceCounters(InterfaceCounters c) {
              String name = names.computeIfAbsent(ByteBuffer.wrap(c.exporterAddr.clone()),
                  k -> register ? register(sources, c.exporterAddr) : "");
              counters.raw(InterfaceCountersEncoder.encode(c, name, name.isEmpty() ? "" : "fixtures", ""));
            }
          });
          if (type == null && decoder.counters().totalProblems() == problemsBefore[problemsBefore.length - 1]) {
            continue;
          }
          second.exporter(udpSource, names.getOrDefault(ByteBuffer.wrap(udpSource), ""));
          long[] lostAfter = lost(decoder.exporters().get(ByteBuffer.wrap(udpSource)));
          long[] problemsAfter = problems(decoder.counters());
          second.write(stats, type, payload, lostAfter[0] - lostBefore[0], lostAfter[1] - lostBefore[1],
              problemsBefore, problemsAfter);
        }
      }
    }
    List<String> flowColumns = new ArrayList<>(encoder.columns());
    flowColumns.add("ingest_batch");
    db.insertRowBinary("flows", flowColumns, flowRows.array(), flowRows.size());
    insert("exporter_stats", List.of("time", "exporter_addr", "exporter_name", "site", "flow_type", "datagrams",
        "records", "bytes", "est_lost_datagrams", "est_lost_records", "problem_reasons", "problem_counts",
        "sampling_rates", "sampling_rate_sources", "configured_rate"), stats);
    insert("interface_counters", InterfaceCountersEncoder.COLUMNS, counters);
    insert("sources", List.of("prefix", "prefix_addr", "prefix_last_addr", "prefix_len", "name", "site",
        "sampling_rate", "override_sampling", "exporter_addr_override", "if_index", "if_name", "deleted",
        "updated_ns"), sources);
  }

  private void insert(String table, List<String> columns, Rows rows) {
    if (rows.count > 0) {
      byte[] b = rows.bytes();
      db.insertRowBinary(table, columns, b, b.length);
    }
  }

  /** A /32 or /128 registration as `sluice sources add ADDR --name N --site fixtures` mirrors it. */
  private static String register(Rows sources, byte[] addr) {
    String text = io.sluice.net.IpAddresses.format(addr);
    String name = "edge-" + text.replace('.', '-').replace(':', '-');
    boolean v4 = text.indexOf(':') < 0;
    sources.str(text + (v4 ? "/32" : "/128")).fixed16(addr).fixed16(addr).u8(128).str(name).str("fixtures")
        .u32(0).u8(0).fixed16(new byte[16]).u32s(List.of()).strings(List.of()).u8(0).u64(1).row();
    return name;
  }

  private static long[] lost(ExporterState state) {
    long[] lost = new long[2];
    if (state != null) {
      for (SequenceTracker t : state.sequenceTrackers()) {
        lost[t.countsRecords() ? 1 : 0] += t.lost();
      }
    }
    return lost;
  }

  /** Per problem, then the total last. */
  private static long[] problems(DecodeCounters counters) {
    DecodeProblem[] all = DecodeProblem.values();
    long[] n = new long[all.length + 1];
    for (int i = 0; i < all.length; i++) {
      n[i] = counters.problems(all[i]);
    }
    n[all.length] = counters.totalProblems();
    return n;
  }

  /** What one datagram contributes to its exporter's second, as FlowJob's 1-second window would count it. */
  private static final class Second {
    final long time;
    byte[] exporter;
    String name = "";
    long records;
    final Map<String, long[]> rates = new LinkedHashMap<>();

    Second(long time) {
      this.time = time;
    }

    void exporter(byte[] addr, String name) {
      if (exporter == null) {
        exporter = addr.clone();
        this.name = name;
      }
    }

    void rate(long rate, String source) {
      rates.putIfAbsent(rate + "/" + source, new long[] {rate});
    }

    void write(Rows out, FlowType type, long bytes, long lostDatagrams, long lostRecords, long[] before, long[] after) {
      List<String> reasons = new ArrayList<>();
      List<Long> counts = new ArrayList<>();
      DecodeProblem[] all = DecodeProblem.values();
      for (int i = 0; i < all.length; i++) {
        if (after[i] > before[i]) {
          reasons.add(all[i].reason());
          counts.add(after[i] - before[i]);
        }
      }
      List<Long> rateValues = new ArrayList<>();
      List<String> rateSources = new ArrayList<>();
      rates.forEach((k, v) -> {
        rateValues.add(v[0]);
        rateSources.add(k.substring(k.indexOf('/') + 1));
      });
      out.u32(time).fixed16(exporter).str(name).str(name.isEmpty() ? "" : "fixtures")
          .str(type == null ? "" : type.column()).u64(type == null ? 0 : 1).u64(records).u64(bytes)
          .u64(lostDatagrams).u64(lostRecords).strings(reasons).u64s(counts).u32s(rateValues).strings(rateSources)
          .u32(0).row();
    }
  }

  /** dns and http rows as the L7 job's sink encodes them (DnsRowEncoder, HttpRowEncoder), HTTP/2 from {@link GrpcCapture}. */
  private void loadL7() throws IOException {
    DnsRowEncoder dnsEncoder = new DnsRowEncoder("fixtures");
    HttpRowEncoder httpEncoder = new HttpRowEncoder("fixtures");
    RowBinary dns = new RowBinary(1 << 20);
    RowBinary http = new RowBinary(1 << 20);
    L7Sink sink = new L7Sink() {
      @Override
      public void dns(DnsRow r) {
        dnsEncoder.encode(r, dns);
      }

      @Override
      public void http(HttpRow r) {
        httpEncoder.encode(r, http);
      }

      @Override
      public void http2(Http2Row r) {
        httpEncoder.encode(r.asHttpRow(), http);
      }
    };
    for (Path capture : captures("l7")) {
      L7Replay.run(capture, L7Config.defaults(), sink);
    }
    L7Replay.run(GrpcCapture.get(), L7Config.defaults(), sink);
    db.insertRowBinary("dns", dnsEncoder.columns(), dns.array(), dns.size());
    db.insertRowBinary("http", httpEncoder.columns(), http.array(), http.size());
  }
}
