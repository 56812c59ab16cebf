package io.sluice.ebpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.jobs.l7.L7Job;
import io.sluice.stack.ClickHouseService;
import io.sluice.stack.TestStack;
import io.sluice.store.ClickHouseHttp;
import io.sluice.store.schema.Migrator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real servers, real kernel, as deployed: nginx and unbound in the server namespace, the loader at its default snap
 * in the client namespace, the L7Job unbounded (local Flink) into ClickHouse. nginx serves bodies of 50 B to 1 MB
 * with Content-Length and chunked (SSI makes nginx drop the length), to curl over keep-alive and to a pipelining
 * client (bash); unbound answers TXT records of 1 and 3 KB over UDP with EDNS (3 KB is IP-fragmented on the veth)
 * and over TCP. Every request the snap kept must give exactly one row with its status or rcode and the client's
 * process, not marked incomplete where its framing was captured; then a burst of
 * 1,000 requests and silence: all 1,000 rows, and the delay after the last response's capture time is printed.
 */
class L7LiveWorkloadTest {
  private static final long CHECKPOINT_MS = 1000;
  private static final long GIVE_UP_MS = 60_000;
  private static final List<Integer> SIZES = List.of(50, 200, 4 << 10, 64 << 10, 1 << 20);
  private static final List<String> FRAMINGS = List.of("static", "chunked");
  private static final List<String> TXT_NAMES = List.of("txt1k.sluice.test", "txt3k.sluice.test");
  private static final int BURST_CLIENTS = 4;
  private static final int BURST_EACH = 250;

  private static ClickHouseService clickhouse;
  private static io.sluice.stack.StackSettings settings;
  private static Path state;
  private static NetLab lab;
  private static JobClient job;
  private static Loader loader;
  private static ClickHouseHttp db;
  private static String node;

