package io.sluice.decode.flow;

import io.sluice.ingest.pcap.CaptureFrame;
import io.sluice.ingest.pcap.CaptureReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The shared capture fixtures (../shared/fixtures next to the repository) and decoding helpers. */
public final class Fixtures {
  private Fixtures() {}

  /** Walks up from the working directory to the folder that holds {@code shared/fixtures}. */
  public static Path root() {
    Path dir = Paths.get("").toAbsolutePath();
    for (Path d = dir; d != null; d = d.getParent()) {
      Path candidate = d.resolve("shared").resolve("fixtures");
      if (Files.isDirectory(candidate)) return candidate;
    }
    throw new IllegalStateException("no shared/fixtures folder above " + dir);
  }

  public static List<Path> flowCaptures() {
    Path flows = root().resolve("flows");
    try (Stream<Path> s = Files.walk(flows)) {
      return s.filter(p -> p.toString().endsWith(".pcap") || p.toString().endsWith(".pcapng"))
          .sorted()
          .collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Path flow(String relative) {
    return root().resolve("flows").resolve(relative);
  }

  /** oracle/flows/X__Y.suffix for flows/X/Y.pcap. */
  public static Path oracle(Path capture, String suffix) {
    Path rel = root().resolve("flows").relativize(capture);
    String name = rel.toString().replace("/", "__");
    name = name.substring(0, name.lastIndexOf('.'));
    return root().resolve("oracle").resolve("flows").resolve(name + suffix);
  }

  /** What decoding a capture produced. */
  public static final class Decoded {
    public final List<FlowRecord> flows = new ArrayList<>();
    public final List<InterfaceCounters> counters = new ArrayList<>();
    public CaptureFlowDecoder decoder;
    public int frames;
  }

  public static Decoded decode(Path capture, long defaultRate) {
    Decoded out = new Decoded();
    CaptureFlowDecoder decoder = new CaptureFlowDecoder(defaultRate);
    out.decoder = decoder;
    FlowSink sink = new FlowSink() {
      @Override
      public void flow(FlowRecord r) {
        out.flows.add(r.copy());
      }

      @Override
      public void interfaceCounters(InterfaceCounters c) {
        out.counters.add(c);
      }
    };
    try (CaptureReader reader = CaptureReader.open(capture)) {
      for (CaptureFrame f : reader) {
        out.frames++;
        decoder.frame(f.timestampNs(), f.linkType(), f.data(), sink);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    decoder.finish();
    return out;
  }

  /** Every UDP datagram payload of a capture, in order (for fuzzing and benchmarks). */
  public static List<byte[]> udpPayloads(Path capture) {
    List<byte[]> out = new ArrayList<>();
    io.sluice.decode.packet.PacketHeader h = new io.sluice.decode.packet.PacketHeader();
    try (CaptureReader reader = CaptureReader.open(capture)) {
      for (CaptureFrame f : reader) {
        if (io.sluice.decode.packet.PacketParser.parse(f.linkType(), f.data(), 0, f.data().length, h)
            && h.protocol == 17 && h.l4Offset >= 0) {
          out.add(java.util.Arrays.copyOfRange(f.data(), h.payloadOffset, h.payloadOffset + h.payloadLength));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }
}
