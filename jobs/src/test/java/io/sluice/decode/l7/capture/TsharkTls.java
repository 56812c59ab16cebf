package io.sluice.decode.l7.capture;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** tshark's TLS dissection of a capture: each TCP connection's ClientHello, ServerHello and first alert. */
public final class TsharkTls {
  private TsharkTls() {}

  /** One map per TCP connection (tcp.stream order): its ClientHello's and ServerHello's fields and any alert. */
  public static List<Map<String, String>> handshakes(Path capture) throws Exception {
    String out = Tools.run(List.of("tshark", "-o", "tcp.reassemble_out_of_order:TRUE", "-r", capture.toString(), "-Y",
        "tls.handshake.type == 1 || tls.handshake.type == 2 || tls.alert_message", "-T", "fields",
        "-E", "occurrence=a", "-E", "aggregator=,", "-e", "tcp.stream", "-e", "tls.handshake.type",
        "-e", "tls.handshake.extensions_server_name", "-e", "tls.handshake.ja3", "-e", "tls.handshake.ja3_full",
        "-e", "tls.handshake.extensions.supported_version", "-e", "tls.handshake.ciphersuite",
        "-e", "tls.handshake.extensions_alpn_str", "-e", "tls.handshake.version", "-e", "tls.alert_message.desc",
        "-e", "tls.alert_message.level"));
    Map<Integer, Map<String, String>> byStream = new HashMap<>();
    for (String line : out.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.split("\t", -1);
      Map<String, String> m = byStream.computeIfAbsent(Integer.parseInt(f[0]), k -> new HashMap<>());
      List<String> types = Arrays.asList(f[1].split(","));
      if (types.contains("1")) {
        m.put("sni", f[2]);
        m.put("ja3", f[3]);
        m.put("ja3_full", f[4]);
        m.put("client_versions", f[5]);
        m.put("client_ciphers", f[6]);
        m.put("alpn_offered", f[7]);
        m.put("client_legacy", f[8]);
      } else if (types.contains("2")) {
        m.put("server_version", f[5].isEmpty() ? f[8].split(",")[0] : f[5]);
        m.put("server_cipher", f[6]);
        m.put("alpn", f[7]);
      }
      if (!f[9].isEmpty()) {
        m.putIfAbsent("alert", f[9]);
        m.putIfAbsent("alert_level", f[10]);
      }
    }
    List<Map<String, String>> list = new ArrayList<>();
    for (int i = 0; i < byStream.size(); i++) {
      list.add(byStream.get(i));
    }
    return list;
  }
}
