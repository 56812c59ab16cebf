package io.sluice.cli.demo.exporter;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * DNS and HTTP/1.1 conversations as frames on the wire, from a seed: clients on 10.0.0.0/24 and fd00:53::/64 ask
 * a resolver (A, AAAA, MX, TXT; names picked Zipf-like, a share of them NXDOMAIN, a few never answered) and fetch
 * pages from web servers over TCP (handshake, request, response, close; 200, 301, 404 and 500, keep-alive
 * sometimes). What `sluice demo` replays when it cannot capture live and what `sluice bench l7` measures. Pure.
 */
public final class L7Traffic {
  /** A frame and the time it was seen, in microseconds since the epoch. */
  public record Frame(long timeMicros, byte[] data) {}

  private static final String[] NAMES = {"example.com", "sluice.dev", "api.github.com", "www.wikipedia.org",
      "cdn.jsdelivr.net", "registry.npmjs.org", "repo.maven.apache.org", "deb.debian.org", "ntp.ubuntu.com",
      "updates.example.net", "metrics.internal", "auth.internal", "db-1.internal", "db-2.internal", "cache.internal",
      "login.example.org", "static.example.org", "images.example.org", "mail.example.com", "typo.exampel.com"};
  private static final String[] HOSTS = {"shop.example.com", "api.example.com", "www.example.org", "intranet.internal"};
  private static final String[] PATHS = {"/", "/index.html", "/api/v1/items", "/api/v1/items/42", "/login", "/static/app.js",
      "/static/style.css", "/images/logo.png", "/healthz", "/search?q=flows", "/cart", "/admin"};
  private static final byte[] RESOLVER4 = {10, 0, 0, 53};
  private static final byte[] WEB4 = {10, 0, 0, 80};
  private static final byte[] RESOLVER6 = TrafficModel.parse("fd00:53::53");
  private static final byte[] WEB6 = TrafficModel.parse("fd00:53::80");

  private final SplittableRandom random;
  private final Zipf names = new Zipf(NAMES.length, 1.0);
  private final Zipf paths = new Zipf(PATHS.length, 1.1);
  private final Zipf clients = new Zipf(40, 1.0);
  private int nextPort = 20000;

  public L7Traffic(long seed) {
    this.random = new SplittableRandom(seed);
  }

  /** One conversation starting at {@code startMicros}: about four in five DNS, the rest HTTP. */
  public List<Frame> conversation(long startMicros) {
    boolean v6 = random.nextInt(4) == 0;
    int client = 10 + clients.next(random);
    byte[] src = v6 ? TrafficModel.parse("fd00:53::" + Integer.toHexString(client)) : new byte[] {10, 0, 0, (byte) client};
    nextPort = nextPort >= 60000 ? 20000 : nextPort + 1 + random.nextInt(7);
    return random.nextInt(5) < 4 ? dns(startMicros, src, v6 ? RESOLVER6 : RESOLVER4, nextPort)
        : http(startMicros, src, v6 ? WEB6 : WEB4, nextPort);
  }

  private List<Frame> dns(long t, byte[] client, byte[] server, int port) {
    String name = NAMES[names.next(random)];
    int[] types = {1, 1, 1, 28, 28, 15, 16};
    int type = types[random.nextInt(types.length)];
    int id = random.nextInt(65536);
    byte[] question = question(name, type);
    List<Frame> frames = new ArrayList<>();
    ByteBuffer q = ByteBuffer.allocate(12 + question.length);
    q.putShort((short) id).putShort((short) 0x0100).putShort((short) 1).putShort((short) 0).putShort((short) 0).putShort((short) 0)
        .put(question);
    frames.add(new Frame(t, Frames.udp(client, server, port, 53, q.array())));
    if (random.nextInt(100) < 2) {
      return frames; // never answered: the engine times it out
    }
    boolean nx = name.startsWith("typo") || random.nextInt(100) < 3;
    byte[] answer = nx ? new byte[0] : answer(type);
    ByteBuffer r = ByteBuffer.allocate(12 + question.length + answer.length);
    r.putShort((short) id).putShort((short) (nx ? 0x8183 : 0x8180)).putShort((short) 1).putShort((short) (nx ? 0 : 1))
        .putShort((short) 0).putShort((short) 0).put(question).put(answer);
    long latency = name.endsWith(".internal") ? 300 + random.nextInt(700) : 2_000 + random.nextInt(40_000);
    frames.add(new Frame(t + latency, Frames.udp(server, client, 53, port, r.array())));
    return frames;
  }

