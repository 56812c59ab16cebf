package io.sluice.cli.replay;

import io.sluice.cli.KafkaReachable;
import io.sluice.cli.UserError;
import io.sluice.ingest.DefaultEndpoints;
import io.sluice.ingest.Topics;
import io.sluice.jobs.l7.PacketReplay;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** `sluice replay FILE`: a capture file into sluice.packets.raw, as the eBPF loader would send it live. */
@Command(name = "replay", mixinStandardHelpOptions = true,
    description = {"Send the frames of a pcap/pcapng capture to sluice.packets.raw as the eBPF loader sends packets:",
        "CapturedPacketBatch records, each to the partition of its packets' unordered address/port pair,",
        "at the capture's own pace (or faster)."})
public final class ReplayCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "FILE", description = "A pcap or pcapng capture.")
  Path file;

  static final class Pace {
    @Option(names = "--rate", paramLabel = "X", description = "X times the capture's own pace (1 = real time, the default).")
    Double rate;

    @Option(names = "--as-fast-as-possible", description = "As fast as Kafka takes them.")
    boolean asFastAsPossible;
  }

  @ArgGroup(exclusive = true)
  Pace pace = new Pace();

  @Option(names = "--kafka", paramLabel = "BOOTSTRAP", defaultValue = DefaultEndpoints.KAFKA, description = "Default: ${DEFAULT-VALUE}.")
  String kafka;

  @picocli.CommandLine.Mixin
  io.sluice.cli.KafkaConfigOption kafkaConfig = new io.sluice.cli.KafkaConfigOption();

  @Option(names = "--node", paramLabel = "NAME", defaultValue = "replay", description = "The capturing node's name in the rows. Default: ${DEFAULT-VALUE}.")
  String node;

  @Option(names = "--packets-per-record", paramLabel = "N",
      description = {"1: one CapturedPacket per record; above 1: CapturedPacketBatch records of up to N packets of one partition.",
          "Default: the eBPF loader's batches: per partition, up to 64 KiB of packets, all sent every 100 ms of capture time."})
  Integer packetsPerRecord;

  @Option(names = "--topic-prefix", paramLabel = "P", defaultValue = "", description = "Prepended to the topic name.")
  String topicPrefix;

  @Override
  public Integer call() {
    double rate = pace.asFastAsPossible ? 0 : pace.rate == null ? 1 : pace.rate;
    if (!pace.asFastAsPossible && rate <= 0) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--rate must be above 0, got " + rate);
    }
    if (packetsPerRecord != null && packetsPerRecord < 1) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--packets-per-record must be at least 1, got " + packetsPerRecord);
    }
    if (!Files.isRegularFile(file)) {
      throw new UserError("no such capture file: " + file);
    }
    io.sluice.ingest.KafkaConnection connection = kafkaConfig.connection(kafka);
    KafkaReachable.check(connection);
    PrintWriter out = spec.commandLine().getOut();
    try {
      PacketReplay.Result r = PacketReplay.run(file, connection, topicPrefix + Topics.PACKETS_RAW, node, rate, 0,
          packetsPerRecord == null ? PacketReplay.LOADER_BATCHES : packetsPerRecord);
      double seconds = r.nanos() / 1e9;
      out.printf("sent %,d packets (%,d bytes) to %s in %.2f s: %,.0f packets/s%n", r.packets(), r.bytes(),
          topicPrefix + Topics.PACKETS_RAW, seconds, r.packets() / Math.max(seconds, 1e-9));
      out.flush();
    } catch (IOException | RuntimeException e) {
      throw new UserError("replay of " + file + " failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UserError("interrupted", e);
    }
    return 0;
  }
}
