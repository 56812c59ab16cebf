package io.sluice.cli.demo.exporter;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Plausible edge-router traffic from a seed: customers behind the downstream interfaces talk to remote networks
 * (Zipf-picked networks, hosts and clients: heavy hitters and a long tail), over IPv4 and IPv6, with the ports,
 * protocols, sizes and TCP flags of common services, and a daily rate curve compressed to {@code dayMillis}.
 * The same seed and the same clock give the same flows. Pure: no clock, no I/O.
 */
public final class TrafficModel {
  /** A service: protocol, server port, weight, median packets and bytes per packet of the download direction. */
  private record Service(int protocol, int port, int weight, double packets, int downSize, int upSize) {}

  private static final List<Service> SERVICES = List.of(
      new Service(Frames.TCP, 443, 40, 60, 1380, 90),
      new Service(Frames.UDP, 443, 15, 80, 1250, 120),
      new Service(Frames.TCP, 80, 8, 20, 1200, 300),
      new Service(Frames.UDP, 53, 12, 1, 140, 75),
      new Service(Frames.UDP, 123, 2, 1, 76, 76),
      new Service(Frames.TCP, 22, 3, 30, 180, 120),
      new Service(Frames.TCP, 25, 2, 12, 90, 900),
      new Service(Frames.TCP, 993, 2, 10, 600, 150),
      new Service(Frames.TCP, 3389, 1, 40, 900, 200),
      new Service(Frames.UDP, 51413, 4, 25, 1100, 1100),
      new Service(Frames.ICMP, 0, 3, 3, 84, 84));
  private static final int HOSTS_PER_NETWORK = 200;
  private static final int CLIENTS_PER_CUSTOMER = 250;

  private final SplittableRandom random;
  private final Site site;
  private final long dayMillis;
  private final Zipf networks = new Zipf(Networks.REMOTE.size(), 1.1);
  private final Zipf hosts = new Zipf(HOSTS_PER_NETWORK, 1.3);
  private final Zipf clients = new Zipf(CLIENTS_PER_CUSTOMER, 1.0);
  private final Zipf customers = new Zipf(Networks.CUSTOMERS.size(), 0.8);
  private final int totalWeight = SERVICES.stream().mapToInt(Service::weight).sum();

  public TrafficModel(long seed, Site site, long dayMillis) {
    this.random = new SplittableRandom(seed);
    this.site = site;
    this.dayMillis = dayMillis;
  }

  /**
   * Where in its day the clock is, as a rate factor between 0.2 (the night trough) and 1 (the evening peak): a
   * day lasts {@code dayMillis} and starts at midnight.
   */
  public double rateFactor(long nowMs) {
    double phase = Math.floorMod(nowMs, dayMillis) / (double) dayMillis;
    // Lowest at 04:00, highest at 21:00, with a shoulder through the working day.
    double evening = Math.exp(-Math.pow((phase - 0.875) / 0.12, 2));
    double daytime = Math.exp(-Math.pow((phase - 0.55) / 0.18, 2));
    double night = Math.exp(-Math.pow((phase - 0.17) / 0.1, 2));
    return Math.max(0.2, Math.min(1, 0.35 + 0.65 * evening + 0.35 * daytime - 0.15 * night));
  }

