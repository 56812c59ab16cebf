package io.sluice.store.rows;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.decode.flow.FlowRecord;
import io.sluice.decode.flow.FlowType;
import io.sluice.decode.flow.OutIfKind;
import io.sluice.decode.flow.SamplingRateSource;
import io.sluice.store.sink.RowBinary;
import io.sluice.store.sink.RowEncoder;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which columns a flow record fills, and that writing only those drops exactly the others' default bytes. */
class FlowRowEncoderColumnsTest {
  private final FlowRowEncoder encoder = new FlowRowEncoder();

  @Test
  void aRecordWithEveryFieldSetFillsEveryColumnAndEncodesAsWithAll() {
    FlowRecord r = everyFieldSet();
    long filled = encoder.filledColumns(r);
    assertEquals(encoder.columns(), RowEncoder.columnsIn(encoder.columns(), filled));
    RowBinary all = new RowBinary(1024);
    RowBinary chosen = new RowBinary(1024);
    encoder.encode(r, all);
    encoder.encode(r, chosen, filled);
    assertArrayEquals(Arrays.copyOf(all.array(), all.size()), Arrays.copyOf(chosen.array(), chosen.size()));
  }

  @Test
  void aNewRecordFillsOnlyTheColumnsWhoseDefaultIsNotTheTypes() {
    FlowRecord r = new FlowRecord();
    // direction is 255 (unknown) and the enums print as words: not the type defaults 0 and ''.
    assertEquals(List.of("out_if_kind", "direction", "sampling_rate_source"),
        RowEncoder.columnsIn(encoder.columns(), encoder.filledColumns(r)));
  }

  /** Each column on its own: set, it is filled, and the row with only it is its bytes alone. */
  @Test
  void eachColumnLeftOutWritesNothingForIt() {
    FlowRecord full = everyFieldSet();
    long filled = encoder.filledColumns(full);
    for (int i = 0; i < encoder.columns().size(); i++) {
      RowBinary without = new RowBinary(1024);
      encoder.encode(full, without, filled & ~(1L << i));
      RowBinary with = new RowBinary(1024);
      encoder.encode(full, with, filled);
      assertEquals(true, without.size() < with.size(), encoder.columns().get(i) + " wrote nothing when chosen");
    }
  }

  /** An address with any one byte set is filled (the check reads it as two 8-byte halves). */
  @Test
  void anAddressWithAnyByteSetIsFilled() {
    for (int b = 0; b < 16; b++) {
      FlowRecord r = new FlowRecord();
      r.srcAddr[b] = (byte) 0x80;
      r.postNatDstAddr[b] = 1;
      List<String> filled = RowEncoder.columnsIn(encoder.columns(), encoder.filledColumns(r));
      assertEquals(true, filled.contains("src_addr") && filled.contains("post_nat_dst_addr"), "byte " + b);
    }
  }

  /**
   * One encoder, rows whose strings change from row to row (another object with the same text, other text, non-ASCII
   * text, back to the first): each row's bytes are those a fresh encoder writes, whatever the encoder wrote before.
   */
  @Test
  void stringColumnsFollowEveryRowsStrings() {
    FlowRowEncoder reused = new FlowRowEncoder();
    String[] names = {"edge-1", new String("edge-1".toCharArray()), "core-2", "Zürich-ü", "", "edge-1", "a".repeat(300)};
    for (String name : names) {
      FlowRecord r = everyFieldSet();
      r.exporterName = name;
      r.site = name + "/site";
      r.inVrfName = name.isEmpty() ? "x" : name.substring(0, 1);
      r.samplingRateSource = name.length() % 2 == 0 ? SamplingRateSource.PACKET : SamplingRateSource.CONFIGURED;
      RowBinary expected = new RowBinary(1024);
      new FlowRowEncoder().encode(r, expected);
      RowBinary actual = new RowBinary(1024);
      reused.encode(r, actual);
      assertArrayEquals(Arrays.copyOf(expected.array(), expected.size()), Arrays.copyOf(actual.array(), actual.size()),
          "row with exporter name '" + name + "'");
    }
  }

  private static FlowRecord everyFieldSet() {
    FlowRecord r = new FlowRecord();
    r.time = 1_700_000_000L;
    r.flowStartMs = 1;
    r.flowEndMs = 2;
    r.receivedNs = 3;
    r.flowType = FlowType.IPFIX;
    r.exporterAddr[15] = 1;
    r.exporterName = "e";
    r.site = "s";
    r.observationDomain = 4;
    r.sequence = 5;
    r.inIf = 6;
    r.outIf = 7;
    r.inIfName = "i";
    r.outIfName = "o";
    r.outIfKind = OutIfKind.LOCAL;
    r.direction = 1;
    r.srcAddr[15] = 2;
    r.dstAddr[15] = 3;
    r.srcPort = 8;
    r.dstPort = 9;
    r.protocol = 6;
    r.tcpFlags = 2;
    r.tos = 1;
    r.icmpType = 3;
    r.icmpCode = 1;
    r.srcAs = 10;
    r.dstAs = 11;
    r.asPath[0] = 12;
    r.asPathLength = 1;
    r.communities[0] = 13;
    r.communityCount = 1;
    r.srcMask = 24;
    r.dstMask = 16;
    r.nextHop[15] = 4;
    r.bgpNextHop[15] = 5;
    r.srcVlan = 14;
    r.dstVlan = 15;
    r.srcMac = 16;
    r.dstMac = 17;
    r.mplsTopLabel = 18;
    r.mplsLabels[0] = 18;
    r.mplsLabelCount = 1;
    r.forwardingStatus = 64;
    r.flowEndReason = 2;
    r.postNatSrcAddr[15] = 6;
    r.postNatDstAddr[15] = 7;
    r.postNatSrcPort = 19;
    r.postNatDstPort = 20;
    r.tunnelSrcAddr[15] = 8;
    r.tunnelDstAddr[15] = 9;
    r.tunnelProtocol = 47;
    r.inVrfId = 21;
    r.outVrfId = 22;
    r.inVrfName = "a";
    r.outVrfName = "b";
    r.samplerId = 23;
    r.sampledBytes = 1500;
    r.sampledPackets = 1;
    r.samplingRate = 100;
    r.samplingRateSource = SamplingRateSource.PACKET;
    r.estBytes = 150_000;
    r.estPackets = 100;
    return r;
  }
}
