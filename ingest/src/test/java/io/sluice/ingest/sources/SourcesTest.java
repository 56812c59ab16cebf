package io.sluice.ingest.sources;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.sluice.net.IpAddresses;
import io.sluice.wire.FlowSource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SourcesTest {
  private static Sources.Request req(String prefix, String name, Integer rate, boolean override, List<String> ifs) {
    return new Sources.Request(prefix, name, rate, override, "par1", ifs, null);
  }

  private static String error(Sources.Request r) {
    return assertThrows(InvalidSourceException.class, () -> Sources.build(r, 1)).getMessage();
  }

  @Test
  void buildsAFullRegistration() {
    FlowSource s = Sources.build(new Sources.Request("192.0.2.0/24", " edge-1 ", 1000, true, "par1",
        List.of("12=xe-0/0/1", "4294967295=mgmt"), "198.51.100.7"), 42);
    assertEquals("192.0.2.0/24", Sources.key(s));
    assertEquals(120, s.getPrefixLen());
    assertEquals("edge-1", s.getName());
    assertEquals(1000, s.getSamplingRate());
    assertTrue(s.getOverrideSampling());
    assertEquals(Map.of(12, "xe-0/0/1", -1, "mgmt"), s.getInterfaceNamesMap());
    assertArrayEquals(IpAddresses.parse("198.51.100.7"), s.getExporterAddrOverride().toByteArray());
    assertEquals(42, s.getUpdatedNs());
    assertNull(Sources.problemWith("192.0.2.0/24", s));
  }

  @Test
  void clearMessagesForBadInput() {
    assertTrue(error(req("300.1.1.1", "a", null, false, List.of())).contains("invalid address \"300.1.1.1\""));
    assertTrue(error(req("192.0.2.1", "a", 0, false, List.of())).contains("--sampling-rate must be 1 or more"));
    assertTrue(error(req("192.0.2.1", "a", -5, false, List.of())).contains("--sampling-rate must be 1 or more"));
    assertTrue(error(req("192.0.2.1", "a", null, true, List.of())).contains("--override-sampling needs --sampling-rate"));
    assertTrue(error(req("192.0.2.1", " ", null, false, List.of())).contains("--name must not be empty"));
    assertTrue(error(req("192.0.2.1", "a\tb", null, false, List.of())).contains("control characters"));
    assertTrue(error(req("192.0.2.1", "x".repeat(129), null, false, List.of())).contains("longer than"));
    assertTrue(error(req("192.0.2.1", "a", null, false, List.of("xe-0/0/1"))).contains("IFINDEX=NAME"));
    assertTrue(error(req("192.0.2.1", "a", null, false, List.of("4294967296=x"))).contains("IFINDEX=NAME"));
    assertTrue(error(req("192.0.2.1", "a", null, false, List.of("-1=x"))).contains("IFINDEX=NAME"));
    assertTrue(error(req("192.0.2.1", "a", null, false, List.of("12="))).contains("IFINDEX=NAME"));
    assertTrue(error(req("192.0.2.1", "a", null, false, List.of("12=a", "12=b"))).contains("given twice"));
    assertTrue(error(new Sources.Request("192.0.2.1", "a", null, false, null, List.of(), "192.0.2.0/24"))
        .contains("--exporter-address must be a single IP address"));
  }

  @Test
  void duplicateNamesAreRefusedButTheSamePrefixIsReplaced() {
    FlowSource edge = Sources.build(req("192.0.2.1", "edge-1", null, false, List.of()), 1);
    Map<String, FlowSource> registered = Map.of(Sources.key(edge), edge);
    FlowSource other = Sources.build(req("192.0.2.2", "edge-1", null, false, List.of()), 2);
    String message = assertThrows(InvalidSourceException.class, () -> Sources.checkConflicts(other, registered)).getMessage();
    assertTrue(message.contains("\"edge-1\" is already used by 192.0.2.1/32"), message);
    FlowSource update = Sources.build(req("192.0.2.1", "edge-1", 512, false, List.of()), 3);
    assertDoesNotThrow(() -> Sources.checkConflicts(update, registered));
  }

  @Test
  void malformedTopicRecordsAreNamed() {
    FlowSource ok = Sources.build(req("192.0.2.1", "edge-1", null, false, List.of()), 1);
    assertTrue(Sources.problemWith("192.0.2.2/32", ok).contains("does not match"));
    assertTrue(Sources.problemWith("x", ok.toBuilder().setPrefixAddr(ByteString.copyFrom(new byte[4])).build()).contains("4 bytes"));
    assertTrue(Sources.problemWith("192.0.2.1/32", ok.toBuilder().setPrefixLen(120).build()).contains("host bits"));
  }
}
