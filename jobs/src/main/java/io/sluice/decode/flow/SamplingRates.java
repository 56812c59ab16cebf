package io.sluice.decode.flow;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Sampling rates an exporter announced in NetFlow v9/IPFIX options data, per observation domain and
 * sampler (samplerId 48 or selectorId 302; {@link #NO_SAMPLER} when the options record names none).
 * Bounded: at most {@link #MAX_ENTRIES}; a full table keeps its entries and refuses new ones.
 */
public final class SamplingRates {
  public static final int MAX_ENTRIES = 256;
  public static final long NO_SAMPLER = -1;

  private final long[] domains = new long[MAX_ENTRIES];
  private final long[] samplers = new long[MAX_ENTRIES];
  private final long[] rates = new long[MAX_ENTRIES];
  private int size;
  private int changes;

  /** Records a rate; false when the table is full. */
  public boolean put(long domain, long sampler, long rate) {
    for (int i = 0; i < size; i++) {
      if (domains[i] == domain && samplers[i] == sampler) {
        if (rates[i] != rate) {
          rates[i] = rate;
          changes++;
        }
        return true;
      }
    }
    if (size == MAX_ENTRIES) return false;
    domains[size] = domain;
    samplers[size] = sampler;
    rates[size] = rate;
    size++;
    changes++;
    return true;
  }

  /** Changes so far; a rate announced again unchanged is none. */
  int changes() {
    return changes;
  }

  /** The rate for this domain and sampler, or 0. */
  public long get(long domain, long sampler) {
    for (int i = 0; i < size; i++) if (domains[i] == domain && samplers[i] == sampler) return rates[i];
    return 0;
  }

  /** The rate for a record: its sampler's, else its domain's, else the exporter's only rate, else 0. */
  public long lookup(long domain, boolean hasSampler, long sampler) {
    if (size == 0) return 0;
    if (hasSampler) {
      long r = get(domain, sampler);
      if (r != 0) return r;
    }
    long r = get(domain, NO_SAMPLER);
    if (r != 0) return r;
    long single = rates[0];
    for (int i = 1; i < size; i++) if (rates[i] != single) return 0;
    return single;
  }

  public int size() {
    return size;
  }

  void write(DataOutput out) throws IOException {
    out.writeShort(size);
    for (int i = 0; i < size; i++) {
      out.writeLong(domains[i]);
      out.writeLong(samplers[i]);
      out.writeLong(rates[i]);
    }
  }

  void read(DataInput in) throws IOException {
    int n = in.readUnsignedShort();
    if (n > MAX_ENTRIES) throw new IOException("too many sampling rates: " + n);
    for (int i = 0; i < n; i++) put(in.readLong(), in.readLong(), in.readLong());
  }
}
