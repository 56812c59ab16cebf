package io.sluice.cli.decode;

import io.sluice.cli.UserError;
import io.sluice.decode.flow.CaptureFlowDecoder;
import io.sluice.decode.flow.FlowRecord;
import io.sluice.decode.flow.FlowSink;
import io.sluice.ingest.pcap.CaptureFrame;
import io.sluice.ingest.pcap.CaptureReader;
import io.sluice.net.IpAddresses;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import io.sluice.cli.BadArgument;
import io.sluice.cli.Printable;
import java.time.Instant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(
    name = "decode",
    mixinStandardHelpOptions = true,
    description = {
      "Decodes every NetFlow v5/v9, IPFIX and sFlow v5 datagram in a pcap or pcapng file (any UDP port;"
          + " the protocol is recognised by content) and prints the flow records, then a summary.",
    })
public final class DecodeCommand implements Runnable {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "FILE", description = "A .pcap or .pcapng capture.")
  Path file;

  @Option(names = "--json", description = "One JSON object per record, keyed by the flows table's column names.")
  boolean json;

  @Option(names = "--exporter-default-rate", paramLabel = "N",
      description = "Sampling rate for exporters that announce none (default: unknown, no estimate).")
  long defaultRate;

  @Override
  public void run() {
    if (defaultRate < 0) throw new BadArgument("--exporter-default-rate must be 0 or more, not " + defaultRate);
    if (!Files.isReadable(file)) throw new UserError("cannot read " + file);
    PrintWriter out = spec.commandLine().getOut();
    CaptureFlowDecoder decoder = new CaptureFlowDecoder(defaultRate);
    DecodeSummary summary = new DecodeSummary();
    FlowSink sink = r -> {
      summary.add(r);
      out.println(json ? FlowJson.of(r) : row(r));
    };
    if (!json) out.println(header());
    int frames = 0;
    try (CaptureReader reader = CaptureReader.open(file)) {
      for (CaptureFrame f : reader) {
        frames++;
        decoder.frame(f.timestampNs(), f.linkType(), f.data(), sink);
      }
    } catch (IOException | UncheckedIOException e) {
      throw new UserError("cannot read " + file + ": " + (e.getCause() != null && e instanceof UncheckedIOException ? e.getCause().getMessage() : e.getMessage()), e);
    }
    decoder.finish();
    if (json) {
      // The summary goes to stderr so that stdout stays one JSON object per line.
      PrintWriter err = spec.commandLine().getErr();
      summary.print(err, decoder, frames);
      err.flush();
    } else {
      summary.print(out, decoder, frames);
    }
    out.flush();
  }

  private static String header() {
    return String.format("%-20s %-8s %-17s %-41s %-41s %5s %5s %5s %16s %16s %10s %12s %s",
        "time", "type", "exporter", "src", "dst", "proto", "sport", "dport", "in_if", "out_if", "bytes", "packets", "rate");
  }

  /** An ifIndex with the exporter's name for it (options data), when it gave one. */
  private static String named(long ifIndex, String name) {
    return name.isEmpty() ? Long.toString(ifIndex) : ifIndex + " " + name;
  }

  private static String row(FlowRecord r) {
    return Printable.text(String.format("%-20s %-8s %-17s %-41s %-41s %5d %5d %5d %16s %16s %10d %12d %s",
        Instant.ofEpochSecond(r.time), r.flowType.column(), IpAddresses.format(r.exporterAddr),
        IpAddresses.format(r.srcAddr), IpAddresses.format(r.dstAddr),
        r.protocol, r.srcPort, r.dstPort, named(r.inIf, r.inIfName),
        named(r.outIf, r.outIfName) + (r.outIfKind.column().equals("ifindex") ? "" : "(" + r.outIfKind.column() + ")"),
        r.sampledBytes, r.sampledPackets,
        r.samplingRate == 0 ? r.samplingRateSource.column() : r.samplingRate + " (" + r.samplingRateSource.column() + ")"));
  }
}