  /** The next flow, ending at most a second before {@code nowMs}, as an exporter sampling 1 in {@code rate} saw it. */
  public DemoFlow next(long nowMs, long samplingRate) {
    Service service = service();
    boolean v6 = random.nextInt(100) < 35;
    int customerIndex = customers.next(random);
    Networks.Network customer = Networks.CUSTOMERS.get(customerIndex);
    Networks.Network remote = Networks.REMOTE.get(networks.next(random));
    byte[] client = address(customer, v6, 10 + clients.next(random));
    byte[] server = address(remote, v6, 1 + hosts.next(random) * 37);
    Site.Interface down = site.downstream().get(customerIndex % site.downstream().size());
    List<Site.Interface> ups = site.upstream();
    Site.Interface up = ups.get((int) (remote.asn() % ups.size()));
    // A download (server to client, entering upstream) or the request direction (client to server).
    boolean download = service.protocol() == Frames.ICMP ? random.nextBoolean() : random.nextInt(100) < 55;
    long actualPackets = Math.max(1, Math.round(service.packets() * Math.exp(random.nextGaussian() * 1.2)));
    if (!download) {
      actualPackets = Math.max(1, actualPackets / (service.downSize() > 1000 ? 2 : 1));
    }
    // A sampling exporter reports the flows it sampled at least once, with fewer packets each.
    long sampledPackets = samplingRate <= 1 ? actualPackets : Math.max(1, Math.round(actualPackets / 4.0));
    int size = download ? service.downSize() : service.upSize();
    size = Math.max(v6 ? 60 : 40, (int) (size * (0.85 + random.nextDouble() * 0.3)));
    long bytes = sampledPackets * size;
    int clientPort = 1024 + random.nextInt(64511);
    int srcPort;
    int dstPort;
    if (service.protocol() == Frames.ICMP) {
      srcPort = download ? 0 : 8; // echo reply from the server, echo request from the client
      dstPort = 0;
    } else {
      srcPort = download ? service.port() : clientPort;
      dstPort = download ? clientPort : service.port();
    }
    int protocol = service.protocol() == Frames.ICMP && v6 ? Frames.ICMPV6 : service.protocol();
    if (protocol == Frames.ICMPV6) {
      srcPort = download ? 129 : 128;
    }
    long endMs = nowMs - random.nextInt(1000);
    long durationMs = Math.min(60_000, actualPackets * (5 + random.nextInt(40)));
    int flags = protocol != Frames.TCP ? 0 : actualPackets <= 2 ? 0x02 : durationMs >= 60_000 ? 0x18 : 0x1B;
    int tos = service.port() == 3389 || service.port() == 22 ? 0x48 : 0; // AF21 for interactive sessions
    byte[] src = download ? server : client;
    byte[] dst = download ? client : server;
    long srcAs = download ? remote.asn() : customer.asn();
    long dstAs = download ? customer.asn() : remote.asn();
    int srcMask = download ? (v6 ? remote.v6Mask() : remote.v4Mask()) : (v6 ? customer.v6Mask() : customer.v4Mask());
    int dstMask = download ? (v6 ? customer.v6Mask() : customer.v4Mask()) : (v6 ? remote.v6Mask() : remote.v4Mask());
    Site.Interface in = download ? up : down;
    Site.Interface out = download ? down : up;
    byte[] nextHop = nextHop(out, v6);
    return new DemoFlow(src, dst, srcPort, dstPort, protocol, flags, tos, bytes, sampledPackets,
        endMs - durationMs, endMs, in.index(), out.index(), srcAs, dstAs, srcMask, dstMask, nextHop, in.vrf(), out.vrf());
  }

  private Service service() {
    int pick = random.nextInt(totalWeight);
    for (Service s : SERVICES) {
      pick -= s.weight();
      if (pick < 0) {
        return s;
      }
    }
    return SERVICES.get(0);
  }

  /** Host number {@code host} inside the network's prefix, spread over the prefix. */
  static byte[] address(Networks.Network network, boolean v6, int host) {
    byte[] base = parse(v6 ? network.v6() : network.v4());
    int mask = v6 ? network.v6Mask() : network.v4Mask();
    int hostBits = Math.min(v6 ? 64 : 32 - mask, 24);
    long spread = (host * 2654435761L) & ((1L << hostBits) - 1);
    if (!v6) {
      spread = Math.max(1, spread) | 1;
      int value = ((base[0] & 0xFF) << 24 | (base[1] & 0xFF) << 16 | (base[2] & 0xFF) << 8 | (base[3] & 0xFF)) | (int) spread;
      return new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
    }
    for (int i = 0; i < 3; i++) {
      base[15 - i] = (byte) (spread >>> (8 * i));
    }
    base[15] |= 1;
    return base;
  }

  private static byte[] nextHop(Site.Interface out, boolean v6) {
    return v6 ? parse("fe80::" + Integer.toHexString(out.index())) : new byte[] {10, 0, (byte) out.index(), 1};
  }

  static byte[] parse(String literal) {
    try {
      return InetAddress.getByName(literal).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(literal, e);
    }
  }
}
