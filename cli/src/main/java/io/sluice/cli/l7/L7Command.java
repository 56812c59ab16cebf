package io.sluice.cli.l7;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.cli.UserError;
import io.sluice.l7.DnsRow;
import io.sluice.l7.Http2Row;
import io.sluice.l7.HttpRow;
import io.sluice.l7.L7Config;
import io.sluice.l7.L7Replay;
import io.sluice.l7.L7Sink;
import io.sluice.l7.L7Summary;
import io.sluice.l7.TlsRow;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** `sluice l7 FILE`: the L7Job's parse-and-join on a capture file, with no cluster. */
@Command(
    name = "l7",
    mixinStandardHelpOptions = true,
    description = {
      "Decode DNS, HTTP/1.x, HTTP/2 (gRPC) and TLS handshakes in a pcap or pcapng file and join queries with"
          + " responses, as the L7 job does.",
      "Prints the dns, http (HTTP/2 streams too) and tls rows (ClickHouse column names), then a summary."
    })
public final class L7Command implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "FILE", description = "A pcap or pcapng capture.")
  Path file;

  @Option(names = "--json", description = "Print JSON lines: one per row ({\"dns\": ...}, {\"http\": ...} or {\"tls\": ...}), then {\"summary\": ...}.")
  boolean json;

  @Option(names = "--node", defaultValue = "offline", description = "The node column's value (default: ${DEFAULT-VALUE}).")
  String node;

  @Override
  public Integer call() {
    if (!Files.isRegularFile(file)) {
      throw new UserError("no such capture file: " + file);
    }
    PrintWriter out = spec.commandLine().getOut();
    ObjectMapper mapper = new ObjectMapper();
    RowPrinter printer = json ? new JsonRows(out, mapper, node) : new TableRows(out, node);
    L7Summary summary;
    try {
      summary = L7Replay.run(file, L7Config.defaults(), printer);
    } catch (IOException | UncheckedIOException e) {
      throw new UserError("cannot read " + file + ": " + (e.getCause() != null && e instanceof UncheckedIOException
          ? e.getCause().getMessage() : e.getMessage()), e);
    }
    printer.finish();
    if (json) {
      Map<String, Object> wrapped = new LinkedHashMap<>();
      wrapped.put("summary", summary.asMap());
      out.println(write(mapper, wrapped));
    } else {
      SummaryText.print(out, summary);
    }
    out.flush();
    return 0;
  }

  static String write(ObjectMapper mapper, Object value) {
    try {
      return mapper.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  interface RowPrinter extends L7Sink {
    void finish();
  }

  private record JsonRows(PrintWriter out, ObjectMapper mapper, String node) implements RowPrinter {
    @Override
    public void dns(DnsRow row) {
      out.println(write(mapper, Map.of("dns", row.columns(node))));
    }

    @Override
    public void http(HttpRow row) {
      out.println(write(mapper, Map.of("http", row.columns(node))));
    }

    @Override
    public void http2(Http2Row row) {
      out.println(write(mapper, Map.of("http", row.columns(node))));
    }

    @Override
    public void tls(TlsRow row) {
      out.println(write(mapper, Map.of("tls", row.columns(node))));
    }

    @Override
    public void finish() {}
  }
}
