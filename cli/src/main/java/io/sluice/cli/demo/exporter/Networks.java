package io.sluice.cli.demo.exporter;

import java.util.List;

/**
 * The remote networks the demo's customers talk to (content, cloud and eyeball networks, most popular first: the
 * model picks them Zipf-like) and the customers behind each downstream interface. AS numbers and prefixes are
 * the networks' public ones; customers use documentation prefixes and private AS numbers.
 */
final class Networks {
  private Networks() {}

  /** A network: its AS, an IPv4 prefix and an IPv6 prefix it announces. */
  record Network(long asn, String name, String v4, int v4Mask, String v6, int v6Mask) {}

  static final long LOCAL_AS = 64500;

  static final List<Network> REMOTE = List.of(
      new Network(15169, "Google", "142.250.0.0", 15, "2a00:1450::", 32),
      new Network(2906, "Netflix", "45.57.0.0", 17, "2a00:86c0::", 32),
      new Network(32934, "Meta", "157.240.0.0", 16, "2a03:2880::", 32),
      new Network(13335, "Cloudflare", "104.16.0.0", 13, "2606:4700::", 32),
      new Network(16509, "Amazon", "52.84.0.0", 15, "2600:9000::", 28),
      new Network(20940, "Akamai", "23.32.0.0", 11, "2a02:26f0::", 29),
      new Network(8075, "Microsoft", "20.33.0.0", 16, "2603:1030::", 32),
      new Network(714, "Apple", "17.253.0.0", 16, "2620:149::", 32),
      new Network(54113, "Fastly", "151.101.0.0", 16, "2a04:4e40::", 32),
      new Network(46489, "Twitch", "185.42.204.0", 22, "2620:108:d000::", 44),
      new Network(16276, "OVH", "51.68.0.0", 16, "2001:41d0::", 32),
      new Network(24940, "Hetzner", "88.198.0.0", 16, "2a01:4f8::", 32),
      new Network(14061, "DigitalOcean", "167.99.0.0", 16, "2604:a880::", 32),
      new Network(3320, "Deutsche Telekom", "91.32.0.0", 16, "2003::", 19),
      new Network(3215, "Orange", "90.80.0.0", 16, "2a01:c000::", 19),
      new Network(7922, "Comcast", "73.162.0.0", 16, "2601::", 20),
      new Network(12322, "Free", "82.64.0.0", 14, "2a01:e00::", 26),
      new Network(3209, "Vodafone", "88.70.0.0", 16, "2a02:8100::", 27),
      new Network(1299, "Arelion", "62.115.0.0", 16, "2001:2000::", 20),
      new Network(174, "Cogent", "38.104.0.0", 16, "2001:550::", 32),
      new Network(13238, "Yandex", "77.88.0.0", 18, "2a02:6b8::", 32),
      new Network(45102, "Alibaba", "47.88.0.0", 14, "2401:b180::", 32),
      new Network(32590, "Valve", "155.133.224.0", 19, "2a01:bc80::", 32),
      new Network(8100, "QuadraNet", "104.237.0.0", 18, "2607:ff28::", 32));

  /** The customer behind each downstream interface of {@link Site#edgeRouter()}, in the same order. */
  static final List<Network> CUSTOMERS = List.of(
      new Network(64501, "ACME", "203.0.113.0", 24, "2001:db8:a::", 48),
      new Network(64502, "Globex", "198.51.100.0", 24, "2001:db8:b::", 48),
      new Network(64503, "Initech", "192.0.2.0", 24, "2001:db8:c::", 48));
}
