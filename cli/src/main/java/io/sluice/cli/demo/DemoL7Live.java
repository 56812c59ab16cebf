package io.sluice.cli.demo;

import io.sluice.ebpf.Preflight;
import io.sluice.ebpf.ffi.BpfException;
import io.sluice.stack.StackSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Live DNS/HTTP/TLS through eBPF: unbound and nginx in a server namespace, a bounded dig/curl loop in a client
 * namespace joined to it by a veth pair, and `sluice capture` (the loader) inside the client namespace feeding
 * Kafka, so the L7Job's rows carry the client's process (dig, curl). Needs root, BTF, unbound, nginx, dig and
 * curl; {@link #missing()} says what is lacking, and the demo then replays a capture it writes itself instead.
 */
final class DemoL7Live {
  static final String CAPTURE = "demo-capture";
  static final String CLIENT = "demo-l7-client";
  static final String UNBOUND = "demo-unbound";
  static final String NGINX = "demo-nginx";
  /** The loop's bound: 600 rounds, one a second (a few more seconds for the dropped lookups). */
  static final int ROUNDS = 600;
  static final String NAME = "www.sluice.test";
  // The two ends exist only inside the demo's two namespaces, so a fixed /30 collides with nothing.
  private static final String SERVER_IP = "10.77.0.1";
  private static final String CLIENT_IP = "10.77.0.2";

  private DemoL7Live() {}

  static String serverNamespace(StackSettings s) {
    return DemoSoftflowd.namespace(s) + "-srv";
  }

  static String clientNamespace(StackSettings s) {
    return DemoSoftflowd.namespace(s) + "-cli";
  }

  /** Why live capture cannot run here (one line), or null when it can. */
  static String missing() {
    String base = DemoSoftflowd.missingRootOrIp();
    if (base != null) {
      return base;
    }
    for (String tool : List.of("/usr/sbin/unbound", "/usr/sbin/nginx", "/usr/bin/dig", "/usr/bin/curl", "/usr/bin/openssl")) {
      if (!Files.isExecutable(Path.of(tool))) {
        return tool + " is not installed: apt-get install -y unbound nginx dnsutils curl openssl (as root)";
      }
    }
    try {
      Preflight.check(true);
    } catch (BpfException | UnsatisfiedLinkError | IllegalStateException e) {
      return "the eBPF loader's preflight failed: " + e.getMessage();
    }
    return null;
  }

  /**
   * Starts the servers, the loader and the client loop; false (with the one-line reason printed) when the kernel or
   * this machine cannot, or when the loader did not attach, in which case what was started is stopped again.
   */
  static boolean start(StackSettings s, PrintWriter out) throws IOException, InterruptedException {
    String why = missing();
    if (why != null) {
      out.println("live DNS/HTTP capture through eBPF: not possible here, " + why + "; replaying a capture instead");
      return false;
    }
    String srv = serverNamespace(s);
    String cli = clientNamespace(s);
    Path work = s.workDir().toAbsolutePath().normalize();
    Path dir = work.resolve("demo").resolve("l7-live");
    Files.createDirectories(dir);
    List<String> existing = DemoSoftflowd.namespaces();
    if (!existing.contains(srv) || !existing.contains(cli)) {
      removeNamespaces(s);
      String tag = DemoSoftflowd.tag(s);
      DemoSoftflowd.ip("netns", "add", srv);
      DemoSoftflowd.ip("netns", "add", cli);
      DemoSoftflowd.ip("link", "add", "dls" + tag, "netns", srv, "type", "veth", "peer", "name", "dlc" + tag, "netns", cli);
      DemoSoftflowd.ip("-n", srv, "addr", "add", SERVER_IP + "/30", "dev", "dls" + tag);
      DemoSoftflowd.ip("-n", cli, "addr", "add", CLIENT_IP + "/30", "dev", "dlc" + tag);
      for (String[] end : new String[][] {{srv, "dls" + tag}, {cli, "dlc" + tag}}) {
        DemoSoftflowd.ip("-n", end[0], "link", "set", "lo", "up");
        DemoSoftflowd.ip("-n", end[0], "link", "set", end[1], "up");
      }
    }
    writeConfigs(dir);
    if (!Files.exists(dir.resolve("cert.pem"))) {
      DemoSoftflowd.run(List.of("/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "365",
          "-keyout", dir.resolve("key.pem").toString(), "-out", dir.resolve("cert.pem").toString(), "-subj", "/CN=" + NAME));
    }
    // The configuration paths name the work directory, which ManagedProcess checks before a stop.
    long unbound = DemoProcesses.process(s, UNBOUND).start(List.of("ip", "netns", "exec", srv, "/usr/sbin/unbound", "-d",
        "-c", dir.resolve("unbound.conf").toString()), work);
    long nginx = DemoProcesses.process(s, NGINX).start(List.of("ip", "netns", "exec", srv, "/usr/sbin/nginx",
        "-c", dir.resolve("nginx.conf").toString()), work);
    long capture = DemoProcesses.startSluice(s, CAPTURE, "256m", List.of("capture", "--netns", cli,
        "--ports", "53,80,443", "--kafka", s.kafkaBootstrap(), "--metrics-port", "0", "--state-dir", dir.resolve("loader-state").toString()));
    String attached = waitForCapture(s);
    if (attached == null) {
      String log = lastLine(DemoProcesses.process(s, CAPTURE).logFile());
      out.println("live DNS/HTTP capture through eBPF: the loader did not start (" + log + "); replaying a capture instead");
      stop(s);
      return false;
    }
    // bash's $0 is the work directory: the marker stays on the command line of the loop itself.
    // Each round a lookup, an HTTP request and an HTTPS one; every 5th round also an NXDOMAIN, a 404, a lookup the
    // server drops (a DNS timeout) and a TLS handshake the server refuses (no cipher in common).
    String https = "curl -sk -m 5 -o /dev/null --resolve " + NAME + ":443:" + SERVER_IP + " ";
    String script = "for i in $(seq 1 " + ROUNDS + "); do "
        + "dig +short +tries=1 +time=2 @" + SERVER_IP + " " + NAME + " A >/dev/null; "
        + "curl -s -m 5 -o /dev/null http://" + SERVER_IP + "/demo/$i; "
        + https + "https://" + NAME + "/secure/$i; "
        + "if [ $((i % 5)) = 0 ]; then dig +short +tries=1 +time=2 @" + SERVER_IP + " missing-$i.sluice.test A >/dev/null; "
        + "curl -s -m 5 -o /dev/null http://" + SERVER_IP + "/missing/$i; "
        + "dig +short +tries=1 +time=1 @" + SERVER_IP + " dropped-$i.slow.sluice.test A >/dev/null; "
        + https + "--tls-max 1.2 --ciphers ECDHE-RSA-AES128-GCM-SHA256 https://" + NAME + "/refused; fi; sleep 1; done";
    long client = DemoProcesses.process(s, CLIENT).start(List.of("ip", "netns", "exec", cli, "bash", "-c", script,
        work.toString()), work);
    out.printf("live DNS/HTTP through eBPF: sluice capture (pid %d) %s; unbound (pid %d) and nginx"
        + " (pid %d) at %s in %s; dig and curl (pid %d) from %s in %s, %d rounds, one a second%n", capture, attached,
        unbound, nginx, SERVER_IP, srv, client, CLIENT_IP, cli, ROUNDS);
    return true;
  }

  private static void writeConfigs(Path dir) throws IOException {
    Files.writeString(dir.resolve("unbound.conf"), """
        server:
          interface: %1$s
          port: 53
          access-control: %2$s/32 allow
          do-daemonize: no
          username: ""
          chroot: ""
          directory: "%3$s"
          pidfile: ""
          use-syslog: no
          logfile: ""
          do-ip6: no
          module-config: "iterator"
          local-zone: "sluice.test." static
          local-data: "%4$s. 60 IN A %1$s"
          local-zone: "slow.sluice.test." deny
        remote-control:
          control-enable: no
        """.formatted(SERVER_IP, CLIENT_IP, dir, NAME));
    Files.writeString(dir.resolve("nginx.conf"), """
        daemon off;
        master_process off;
        pid %1$s/nginx.pid;
        error_log %1$s/nginx-error.log;
        events { worker_connections 64; }
        http {
          access_log off;
          client_body_temp_path %1$s/body;
          proxy_temp_path %1$s/proxy;
          fastcgi_temp_path %1$s/fastcgi;
          uwsgi_temp_path %1$s/uwsgi;
          scgi_temp_path %1$s/scgi;
          server {
            listen %2$s:80;
            location /missing/ { return 404; }
            location / { return 200 "hello from the sluice demo\\n"; }
          }
          server {
            listen %2$s:443 ssl;
            ssl_certificate %1$s/cert.pem;
            ssl_certificate_key %1$s/key.pem;
            ssl_protocols TLSv1.2 TLSv1.3;
            ssl_ciphers ECDHE-RSA-AES256-GCM-SHA384;
            location / { return 200 "hello from the sluice demo over TLS\\n"; }
          }
        }
        """.formatted(dir, SERVER_IP));
  }

  /** The loader's "capturing on …" line once it has attached, or null if it exited or took over 30 s. */
  private static String waitForCapture(StackSettings s) throws InterruptedException, IOException {
    var process = DemoProcesses.process(s, CAPTURE);
    long deadline = System.currentTimeMillis() + 30_000;
    while (System.currentTimeMillis() < deadline) {
      if (Files.exists(process.logFile())) {
        for (String line : Files.readAllLines(process.logFile())) {
          if (line.startsWith("capturing on ")) {
            return line.substring("capturing ".length(), line.indexOf(';') < 0 ? line.length() : line.indexOf(';'));
          }
        }
      }
      if (!process.isRunning()) {
        return null;
      }
      Thread.sleep(200);
    }
    return null;
  }

  private static String lastLine(Path log) {
    try {
      List<String> lines = Files.readAllLines(log).stream().filter(l -> !l.isBlank()).toList();
      return lines.isEmpty() ? "no output" : lines.get(lines.size() - 1).strip();
    } catch (IOException e) {
      return "no log";
    }
  }

  /** Stops the client loop, the loader and the servers, then deletes both namespaces; returns how many processes ran. */
  static int stop(StackSettings s) {
    int stopped = 0;
    for (String name : List.of(CLIENT, CAPTURE, NGINX, UNBOUND)) {
      if (DemoProcesses.process(s, name).stop(5000)) {
        stopped++;
      }
    }
    removeNamespaces(s);
    return stopped;
  }

  /** Kills what still runs in the two namespaces and deletes them (the veth pair goes with them). */
  static void removeNamespaces(StackSettings s) {
    try {
      if (DemoSoftflowd.missingRootOrIp() != null) {
        return;
      }
      List<String> existing = DemoSoftflowd.namespaces();
      for (String ns : List.of(clientNamespace(s), serverNamespace(s))) {
        if (existing.contains(ns)) {
          for (String pid : DemoSoftflowd.run(List.of("ip", "netns", "pids", ns)).lines().filter(l -> !l.isBlank()).toList()) {
            ProcessHandle.of(Long.parseLong(pid.strip())).ifPresent(p -> {
              p.destroyForcibly();
              p.onExit().orTimeout(5, TimeUnit.SECONDS).exceptionally(t -> p).join();
            });
          }
          DemoSoftflowd.ip("netns", "del", ns);
        }
      }
    } catch (IOException | InterruptedException | NumberFormatException e) {
      // nothing more to remove than we could
    }
  }
}
