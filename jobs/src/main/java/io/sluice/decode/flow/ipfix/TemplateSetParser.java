package io.sluice.decode.flow.ipfix;

import static io.sluice.decode.packet.BigEndian.u16;
import static io.sluice.decode.packet.BigEndian.u32;

import io.sluice.decode.flow.DecodeContext;
import io.sluice.decode.flow.DecodeProblem;
import io.sluice.decode.flow.RecordKind;

/** Parses NetFlow v9 and IPFIX template and options template sets into {@link Template}s. */
final class TemplateSetParser {
  interface Registrar {
    void define(SetHeader h, Template t);

    void withdraw(SetHeader h, int templateId, boolean options);
  }

  private TemplateSetParser() {}

  /** A v9 template set (id 0) or an IPFIX template set (id 2). */
  static void templates(byte[] b, int p, int end, SetHeader h, DecodeContext ctx, Registrar reg) {
    while (end - p >= 4) {
      int id = u16(b, p);
      int count = u16(b, p + 2);
      p += 4;
      if (count == 0) {
        if (h.ipfix) {
          reg.withdraw(h, id, false);
          continue;
        }
        return; // v9 padding
      }
      if (id < 256 || count > Template.MAX_FIELDS) {
        ctx.problem(DecodeProblem.BAD_TEMPLATE);
        return;
      }
      p = fields(b, p, end, h, ctx, reg, id, count, 0, false);
      if (p < 0) return;
    }
  }

  /** A v9 options template set (id 1). Scope fields keep their v9 scope types. */
  static void v9Options(byte[] b, int p, int end, SetHeader h, DecodeContext ctx, Registrar reg) {
    while (end - p >= 6) {
      int id = u16(b, p);
      int scopeBytes = u16(b, p + 2);
      int optionBytes = u16(b, p + 4);
      p += 6;
      if (id == 0 && scopeBytes == 0 && optionBytes == 0) return; // padding
      if (id < 256 || scopeBytes % 4 != 0 || optionBytes % 4 != 0 || scopeBytes + optionBytes == 0) {
        ctx.problem(DecodeProblem.BAD_TEMPLATE);
        return;
      }
      int scopes = scopeBytes / 4;
      int count = scopes + optionBytes / 4;
      if (count > Template.MAX_FIELDS || end - p < scopeBytes + optionBytes) {
        ctx.problem(DecodeProblem.BAD_TEMPLATE);
        return;
      }
      p = fields(b, p, end, h, ctx, reg, id, count, scopes, true);
      if (p < 0) return;
    }
  }

  /** An IPFIX options template set (id 3). */
  static void ipfixOptions(byte[] b, int p, int end, SetHeader h, DecodeContext ctx, Registrar reg) {
    while (end - p >= 4) {
      int id = u16(b, p);
      int count = u16(b, p + 2);
      if (count == 0) {
        reg.withdraw(h, id, true);
        p += 4;
        continue;
      }
      if (end - p < 6) return;
      int scopes = u16(b, p + 4);
      p += 6;
      if (id < 256 || count > Template.MAX_FIELDS || scopes > count) {
        ctx.problem(DecodeProblem.BAD_TEMPLATE);
        return;
      }
      p = fields(b, p, end, h, ctx, reg, id, count, scopes, true);
      if (p < 0) return;
    }
  }

  /** Reads the field specifiers and defines the template: the offset after them, or -1. */
  private static int fields(byte[] b, int p, int end, SetHeader h, DecodeContext ctx, Registrar reg,
      int id, int count, int scopes, boolean options) {
    int[] elements = new int[count];
    long[] enterprises = new long[count];
    int[] lengths = new int[count];
    for (int i = 0; i < count; i++) {
      if (end - p < 4) {
        ctx.problem(DecodeProblem.BAD_TEMPLATE);
        return -1;
      }
      int element = u16(b, p);
      lengths[i] = u16(b, p + 2);
      p += 4;
      if (h.ipfix && (element & 0x8000) != 0) {
        if (end - p < 4) {
          ctx.problem(DecodeProblem.BAD_TEMPLATE);
          return -1;
        }
        element &= 0x7FFF;
        enterprises[i] = u32(b, p);
        p += 4;
      }
      elements[i] = element;
    }
    Template t = new Template(id, options, !h.ipfix, scopes, elements, enterprises, lengths);
    ctx.counters.record(options ? RecordKind.OPTIONS_TEMPLATE : RecordKind.TEMPLATE);
    reg.define(h, t);
    return p;
  }
}
