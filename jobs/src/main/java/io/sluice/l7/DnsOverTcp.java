package io.sluice.l7;

import io.sluice.l7.reassembly.MemoryBudget;
import io.sluice.l7.reassembly.StreamConsumer;
import io.sluice.decode.l7.L7Problem;

/**
 * DNS over TCP (RFC 7766): each message is preceded by its 2-byte length. A segment can hold several
 * messages and a message can span several segments; a partial message is buffered (at most 65,537 bytes,
 * reserved from the shared budget). After a gap the direction's framing is lost: it is skipped until the
 * connection ends. A hole the capture cut (of known length) inside a message leaves the message cut (what was
 * captured before the hole is kept) and the framing intact, since the length prefix says where the next message
 * starts; only a prefix that falls in a hole loses the framing.
 */
final class DnsOverTcp implements TcpApp {
  interface MessageHandler {
    /** {@code len} bytes captured of a message of {@code wire} bytes. */
    void onMessage(byte[] b, int off, int len, int wire, boolean fromClient, long firstByteNs);
  }

  private final Framer fromClient;
  private final Framer fromServer;

  DnsOverTcp(MessageHandler handler, MemoryBudget budget, L7Summary summary) {
    fromClient = new Framer(true, handler, budget, summary);
    fromServer = new Framer(false, handler, budget, summary);
  }

  @Override
  public StreamConsumer consumer(boolean client) {
    return client ? fromClient : fromServer;
  }

  @Override
  public void advanceWatermark(long watermarkNs) {}

  @Override
  public void onClose(long ns) {
    fromClient.release();
    fromServer.release();
  }

  void write(java.io.DataOutput out) throws java.io.IOException {
    fromClient.write(out);
    fromServer.write(out);
  }

  void read(java.io.DataInput in) throws java.io.IOException {
    fromClient.read(in);
    fromServer.read(in);
  }

  private static final class Framer implements StreamConsumer {
    private final boolean client;
    private final MessageHandler handler;
    private final MemoryBudget budget;
    private final L7Summary summary;
    private byte[] buf;
    /** Bytes of the current message (with its prefix) passed so far, captured or in holes. */
    private int have;
    /** Of those, the bytes in {@link #buf}: all of them until the first hole. */
    private int kept;
    /** Bytes of the current message including its 2-byte prefix; 0 until the prefix is complete. */
    private int need;
    private long startNs;
    private boolean lost;

    Framer(boolean client, MessageHandler handler, MemoryBudget budget, L7Summary summary) {
      this.client = client;
      this.handler = handler;
      this.budget = budget;
      this.summary = summary;
    }

    @Override
    public void onBytes(byte[] b, int off, int len, long ts) {
      if (lost) {
        return;
      }
      int p = off;
      int end = off + len;
      while (p < end) {
        if (have == 0) {
          // Fast path: whole messages straight from the segment.
          if (end - p >= 2) {
            int msgLen = (b[p] & 0xFF) << 8 | (b[p + 1] & 0xFF);
            if (!validLength(msgLen)) {
              return;
            }
            if (end - p >= 2 + msgLen) {
              handler.onMessage(b, p + 2, msgLen, msgLen, client, ts);
              p += 2 + msgLen;
              continue;
            }
          }
          startNs = ts;
        }
        if (!ensureBuffer(Math.max(2, need))) {
          return;
        }
        if (need == 0) {
          int n = Math.min(2 - have, end - p);
          System.arraycopy(b, p, buf, have, n);
          have += n;
          kept = have;
          p += n;
          if (have < 2) {
            return;
          }
          int msgLen = (buf[0] & 0xFF) << 8 | (buf[1] & 0xFF);
          if (!validLength(msgLen)) {
            return;
          }
          need = 2 + msgLen;
          if (!ensureBuffer(need)) {
            return;
          }
        }
        int n = Math.min(need - have, end - p);
        if (kept == have) {
          System.arraycopy(b, p, buf, have, n);
          kept += n;
        }
        have += n;
        p += n;
        if (have == need) {
          deliver();
        }
      }
    }

    private void deliver() {
      handler.onMessage(buf, 2, kept - 2, need - 2, client, startNs);
      have = 0;
      kept = 0;
      need = 0;
    }

    @Override
    public void onHole(long missing, long ts) {
      if (lost || missing <= 0) {
        return;
      }
      if (need == 0) {
        summary.problems.add(L7Problem.DNS_TCP_FRAMING_CUT);
        lose();
        return;
      }
      long left = need - have;
      if (missing < left) {
        have += (int) missing;
        return;
      }
      deliver();
      if (missing > left) {
        summary.problems.add(L7Problem.DNS_TCP_FRAMING_CUT);
        lose();
      }
    }

    private boolean validLength(int msgLen) {
      if (msgLen < 12) {
        summary.problems.add(L7Problem.DNS_BAD_TCP_LENGTH);
        lose();
        return false;
      }
      return true;
    }

    /** Grows the buffer to hold {@code capacity} bytes, within the shared budget. */
    private boolean ensureBuffer(int capacity) {
      int old = buf == null ? 0 : buf.length;
      if (old >= capacity) {
        return true;
      }
      int size = Math.max(capacity, Math.min(65_537, Math.max(256, old * 2)));
      if (!budget.reserve(size - old)) {
        summary.problems.add(L7Problem.TCP_OUT_OF_ORDER_OVERFLOW);
        lose();
        return false;
      }
      buf = buf == null ? new byte[size] : java.util.Arrays.copyOf(buf, size);
      return true;
    }

    @Override
    public void onGap(long missing, long ts) {
      lose();
    }

    private void lose() {
      lost = true;
      release();
    }

    void write(java.io.DataOutput out) throws java.io.IOException {
      out.writeBoolean(lost);
      out.writeInt(buf == null ? -1 : buf.length);
      out.writeInt(have);
      out.writeInt(kept);
      out.writeInt(need);
      out.writeLong(startNs);
      if (buf != null) {
        out.write(buf, 0, kept);
      }
    }

    void read(java.io.DataInput in) throws java.io.IOException {
      lost = in.readBoolean();
      int capacity = in.readInt();
      have = in.readInt();
      kept = in.readInt();
      need = in.readInt();
      startNs = in.readLong();
      if (capacity >= 0) {
        budget.reserve(capacity);
        buf = new byte[capacity];
        in.readFully(buf, 0, kept);
      }
    }

    void release() {
      if (buf != null) {
        budget.release(buf.length);
        buf = null;
      }
      have = 0;
      kept = 0;
      need = 0;
    }
  }
}
