package io.sluice.decode.flow.ipfix;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The templates one exporter defined, per protocol, observation domain (v9 source id) and template
 * id. Bounded: at most {@link #MAX_TEMPLATES}, and at most {@link #MAX_BYTES} in their stored form
 * (1,024 templates of the largest legal size would be 4 MB per exporter); a full cache refuses new
 * templates.
 */
public final class TemplateCache {
  public static final int MAX_TEMPLATES = 1024;
  /** Room for about 1,000 templates of 30 fields, or 64 of the largest ({@link Template#MAX_FIELDS}). */
  public static final int MAX_BYTES = 256 * 1024;

  private final Map<Long, Template> templates = new HashMap<>();
  private int bytes;
  /** Counts the changes, so that a caller can tell whether the templates need storing again. */
  private int changes;
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

  /** Adds or replaces a template; false when the cache is full (by count or by bytes). */
  boolean put(long key, Template t) {
    Template old = templates.get(key);
    if (old == null && templates.size() >= MAX_TEMPLATES) return false;
    int after = bytes - (old == null ? 0 : old.storedBytes()) + t.storedBytes();
    if (after > MAX_BYTES) return false;
    templates.put(key, t);
    bytes = after;
    changes++;
    if (key == lastKey) last = t;
    return true;
  }

  void remove(long key) {
    Template old = templates.remove(key);
    if (old != null) {
      bytes -= old.storedBytes();
      changes++;
    }
    if (key == lastKey) {
      lastKey = -1;
      last = null;
    }
  }

  /** IPFIX withdrawal of all templates (or all options templates) of a domain. */
  void removeAll(boolean ipfix, long domain, boolean options) {
    if (templates.entrySet().removeIf(e -> (e.getKey() >>> 16) == (key(ipfix, domain, 0) >>> 16) && e.getValue().options == options)) {
      bytes = 0;
      for (Template t : templates.values()) bytes += t.storedBytes();
      changes++;
    }
    lastKey = -1;
    last = null;
  }

  public int size() {
    return templates.size();
  }

  /** The templates' size in their stored form, the measure of {@link #MAX_BYTES}. */
  public int bytes() {
    return bytes;
  }

  /** Changes so far (a template defined, redefined or withdrawn); a re-sent unchanged template is none. */
  public int changes() {
    return changes;
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
      if (!put(key, Template.read(in))) throw new IOException("templates in state over the bound");
    }
  }
}