  private static byte[] question(String name, int type) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String label : name.split("\\.")) {
      out.write(label.length());
      out.writeBytes(label.getBytes(StandardCharsets.US_ASCII));
    }
    out.write(0);
    out.write(type >> 8);
    out.write(type);
    out.write(0);
    out.write(1);
    return out.toByteArray();
  }

  private byte[] answer(int type) {
    byte[] rdata = switch (type) {
      case 1 -> new byte[] {(byte) 93, (byte) 184, (byte) random.nextInt(256), (byte) random.nextInt(256)};
      case 28 -> TrafficModel.parse("2606:2800:220:1::" + Integer.toHexString(random.nextInt(65536)));
      case 15 -> ByteBuffer.allocate(2 + 7).putShort((short) 10).put(new byte[] {4, 'm', 'a', 'i', 'l', (byte) 0xC0, 12}).array();
      default -> {
        byte[] txt = "v=spf1 -all".getBytes(StandardCharsets.US_ASCII);
        yield ByteBuffer.allocate(1 + txt.length).put((byte) txt.length).put(txt).array();
      }
    };
    return ByteBuffer.allocate(12 + rdata.length).putShort((short) 0xC00C).putShort((short) type).putShort((short) 1)
        .putInt(300).putShort((short) rdata.length).put(rdata).array();
  }

  private List<Frame> http(long t, byte[] client, byte[] server, int port) {
    List<Frame> frames = new ArrayList<>();
    long cSeq = random.nextInt() & 0xFFFFFFFFL;
    long sSeq = random.nextInt() & 0xFFFFFFFFL;
    long rtt = 200 + random.nextInt(800);
    frames.add(new Frame(t, Frames.frame(client, server, Frames.TCP, port, 80, 0x02, cSeq, 0, new byte[0])));
    frames.add(new Frame(t + rtt, Frames.frame(server, client, Frames.TCP, 80, port, 0x12, sSeq, cSeq + 1, new byte[0])));
    t += 2 * rtt;
    cSeq++;
    sSeq++;
    frames.add(new Frame(t, Frames.frame(client, server, Frames.TCP, port, 80, 0x10, cSeq, sSeq, new byte[0])));
    int requests = random.nextInt(4) == 0 ? 2 + random.nextInt(3) : 1;
    String host = HOSTS[random.nextInt(HOSTS.length)];
    for (int i = 0; i < requests; i++) {
      boolean post = random.nextInt(10) == 0;
      String path = PATHS[paths.next(random)];
      byte[] body = post ? "{\"item\":42}".getBytes(StandardCharsets.US_ASCII) : new byte[0];
      String head = (post ? "POST " : "GET ") + path + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: sluice-demo/1\r\n"
          + "Accept: */*\r\n" + (post ? "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n" : "") + "\r\n";
      byte[] request = concat(head.getBytes(StandardCharsets.US_ASCII), body);
      frames.add(new Frame(t, Frames.frame(client, server, Frames.TCP, port, 80, 0x18, cSeq, sSeq, request)));
      cSeq += request.length;
      int roll = random.nextInt(100);
      int status = path.equals("/admin") ? 403 : roll < 80 ? 200 : roll < 88 ? 301 : roll < 97 ? 404 : 500;
      int size = status == 200 ? 200 + random.nextInt(path.startsWith("/static") || path.startsWith("/images") ? 1100 : 600) : 60;
      byte[] content = new byte[size];
      java.util.Arrays.fill(content, (byte) 'x');
      String reason = switch (status) {
        case 200 -> "OK";
        case 301 -> "Moved Permanently";
        case 403 -> "Forbidden";
        case 404 -> "Not Found";
        default -> "Internal Server Error";
      };
      byte[] response = concat(("HTTP/1.1 " + status + " " + reason + "\r\nServer: nginx\r\nContent-Type: text/html\r\n"
          + "Content-Length: " + size + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII), content);
      long serverTime = status == 500 ? 50_000 + random.nextInt(200_000) : 1_000 + random.nextInt(20_000);
      t += serverTime;
      frames.add(new Frame(t, Frames.frame(server, client, Frames.TCP, 80, port, 0x18, sSeq, cSeq, response)));
      sSeq += response.length;
      t += rtt;
      frames.add(new Frame(t, Frames.frame(client, server, Frames.TCP, port, 80, 0x10, cSeq, sSeq, new byte[0])));
      t += 1_000 + random.nextInt(5_000);
    }
    frames.add(new Frame(t, Frames.frame(client, server, Frames.TCP, port, 80, 0x11, cSeq, sSeq, new byte[0])));
    frames.add(new Frame(t + rtt, Frames.frame(server, client, Frames.TCP, 80, port, 0x11, sSeq, cSeq + 1, new byte[0])));
    frames.add(new Frame(t + 2 * rtt, Frames.frame(client, server, Frames.TCP, port, 80, 0x10, cSeq + 1, sSeq + 1, new byte[0])));
    return frames;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /**
   * {@code conversations} conversations, one starting every {@code everyMicros} from {@code startMicros}, their
   * frames in time order: a capture file's worth.
   */
  public static List<Frame> capture(long seed, int conversations, long startMicros, long everyMicros) {
    L7Traffic traffic = new L7Traffic(seed);
    List<Frame> frames = new ArrayList<>();
    for (int i = 0; i < conversations; i++) {
      frames.addAll(traffic.conversation(startMicros + i * everyMicros));
    }
    frames.sort(java.util.Comparator.comparingLong(Frame::timeMicros));
    return frames;
  }
}
