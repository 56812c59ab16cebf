package io.sluice.decode.flow.ipfix;

import io.sluice.decode.flow.DecodeContext;
import io.sluice.decode.flow.DecodeProblem;
import io.sluice.decode.flow.ExporterNames;
import io.sluice.decode.flow.FlowRecord;
import java.nio.charset.StandardCharsets;

/**
 * Interface and VRF names from options data (jobs/README.md, Record fields). An options record that
 * carries an interface id (ingressInterface 10 or egressInterface 14, as scope or as a field, as in
 * Cisco's v9 interface table with scope System) with interfaceName (82, preferred) or
 * interfaceDescription (83) names that ifIndex; one with a VRF id (234/235) and VRFname (236) names
 * that VRF. Flow records then get the names current when they are decoded.
 */
final class OptionNames {
  private OptionNames() {}

  static void remember(byte[] b, RecordFields f, FlowRecord r, DecodeContext ctx) {
    ExporterNames names = ctx.state.names();
    boolean ok = true;
    int off = f.ifNameOff >= 0 ? f.ifNameOff : f.ifDescOff;
    if (off >= 0) {
      String name = text(b, off, f.ifNameOff >= 0 ? f.ifNameLen : f.ifDescLen);
      if (f.has(RecordFields.IN_IF)) ok = names.putInterface(r.inIf, name);
      else if (f.has(RecordFields.OUT_IF)) ok = names.putInterface(r.outIf, name);
    }
    if (f.vrfNameOff >= 0) {
      String name = text(b, f.vrfNameOff, f.vrfNameLen);
      if (f.has(RecordFields.IN_VRF)) ok &= names.putVrf(r.inVrfId, name);
      else if (f.has(RecordFields.OUT_VRF)) ok &= names.putVrf(r.outVrfId, name);
    }
    if (!ok) ctx.problem(DecodeProblem.NAME_LIMIT);
  }

  /** A flow record's names as the exporter gave them so far; "" where it gave none. No allocation. */
  static void apply(FlowRecord r, ExporterNames names) {
    if (names.interfaceCount() > 0) {
      r.inIfName = names.interfaceName(r.inIf);
      r.outIfName = names.interfaceName(r.outIf);
    }
    if (names.vrfCount() > 0) {
      r.inVrfName = names.vrfName(r.inVrfId);
      r.outVrfName = names.vrfName(r.outVrfId);
    }
  }

  /** An IPFIX string (UTF-8, RFC 7011 6.1.6): Cisco pads fixed-length names with NULs; cut there. */
  private static String text(byte[] b, int off, int len) {
    int n = Math.min(len, ExporterNames.MAX_NAME_BYTES);
    int end = off;
    while (end < off + n && b[end] != 0) end++;
    return new String(b, off, end - off, StandardCharsets.UTF_8).strip();
  }
}
