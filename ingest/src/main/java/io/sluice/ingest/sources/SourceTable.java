package io.sluice.ingest.sources;

import io.sluice.net.IpAddresses;
import io.sluice.net.Prefix;
import io.sluice.wire.FlowSource;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * An immutable snapshot of the registered sources with longest-prefix match. A lookup masks the address once per
 * distinct prefix length in use (longest first) and probes a hash map, so it costs a few hash probes whatever the
 * number of sources.
 */
public final class SourceTable {
  public static final SourceTable EMPTY = new SourceTable(Map.of());

  private final Map<Prefix, FlowSource> byPrefix;
  private final int[] lengthsDescending;

  private SourceTable(Map<Prefix, FlowSource> byPrefix) {
    this.byPrefix = byPrefix;
    TreeSet<Integer> lengths = new TreeSet<>();
    byPrefix.keySet().forEach(p -> lengths.add(p.length()));
    this.lengthsDescending = lengths.descendingSet().stream().mapToInt(Integer::intValue).toArray();
  }

  /** Builds a table; each source's prefix comes from its prefix_addr and prefix_len. */
  public static SourceTable of(Collection<FlowSource> sources) {
    Map<Prefix, FlowSource> map = new HashMap<>();
    for (FlowSource s : sources) {
      map.put(Sources.prefixOf(s), s);
    }
    return new SourceTable(Map.copyOf(map));
  }

  public int size() {
    return byPrefix.size();
  }

  public Map<Prefix, FlowSource> all() {
    return byPrefix;
  }

  /** The source whose prefix is the longest one containing the address, or null. */
  public FlowSource match(byte[] addr16) {
    return match(IpAddresses.longAt(addr16, 0), IpAddresses.longAt(addr16, 8));
  }

  public FlowSource match(long hi, long lo) {
    for (int len : lengthsDescending) {
      FlowSource s = byPrefix.get(new Prefix(Prefix.maskHi(hi, len), Prefix.maskLo(lo, len), len));
      if (s != null) {
        return s;
      }
    }
    return null;
  }
}
