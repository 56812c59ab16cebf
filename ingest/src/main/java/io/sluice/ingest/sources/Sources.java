package io.sluice.ingest.sources;

import com.google.protobuf.ByteString;
import io.sluice.net.IpAddresses;
import io.sluice.net.Prefix;
import io.sluice.wire.FlowSource;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Building and validating flow-source registrations: pure functions, no I/O. */
public final class Sources {
  public static final int MAX_NAME_LENGTH = 128;

  private Sources() {}

  /** What `sluice sources add` was asked to register, as the user typed it. */
  public record Request(
      String prefix,
      String name,
      Integer samplingRate,
      boolean overrideSampling,
      String site,
      List<String> interfaces,
      String exporterAddrOverride,
      boolean relay,
      boolean allowAny) {
    public Request(String prefix, String name, Integer samplingRate, boolean overrideSampling, String site,
        List<String> interfaces, String exporterAddrOverride) {
      this(prefix, name, samplingRate, overrideSampling, site, interfaces, exporterAddrOverride, false, false);
    }
  }

  /**
   * Validates a request against itself and turns it into a FlowSource; every problem is an
   * {@link InvalidSourceException} with a message for the user.
   */
  public static FlowSource build(Request r, long updatedNs) {
    Prefix prefix;
    try {
      prefix = Prefix.parse(r.prefix());
    } catch (IllegalArgumentException e) {
      throw new InvalidSourceException(e.getMessage());
    }
    if (matchesEveryAddress(prefix) && !r.allowAny()) {
      throw new InvalidSourceException(prefix.canonical() + " matches every address: anyone who can reach the collector"
          + " would be accepted; register exporters or relays by address, or add --allow-any if that is what you mean");
    }
    String name = r.name() == null ? "" : r.name().strip();
    checkText("--name", name, true);
    String site = r.site() == null ? "" : r.site().strip();
    checkText("--site", site, false);
    if (r.samplingRate() != null && r.samplingRate() < 1) {
      throw new InvalidSourceException("--sampling-rate must be 1 or more (1 = every packet), got " + r.samplingRate()
          + "; leave it out to use the rate the exporter reports");
    }
    if (r.overrideSampling() && r.samplingRate() == null) {
      throw new InvalidSourceException("--override-sampling needs --sampling-rate N: the rate that replaces the exporter's");
    }
    FlowSource.Builder b = FlowSource.newBuilder()
        .setPrefixAddr(ByteString.copyFrom(prefix.address()))
        .setPrefixLen(prefix.length())
        .setName(name)
        .setSamplingRate(r.samplingRate() == null ? 0 : r.samplingRate())
        .setOverrideSampling(r.overrideSampling())
        .setSite(site)
        .putAllInterfaceNames(parseInterfaces(r.interfaces()))
        .setRelay(r.relay())
        .setUpdatedNs(updatedNs);
    if (r.exporterAddrOverride() != null && !r.exporterAddrOverride().isBlank()) {
      try {
        b.setExporterAddrOverride(ByteString.copyFrom(IpAddresses.parse(r.exporterAddrOverride().strip())));
      } catch (IllegalArgumentException e) {
        throw new InvalidSourceException("--exporter-address must be a single IP address, e.g. 192.0.2.1, got \""
            + r.exporterAddrOverride() + "\"");
      }
    }
    return b.build();
  }

  /** ::/0, or 0.0.0.0/0 (every IPv4 address: /96 in the IPv6 space). */
  public static boolean matchesEveryAddress(Prefix p) {
    return p.length() == 0 || (p.isV4() && p.length() == 96);
  }

  /** Parses {@code 12=xe-0/0/1} specs into ifIndex → name, refusing malformed and repeated indexes. */
  public static Map<Integer, String> parseInterfaces(List<String> specs) {
    Map<Integer, String> out = new TreeMap<>(Integer::compareUnsigned);
    if (specs == null) {
      return out;
    }
    for (String spec : specs) {
      int eq = spec.indexOf('=');
      String index = eq < 0 ? "" : spec.substring(0, eq).strip();
      String name = eq < 0 ? "" : spec.substring(eq + 1).strip();
      long value = -1;
      if (!index.isEmpty() && index.length() <= 10 && index.chars().allMatch(c -> c >= '0' && c <= '9')) {
        value = Long.parseLong(index);
      }
      if (value < 0 || value > 0xffffffffL || name.isEmpty()) {
        throw new InvalidSourceException("--interface expects IFINDEX=NAME with IFINDEX 0..4294967295, e.g. 12=xe-0/0/1; got \""
            + spec + "\"");
      }
      checkText("--interface " + index, name, true);
      if (out.put((int) value, name) != null) {
        throw new InvalidSourceException("--interface " + index + " is given twice; give each ifIndex once");
      }
    }
    return out;
  }

  /**
   * Checks a new registration against what is registered now (key: canonical prefix). Re-adding the same prefix
   * replaces it; another prefix already holding the name is refused.
   */
  public static void checkConflicts(FlowSource candidate, Map<String, FlowSource> registered) {
    String key = key(candidate);
    for (Map.Entry<String, FlowSource> e : registered.entrySet()) {
      if (!e.getKey().equals(key) && e.getValue().getName().equals(candidate.getName())) {
        throw new InvalidSourceException("the name \"" + candidate.getName() + "\" is already used by " + e.getKey()
            + ": choose another --name, or `sluice sources remove " + e.getKey() + "` first");
      }
    }
  }

  public static Prefix prefixOf(FlowSource s) {
    return Prefix.of(s.getPrefixAddr().toByteArray(), s.getPrefixLen());
  }

  /** The Kafka key and the ClickHouse mirror key: the canonical prefix text. */
  public static String key(FlowSource s) {
    return prefixOf(s).canonical();
  }

  /** Checks that a record read from sluice.sources is well formed and matches its key; null when it is fine. */
  public static String problemWith(String key, FlowSource s) {
    if (s.getPrefixAddr().size() != 16) {
      return "prefix_addr has " + s.getPrefixAddr().size() + " bytes, not 16";
    }
    Prefix p;
    try {
      p = prefixOf(s);
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
    if (!p.canonical().equals(key)) {
      return "key " + key + " does not match the prefix in the value, " + p.canonical();
    }
    if (!s.getExporterAddrOverride().isEmpty() && s.getExporterAddrOverride().size() != 16) {
      return "exporter_addr_override has " + s.getExporterAddrOverride().size() + " bytes, not 16";
    }
    return null;
  }

  private static void checkText(String option, String value, boolean required) {
    if (required && value.isEmpty()) {
      throw new InvalidSourceException(option + " must not be empty");
    }
    if (value.length() > MAX_NAME_LENGTH) {
      throw new InvalidSourceException(option + " is longer than " + MAX_NAME_LENGTH + " characters");
    }
    if (value.chars().anyMatch(Character::isISOControl)) {
      throw new InvalidSourceException(option + " must not contain control characters (tabs, newlines)");
    }
  }
}