  @BeforeAll
  static void up() throws Exception {
    String lacks = Preflight.kernelLacksBpf();
    assumeTrue(lacks == null, () -> "skipped: " + lacks);
    String prefix = "w" + UUID.randomUUID().toString().substring(0, 8) + ".";
    TestKafka.createTopics(prefix);
    settings = TestStack.settings();
    clickhouse = TestStack.start(new ClickHouseService(settings), 60_000);
    state = Files.createTempDirectory("sluice-ebpf-state-");
    lab = new NetLab();
    String database = "l7work_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    new Migrator(new ClickHouseHttp(settings.clickhouseUrl(), null), database, TestStack.repoRoot().resolve("sql"),
        line -> {}).migrate();
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2, new Configuration());
    L7Job.build(env, Map.of("kafka", TestKafka.bootstrap(), "clickhouse", settings.clickhouseUrl(), "database",
        database, "checkpoint-ms", Long.toString(CHECKPOINT_MS), "topic-prefix", prefix, "group", "test-" + prefix));
    job = env.executeAsync("l7-live-workload");
    startServers();
    LoaderConfig config = LoaderConfig.defaults().withNetns(lab.client).withKafka(TestKafka.bootstrap())
        .withTopicPrefix(prefix).withMetricsPort(null).withStateDir(state);
    loader = Loader.start(config, null);
    db = new ClickHouseHttp(settings.clickhouseUrl(), database);
    node = " node = '" + config.node() + "'";
    System.out.printf("L7 live workload: loader snap %d%n", config.snapLen());
    Thread.sleep(5000); // the job's sources are reading
  }

  @AfterAll
  static void down() throws Exception {
    if (loader != null) {
      loader.close();
    }
    if (job != null) {
      job.cancel().get();
    }
    if (lab != null) {
      lab.close();
    }
    if (clickhouse != null) {
      TestStack.stopAndDelete(settings, clickhouse);
    }
    if (state != null) {
      NetLab.sh("rm -rf " + state);
    }
  }

  @Test
  void everyRequestIsOneRowWithStatusAndProcess() throws Exception {
    List<String> targets = new ArrayList<>();
    for (String framing : FRAMINGS) {
      for (int size : SIZES) {
        targets.add("/" + framing + "/" + size + ".html");
      }
    }
    // keep-alive: one curl, one connection, the requests one after another; each response starts a segment
    StringBuilder urls = new StringBuilder();
    for (String t : targets) {
      urls.append(" -o /dev/null http://").append(lab.serverIp).append(t).append("?ka");
    }
    String codes = lab.exec(lab.client, true, "exec curl -s -w \"%{http_code} %{num_connects}\\n\"" + urls);
    assertEquals(targets.size(), codes.lines().filter(l -> l.startsWith("200 ")).count(), codes);
    assertEquals(1, codes.lines().mapToInt(l -> Integer.parseInt(l.split(" ")[1])).sum(), "one connection: " + codes);
    // pipelined: bash writes all requests of a connection at once. On port 80 one connection per framing, whose
    // requests (the issue's four sizes) fit in the snap together; on port 8080 all of them in one write, which the
    // snap cuts: the requests beyond it are not captured.
    List<String> inSnap = targets.stream().filter(t -> !t.contains("/50.")).toList();
    pipeline("static", 80, inSnap.subList(0, 4));
    pipeline("chunked", 80, inSnap.subList(4, 8));
    pipeline("all", 8080, targets);

    List<String> digs = new ArrayList<>();
    for (String name : TXT_NAMES) {
      for (String transport : List.of("+tcp", "+notcp")) { // the rows come ordered by transport
        String header = lab.exec(lab.client, true, "exec dig +tries=1 +time=10 +bufsize=4096 +ignore " + transport
            + " @" + lab.serverIp + " " + name + " TXT");
        assertTrue(header.contains("status: NOERROR") && header.contains("ANSWER: 1,"), header);
        assertTrue(!header.contains("Truncated"), header);
        digs.add(name + " " + (transport.equals("+tcp") ? "tcp" : "udp"));
      }
    }

    int expectedHttp = targets.size() + inSnap.size() + 5;
    long doneMs = System.currentTimeMillis();
    List<List<String>> http = List.of();
    List<List<String>> dns = List.of();
    while (System.currentTimeMillis() - doneMs < GIVE_UP_MS && (http.size() < expectedHttp || dns.size() < digs.size())) {
      Thread.sleep(200);
      http = db.query("SELECT path, server_port, status_code, status, comm, incomplete, response_body_size FROM http"
          + " WHERE" + node + " AND path NOT LIKE '%burst%' ORDER BY server_port, time_ns").rows();
      dns = db.query("SELECT qname, transport, rcode, status, comm, answer_count, cut_by_capture, response_size"
          + " FROM dns WHERE" + node + " ORDER BY qname, transport").rows();
    }
    Thread.sleep(2 * CHECKPOINT_MS); // nothing more may come: a second row for a request would show here
    http = db.query("SELECT path, server_port, status_code, status, comm, incomplete, response_body_size FROM http"
        + " WHERE" + node + " AND path NOT LIKE '%burst%' ORDER BY server_port, time_ns").rows();
    System.out.printf("L7 live workload: rows %d ms after the last request%n", System.currentTimeMillis() - doneMs);
    http.forEach(r -> System.out.println("  http " + r));
    dns.forEach(r -> System.out.println("  dns " + r));
    assertTrue(http.size() >= expectedHttp && http.size() <= expectedHttp + 5, "one http row per request: " + http);

    Map<String, List<String>> byPath = new HashMap<>();
    List<List<String>> cutPipeline = new ArrayList<>();
    for (List<String> row : http) {
      if (row.get(1).equals("8080")) {
        cutPipeline.add(row);
      } else {
        assertEquals(null, byPath.put(row.get(0), row), "one row per request: " + row.get(0));
      }
    }
    for (String t : targets) {
      boolean chunked = t.startsWith("/chunked/");
      int size = Integer.parseInt(t.replaceAll("\\D", ""));
      for (String how : List.of("ka", "pl")) {
        if (how.equals("pl") && !inSnap.contains(t)) {
          continue;
        }
        String path = t + "?" + how;
        List<String> row = byPath.get(path);
        assertTrue(row != null, "no row for " + path + ": " + http);
        assertEquals(List.of("200", "answered", how.equals("ka") ? "curl" : "bash"), row.subList(2, 5), path);
        long bodySize = Long.parseLong(row.get(6));
        if (!chunked) {
          // the length is known from the captured head: holes in the body are skipped, the exchange is whole
          assertEquals(List.of("0", Integer.toString(size)), row.subList(5, 7), "complete: " + path);
        } else if (size == 50) {
          // head, chunk-size line, body and last chunk all within the snap
          assertEquals(List.of("0", "50"), row.subList(5, 7), "complete: " + path);
        } else {
          // a chunk-size line in a hole: the exchange keeps its status and what it counted, marked incomplete
          assertTrue(bodySize <= size, path + " " + row);
        }
      }
    }
    // The one write with every request (482 bytes): the five requests in its first 236 bytes pair, whole; the rest
    // are not captured (one is cut inside its start line) and nginx often coalesces their replies behind the 1 MB
    // body, so what is left of them varies from run to run (lost, unsolicited, a cut path answered): at most a row
    // each, marked incomplete, never a second row for a request.
    Map<String, List<String>> firstFive = new HashMap<>();
    List<List<String>> rest = new ArrayList<>();
    for (List<String> row : cutPipeline) {
      assertEquals("bash", row.get(4), row.toString());
      if (row.get(0).startsWith("/static/") && row.get(0).endsWith("?all")) {
        assertEquals(null, firstFive.put(row.get(0), row), "one row per request: " + row);
      } else {
        rest.add(row);
      }
    }
    for (String t : targets.subList(0, 5)) {
      List<String> row = firstFive.get(t + "?all");
      assertTrue(row != null, "no row for " + t + "?all: " + cutPipeline);
      assertEquals(List.of("200", "answered", "0", t.replaceAll("\\D", "")), List.of(row.get(2), row.get(3),
          row.get(5), row.get(6)),
          t + "?all");
    }
    assertTrue(rest.size() <= 5 && rest.stream().allMatch(r -> r.get(5).equals("1")), "beyond the snap: " + rest);
    System.out.printf("L7 live workload: pipelined write cut by the snap: %d rows for the 5 requests beyond it%n",
        rest.size());

    assertEquals(digs.size(), dns.size(), "dns rows " + dns);
    for (int i = 0; i < digs.size(); i++) {
      List<String> row = dns.get(i);
      assertEquals(List.of(digs.get(i).split(" ")[0], digs.get(i).split(" ")[1]), row.subList(0, 2));
      // answered, NOERROR, by dig; the answer is longer than the snap, so the response is marked cut by the capture
      assertEquals(List.of("0", "answered", "dig", "1", "1"), row.subList(2, 7), "dns " + digs.get(i));
    }
  }

  /** One connection from bash: every request written at once (the last one closing), then the replies read. */
  private static void pipeline(String name, int port, List<String> paths) throws Exception {
    String tag = port == 80 ? "?pl" : "?all";
    StringBuilder requests = new StringBuilder();
    for (int i = 0; i < paths.size(); i++) {
      requests.append("GET ").append(paths.get(i)).append(tag).append(" HTTP/1.1\r\nHost: s\r\n")
          .append(i == paths.size() - 1 ? "Connection: close\r\n\r\n" : "\r\n");
    }
    Path in = Files.writeString(lab.dir.resolve(name + ".req"), requests);
    Path out = lab.dir.resolve(name + ".out");
    Path script = Files.writeString(lab.dir.resolve(name + ".sh"), "exec 3<>/dev/tcp/" + lab.serverIp + "/" + port
        + "\ncat " + in + " >&3\ncat <&3 > " + out + "\n");
    lab.exec(lab.client, true, "exec bash " + script);
    String replies = new String(Files.readAllBytes(out), StandardCharsets.ISO_8859_1);
    assertEquals(paths.size(), replies.split("HTTP/1.1 200 OK\r\n", -1).length - 1, "pipelined replies " + name);
  }

  @Test
  void aBurstOfAThousandRequestsThenSilenceLandsEveryRow() throws Exception {
    StringBuilder cmd = new StringBuilder();
    for (int c = 0; c < BURST_CLIENTS; c++) {
      cmd.append("curl -s -w \"\\n%{http_code}\\n\" \"http://").append(lab.serverIp).append("/static/200.html?burst")
          .append(c).append("-[1-").append(BURST_EACH).append("]\" & ");
    }
    cmd.append("wait");
    String out = lab.exec(lab.client, true, cmd.toString());
    int total = BURST_CLIENTS * BURST_EACH;
    assertEquals(total, out.lines().filter(l -> l.equals("200")).count(), "the burst's responses");
    long endMs = System.currentTimeMillis();

    Map<String, Long> firstSeenNs = new HashMap<>();
    long rows = 0;
    long allAtNs = 0;
    while (System.currentTimeMillis() - endMs < GIVE_UP_MS && rows < total) {
      Thread.sleep(100);
      long nowNs = System.currentTimeMillis() * 1_000_000L;
      rows = 0;
      for (List<String> r : db.query("SELECT ingest_batch, count() FROM http WHERE" + node
          + " AND path LIKE '%burst%' GROUP BY ingest_batch").rows()) {
        firstSeenNs.putIfAbsent(r.get(0), nowNs);
        rows += Long.parseLong(r.get(1));
      }
      allAtNs = nowNs;
    }
    List<List<String>> summary = db.query("SELECT count(), uniqExact(path), countIf(status_code = 200 AND status ="
        + " 'answered' AND comm = 'curl' AND incomplete = 0), max(response_time_ns) FROM http WHERE" + node
        + " AND path LIKE '%burst%'").rows();
    // the worst row: its batch's first sighting minus the batch's earliest response
    long worstRowNs = 0;
    for (List<String> r : db.query("SELECT ingest_batch, min(response_time_ns) FROM http WHERE" + node
        + " AND path LIKE '%burst%' GROUP BY ingest_batch").rows()) {
      worstRowNs = Math.max(worstRowNs, firstSeenNs.getOrDefault(r.get(0), allAtNs) - Long.parseLong(r.get(1)));
    }
    long lastResponseNs = Long.parseLong(summary.get(0).get(3));
    long afterLastMs = lastResponseNs == 0 ? -1 : (allAtNs - lastResponseNs) / 1_000_000L;
    System.out.printf("L7 live burst: %s rows of %d (distinct, ok: %s) in %d sink commits; all in %d ms after the last"
        + " response's capture time, worst row %d ms after its response (checkpoint %d ms)%n", summary.get(0).get(0),
        total, summary.get(0).subList(1, 3), firstSeenNs.size(), afterLastMs, worstRowNs / 1_000_000L,
        CHECKPOINT_MS);
    assertEquals(List.of(Integer.toString(total), Integer.toString(total), Integer.toString(total)),
        summary.get(0).subList(0, 3), "one answered, complete row per request, by curl");
    // Every row landed during silence (the loop above gives up after GIVE_UP_MS): the delay itself is printed, not
    // asserted (the issue's checkpoint + 5 s is a benchmark figure; a loaded or slow machine may need longer).
  }

  private static void startServers() throws Exception {
    Path www = Files.createDirectories(lab.dir.resolve("www"));
    for (int size : SIZES) {
      byte[] body = new byte[size];
      for (int i = 0; i < size; i++) {
        body[i] = (byte) ('a' + i % 26);
      }
      Files.write(www.resolve(size + ".html"), body);
    }
    StringBuilder txt = new StringBuilder();
    for (String name : TXT_NAMES) {
      int strings = name.startsWith("txt1k") ? 4 : 12;
      StringBuilder rdata = new StringBuilder();
      for (int i = 0; i < strings; i++) {
        rdata.append(" \\\"").append(String.valueOf((char) ('a' + i)).repeat(250)).append("\\\"");
      }
      txt.append("  local-data: \"").append(name).append(". 60 IN TXT").append(rdata).append("\"\n");
    }
    Files.writeString(lab.dir.resolve("unbound.conf"), """
        server:
          interface: %s
          port: 53
          access-control: 10.200.0.0/16 allow
          do-daemonize: no
          username: ""
          chroot: ""
          directory: "%s"
          pidfile: ""
          use-syslog: no
          logfile: ""
          do-ip6: no
          max-udp-size: 4096
          module-config: "iterator"
          local-zone: "sluice.test." static
        %sremote-control:
          control-enable: no
        """.formatted(lab.serverIp, lab.dir, txt));
    // /static/ answers with Content-Length; /chunked/ runs the same files through SSI, which drops the length, so
    // nginx sends them chunked (32 KB chunks).
    Files.writeString(lab.dir.resolve("nginx.conf"), """
        daemon off;
        master_process off;
        pid %1$s/nginx.pid;
        error_log %1$s/nginx-error.log;
        events { worker_connections 256; }
        http {
          access_log off;
          default_type text/html;
          client_body_temp_path %1$s/body;
          proxy_temp_path %1$s/proxy;
          fastcgi_temp_path %1$s/fastcgi;
          uwsgi_temp_path %1$s/uwsgi;
          scgi_temp_path %1$s/scgi;
          server {
            listen %2$s:80;
            listen %2$s:8080;
            location /static/ { alias %1$s/www/; }
            location /chunked/ { alias %1$s/www/; ssi on; gzip off; chunked_transfer_encoding on; }
          }
        }
        """.formatted(lab.dir, lab.serverIp));
    lab.daemon(lab.server, "unbound -d -c " + lab.dir.resolve("unbound.conf"), "unbound.log");
    lab.daemon(lab.server, "nginx -c " + lab.dir.resolve("nginx.conf"), "nginx.log");
    long deadline = System.currentTimeMillis() + 60_000;  // a ceiling: a busy machine starts servers slowly
    while (true) {
      try {
        lab.exec(lab.client, false, "dig +short +tries=1 +time=1 @" + lab.serverIp + " txt1k.sluice.test TXT | grep -q a");
        String head = lab.exec(lab.client, false, "curl -sf -m 2 -D - -o /dev/null http://" + lab.serverIp
            + "/chunked/200.html");
        assertTrue(head.contains("Transfer-Encoding: chunked"), head);
        return;
      } catch (IllegalStateException e) {
        if (System.currentTimeMillis() > deadline) {
          throw new IllegalStateException("servers did not come up: " + e.getMessage()
              + "\nunbound: " + lab.log("unbound.log") + "\nnginx: " + lab.log("nginx.log"));
        }
        Thread.sleep(200);
      }
    }
  }
}
