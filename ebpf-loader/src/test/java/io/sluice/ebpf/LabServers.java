package io.sluice.ebpf;

import java.io.IOException;
import java.nio.file.Files;

/** unbound (DNS) and nginx (HTTP) inside a lab's server namespace, configured in the lab's directory. */
final class LabServers {
  static final String NAME = "www.sluice.test";

  private LabServers() {}

  static void start(NetLab lab) throws IOException, InterruptedException {
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
          module-config: "iterator"
          local-zone: "sluice.test." static
          local-data: "%s. 60 IN A %s"
        remote-control:
          control-enable: no
        """.formatted(lab.serverIp, lab.dir, NAME, lab.serverIp));
    Files.writeString(lab.dir.resolve("nginx.conf"), nginxConf(lab, "nginx", """
            server {
              listen %s:80;
              location / { return 200 "hello from sluice\\n"; }
            }
        """.formatted(lab.serverIp)));
    lab.daemon(lab.server, "unbound -d -c " + lab.dir.resolve("unbound.conf"), "unbound.log");
    lab.daemon(lab.server, "nginx -c " + lab.dir.resolve("nginx.conf"), "nginx.log");
    long deadline = System.currentTimeMillis() + 60_000;  // a ceiling: a busy machine starts servers slowly
    while (true) {
      try {
        lab.exec(lab.client, false, "dig +short +tries=1 +time=1 @" + lab.serverIp + " " + NAME + " A | grep -q " + lab.serverIp);
        lab.exec(lab.client, false, "curl -sf -m 2 -o /dev/null http://" + lab.serverIp + "/");
        return;
      } catch (IllegalStateException e) {
        if (System.currentTimeMillis() > deadline) {
          throw new IllegalStateException("lab servers did not come up: " + e.getMessage()
              + "\nunbound: " + lab.log("unbound.log") + "\nnginx: " + lab.log("nginx.log"));
        }
        Thread.sleep(200);
      }
    }
  }

  /** An nginx configuration for a lab (foreground, one process, files in the lab's directory) around {@code servers}. */
  static String nginxConf(NetLab lab, String name, String servers) {
    return """
        daemon off;
        master_process off;
        pid %1$s/%2$s.pid;
        error_log %1$s/%2$s-error.log;
        events { worker_connections 256; }
        http {
          access_log off;
          client_body_temp_path %1$s/body;
          proxy_temp_path %1$s/proxy;
          fastcgi_temp_path %1$s/fastcgi;
          uwsgi_temp_path %1$s/uwsgi;
          scgi_temp_path %1$s/scgi;
        %3$s}
        """.formatted(lab.dir, name, servers);
  }
}
