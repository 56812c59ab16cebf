package io.sluice.decode.flow;

import io.sluice.decode.flow.ipfix.PendingDataSets;
import io.sluice.decode.flow.ipfix.TemplateCache;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything the decoders remember about one exporter, across datagrams: templates, sampling rates
 * from options data, sequence trackers, data sets waiting for a template, and the rates configured
 * for it. Bounded in every part, and serialisable to bytes ({@link #toBytes()}/{@link
 * #fromBytes(byte[])}) so a Flink keyed state can hold it and a restart need not wait for
 * templates to be re-sent. Not thread-safe: one exporter's datagrams are decoded in order.
 */
public final class ExporterState {
  /** 2 added the exporter's names; format 1 (without them) is still read. */
  private static final int FORMAT = 2;
  public static final int MAX_SEQUENCE_TRACKERS = 256;

  private final TemplateCache templates = new TemplateCache();
  private final SamplingRates samplingRates = new SamplingRates();
  private final PendingDataSets pending = new PendingDataSets();
  private final ExporterNames names = new ExporterNames();
  private final List<SequenceTracker> sequences = new ArrayList<>();
  private long configuredDefaultRate;
  private long configuredOverrideRate;
  private int rateChanges;

  public TemplateCache templates() {
    return templates;
  }

  public SamplingRates samplingRates() {
    return samplingRates;
  }

  public PendingDataSets pending() {
    return pending;
  }

  /** Interface and VRF names from the exporter's options data. */
  public ExporterNames names() {
    return names;
  }

  /** A rate used when the exporter announces none (0: none configured). */
  public long configuredDefaultRate() {
    return configuredDefaultRate;
  }

  public ExporterState configuredDefaultRate(long rate) {
    if (configuredDefaultRate != Math.max(0, rate)) rateChanges++;
    configuredDefaultRate = Math.max(0, rate);
    return this;
  }

  /** A rate that replaces whatever the exporter announces (0: none configured). */
  public long configuredOverrideRate() {
    return configuredOverrideRate;
  }

  public ExporterState configuredOverrideRate(long rate) {
    if (configuredOverrideRate != Math.max(0, rate)) rateChanges++;
    configuredOverrideRate = Math.max(0, rate);
    return this;
  }

  /** The tracker for a stream key, created on first use; null when the tracker table is full. */
  public SequenceTracker sequence(long key, boolean countsRecords) {
    for (int i = 0, n = sequences.size(); i < n; i++) {
      SequenceTracker t = sequences.get(i);
      if (t.key == key) return t;
    }
    if (sequences.size() >= MAX_SEQUENCE_TRACKERS) return null;
    SequenceTracker t = new SequenceTracker(key, countsRecords);
    sequences.add(t);
    return t;
  }

  public List<SequenceTracker> sequenceTrackers() {
    return sequences;
  }

  /**
   * Resolves a record's sampling rate: an override, else the record's own, else options data, else
   * the configured default, else unknown.
   */
  public void applySampling(FlowRecord r, long ownRate, boolean hasSampler, long sampler) {
    if (configuredOverrideRate > 0) {
      r.applySampling(configuredOverrideRate, SamplingRateSource.OVERRIDE);
    } else if (ownRate > 0) {
      r.applySampling(ownRate, SamplingRateSource.PACKET);
    } else {
      long options = samplingRates.lookup(r.observationDomain, hasSampler, sampler);
      if (options > 0) {
        r.applySampling(options, SamplingRateSource.OPTIONS);
      } else if (configuredDefaultRate > 0) {
        r.applySampling(configuredDefaultRate, SamplingRateSource.CONFIGURED);
      } else {
        r.applySampling(0, SamplingRateSource.UNKNOWN);
      }
    }
  }

  /**
   * Changes, in all but the sequence trackers, so far: when it is what it was at the last {@link #toBytes()}, the
   * stored form would only differ in the trackers, which {@link #sequencesToBytes()} stores on their own. Re-sent
   * templates, options and names that are unchanged do not count.
   */
  public long version() {
    return (long) templates.changes() + samplingRates.changes() + pending.changes() + names.changes() + rateChanges;
  }

  /** The sequence trackers alone: what changes with every datagram. */
  public byte[] sequencesToBytes() {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(2 + 32 * sequences.size());
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeShort(sequences.size());
      for (SequenceTracker t : sequences) t.write(out);
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Replaces the sequence trackers with ones written by {@link #sequencesToBytes()}; IllegalArgumentException on bad input. */
  public void readSequences(byte[] data) {
    try {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(data));
      int n = in.readUnsignedShort();
      if (n > MAX_SEQUENCE_TRACKERS) throw new IOException("too many sequence trackers: " + n);
      List<SequenceTracker> read = new ArrayList<>(n);
      for (int i = 0; i < n; i++) read.add(SequenceTracker.read(in));
      sequences.clear();
      sequences.addAll(read);
    } catch (IOException e) {
      throw new IllegalArgumentException("corrupt sequence trackers", e);
    }
  }

  public byte[] toBytes() {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeByte(FORMAT);
      out.writeLong(configuredDefaultRate);
      out.writeLong(configuredOverrideRate);
      templates.writeTo(out);
      samplingRates.write(out);
      out.writeShort(sequences.size());
      for (SequenceTracker t : sequences) t.write(out);
      pending.writeTo(out);
      names.write(out);
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Restores a state written by {@link #toBytes()}; throws IllegalArgumentException on bad input. */
  public static ExporterState fromBytes(byte[] data) {
    try {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(data));
      int format = in.readUnsignedByte();
      if (format != FORMAT && format != 1) throw new IllegalArgumentException("unknown exporter state format");
      ExporterState s = new ExporterState();
      s.configuredDefaultRate = in.readLong();
      s.configuredOverrideRate = in.readLong();
      s.templates.readFrom(in);
      s.samplingRates.read(in);
      int n = in.readUnsignedShort();
      if (n > MAX_SEQUENCE_TRACKERS) throw new IOException("too many sequence trackers: " + n);
      for (int i = 0; i < n; i++) s.sequences.add(SequenceTracker.read(in));
      s.pending.readFrom(in);
      if (format >= 2) s.names.read(in);
      return s;
    } catch (IOException e) {
      throw new IllegalArgumentException("corrupt exporter state", e);
    }
  }
}
