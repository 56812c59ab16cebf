package io.sluice.decode.l7.capture;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** tshark's HTTP/2 dissection of a capture (pdml), reduced to one entry per TCP connection and stream. */
public final class TsharkHttp2 {
  /** What tshark showed of one stream. Key: "tcp.stream/http2.streamid". */
  public static final class Stream {
    public String method = "";
    public String path = "";
    public String authority = "";
    public String scheme = "";
    public int status;
    /** The response's, else the request's: as the row's. */
    public String contentType = "";
    public int grpcStatus = -1;
    public String grpcMessage = "";
    /** The request's grpc-timeout as sent ("4999912u"); "" when none. */
    public String grpcTimeout = "";

    @Override
    public String toString() {
      return method + " " + scheme + "://" + authority + path + " -> " + status + " " + contentType + " grpc "
          + grpcStatus + " " + grpcMessage;
    }
  }

  private TsharkHttp2() {}

  public static Map<String, Stream> streams(Path capture, int... ports) throws Exception {
    return streams(capture, "http2", ports);
  }

  /** {@code decodeAs} "http" for connections that start in HTTP/1.1 and upgrade to h2c (tshark follows the 101). */
  public static Map<String, Stream> streams(Path capture, String decodeAs, int... ports) throws Exception {
    // Segments a loopback capture holds out of order (seen under load) are put back in order, as TcpReplay does;
    // without it tshark 4.0 lost a response's HEADERS and reported a stream nginx answered as unanswered.
    List<String> cmd = new ArrayList<>(List.of("tshark", "-o", "tcp.reassemble_out_of_order:TRUE", "-r",
        capture.toString()));
    for (int port : ports) {
      cmd.addAll(List.of("-d", "tcp.port==" + port + "," + decodeAs));
    }
    // Only the TCP and HTTP/2 layers, straight into a file: the whole pdml of 600 streams, held as text several
    // times over beside its DOM, ran a test JVM out of its 2 GB heap.
    cmd.addAll(List.of("-Y", "http2.type == 1 || http2.type == 5", "-T", "pdml", "-J", "tcp http2"));
    Path pdml = Tools.runToFile(cmd);
    Document doc;
    try {
      doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pdml.toFile());
    } finally {
      java.nio.file.Files.deleteIfExists(pdml);
    }
    Map<String, Stream> out = new LinkedHashMap<>();
    NodeList packets = doc.getElementsByTagName("packet");
    for (int p = 0; p < packets.getLength(); p++) {
      Element packet = (Element) packets.item(p);
      String tcpStream = null;
      for (Element f : fields(packet, "tcp.stream")) {
        tcpStream = f.getAttribute("show");
      }
      for (Element frame : fields(packet, "http2.stream")) {
        String type = firstShow(frame, "http2.type");
        if (!"1".equals(type) && !"5".equals(type)) {
          continue;
        }
        String id = "5".equals(type) ? firstShow(frame, "http2.push_promise.promised_stream_id")
            : firstShow(frame, "http2.streamid");
        Map<String, String> headers = new LinkedHashMap<>();
        for (Element h : fields(frame, "http2.header")) {
          String name = firstShow(h, "http2.header.name");
          String value = firstShow(h, "http2.header.value");
          if (name != null) {
            headers.putIfAbsent(name, value == null ? "" : value);
          }
        }
        Stream s = out.computeIfAbsent(tcpStream + "/" + id, k -> new Stream());
        if (headers.containsKey(":method")) {
          s.method = headers.get(":method");
          s.path = headers.getOrDefault(":path", "");
          s.authority = headers.getOrDefault(":authority", "");
          s.scheme = headers.getOrDefault(":scheme", "");
          s.grpcTimeout = headers.getOrDefault("grpc-timeout", "");
          if (s.contentType.isEmpty()) {
            s.contentType = headers.getOrDefault("content-type", ""); // the response's replaces it
          }
        }
        if (headers.containsKey(":status") && s.status == 0) {
          int st = Integer.parseInt(headers.get(":status"));
          if (st >= 200) {
            s.status = st;
            s.contentType = headers.getOrDefault("content-type", s.contentType);
          }
        }
        if (headers.containsKey("grpc-status")) {
          s.grpcStatus = Integer.parseInt(headers.get("grpc-status"));
          s.grpcMessage = headers.getOrDefault("grpc-message", "");
        }
      }
    }
    return out;
  }

  private static List<Element> fields(Element parent, String name) {
    List<Element> out = new ArrayList<>();
    NodeList all = parent.getElementsByTagName("field");
    for (int i = 0; i < all.getLength(); i++) {
      Element e = (Element) all.item(i);
      if (name.equals(e.getAttribute("name"))) {
        out.add(e);
      }
    }
    return out;
  }

  private static String firstShow(Element parent, String name) {
    List<Element> f = fields(parent, name);
    return f.isEmpty() ? null : f.get(0).getAttribute("show");
  }
}
