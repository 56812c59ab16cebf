package io.sluice.decode.flow.ipfix;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The templates one exporter defined, per protocol, observation domain (v9 source id) and template
 * id. Bounded: at most {@link #MAX_TEMPLATES}; a full cache refuses new templates.
 */
public final class TemplateCache {
  public static final int MAX_TEMPLATES = 1024;

  private final Map<Long, Template> templates = new HashMap<>();
  // The data sets of one datagram usually share a template: skip the boxed lookup then.
  private long lastKey = -1;
  private Template last;

  static long key(boolean ipfix, long domain, int templateId) {
    return (ipfix ? 1L << 48 : 0) | ((domain & 0xFFFFFFFFL) << 16) | (templateId & 0xFFFF);
  }

  Template get(long key) {
    if (key == lastKey) return last;
    Template t = templates.get(key);
    if (t != null) {
      lastKey = key;
      last = t;
    }
    return t;
  }

  /** Adds or replaces a template; false when the cache is full. */
  boolean put(long key, Template t) {
    if (templates.size() >= MAX_TEMPLATES && !templates.containsKey(key)) return false;
    templates.put(key, t);
    if (key == lastKey) last = t;
    return true;
  }

  void remove(long key) {
    templates.remove(key);
    if (key == lastKey) {
      lastKey = -1;
      last = null;
    }
  }

  /** IPFIX withdrawal of all templates (or all options templates) of a domain. */
  void removeAll(boolean ipfix, long domain, boolean options) {
    templates.entrySet().removeIf(e -> (e.getKey() >>> 16) == (key(ipfix, domain, 0) >>> 16) && e.getValue().options == options);
    lastKey = -1;
    last = null;
  }

  public int size() {
    return templates.size();
  }

  public void writeTo(DataOutput out) throws IOException {
    out.writeShort(templates.size());
    for (Map.Entry<Long, Template> e : templates.entrySet()) {
      out.writeLong(e.getKey());
      e.getValue().write(out);
    }
  }

  public void readFrom(DataInput in) throws IOException {
    int n = in.readUnsignedShort();
    if (n > MAX_TEMPLATES) throw new IOException("too many templates in state: " + n);
    for (int i = 0; i < n; i++) {
      long key = in.readLong();
      templates.put(key, Template.read(in));
    }
  }
}
