package io.sluice.jobs.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.decode.flow.FlowRecord;
import io.sluice.wire.FlowSource;
import org.junit.jupiter.api.Test;

/** The registry's labels on a record, with the interface-name question asked once per datagram. */
class EnrichmentTest {
  private static FlowRecord record() {
    FlowRecord r = new FlowRecord();
    r.inIf = 9;
    r.outIf = 10;
    r.inIfName = "Te0/1/0";
    r.outIfName = "Te0/1/1";
    return r;
  }

  @Test
  void registeredInterfaceNamesWinOverTheExportersOwn() {
    FlowSource source = FlowSource.newBuilder().setName("edge").setSite("lab").putInterfaceNames(9, "uplink").build();
    assertTrue(Enrichment.namesInterfaces(source));
    FlowRecord r = record();
    Enrichment.label(r, source, Enrichment.namesInterfaces(source));
    assertEquals("edge", r.exporterName);
    assertEquals("lab", r.site);
    assertEquals("uplink", r.inIfName);
    assertEquals("Te0/1/1", r.outIfName, "an interface the source does not name keeps the exporter's name");
  }

  @Test
  void aSourceWithoutInterfaceNamesOnlyNamesTheExporter() {
    FlowSource source = FlowSource.newBuilder().setName("edge").setSite("lab").build();
    assertFalse(Enrichment.namesInterfaces(source));
    assertFalse(Enrichment.namesInterfaces(null));
    FlowRecord r = record();
    Enrichment.label(r, source, false);
    assertEquals("edge", r.exporterName);
    assertEquals("Te0/1/0", r.inIfName);
    FlowRecord unlabelled = record();
    Enrichment.label(unlabelled, null, false);
    assertEquals("", unlabelled.exporterName);
  }
}
