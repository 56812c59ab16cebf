package io.sluice.decode.l7.capture;

/**
 * Simulates the capture rule README.md proposes for HTTP/2 ("keep header blocks whole"): on a connection seen to
 * start with the preface, keep the preface, every frame header and every frame's payload except DATA's; DATA
 * payload becomes a hole of known length. Wraps the consumer of one connection and counts what it keeps, and the
 * most bytes kept from one segment (what one packet would need the loader to copy).
 */
final class FrameAwareCut implements TcpReplay.Consumer {
  private final TcpReplay.Consumer next;
  private final Walker client = new Walker(true);
  private final Walker server = new Walker(false);
  long kept;
  long seen;
  long maxPerSegment;

  FrameAwareCut(TcpReplay.Consumer next) {
    this.next = next;
  }

  @Override
  public void bytes(boolean fromClient, byte[] b, int off, int len, long ts) {
    (fromClient ? client : server).bytes(b, off, len, ts);
  }

  @Override
  public void gap(boolean fromClient, long missing, long ts) {
    (fromClient ? client : server).gap(missing);
    next.gap(fromClient, missing, ts);
  }

  @Override
  public void close(long ts) {
    next.close(ts);
  }

  private final class Walker {
    final boolean fromClient;
    int prefaceLeft;
    final byte[] head = new byte[9];
    int headFill;
    long payloadLeft;
    boolean dataPayload;

    Walker(boolean fromClient) {
      this.fromClient = fromClient;
      this.prefaceLeft = fromClient ? 24 : 0;
    }

    /** A hole in the capture itself: outside a payload the walk cannot go on, and everything is passed through. */
    boolean lost;

    void gap(long missing) {
      if (prefaceLeft == 0 && headFill == 9 && missing <= payloadLeft) {
        payloadLeft -= missing;
        if (payloadLeft == 0) {
          headFill = 0;
        }
      } else {
        lost = true;
      }
    }

    void bytes(byte[] b, int off, int len, long ts) {
      seen += len;
      if (lost) {
        next.bytes(fromClient, b, off, len, ts);
        return;
      }
      long keptHere = 0;
      int i = off;
      int end = off + len;
      while (i < end) {
        if (prefaceLeft > 0 || headFill < 9 && payloadLeft == 0) {
          int n;
          if (prefaceLeft > 0) {
            n = Math.min(prefaceLeft, end - i);
            prefaceLeft -= n;
          } else {
            n = Math.min(9 - headFill, end - i);
            System.arraycopy(b, i, head, headFill, n);
            headFill += n;
            if (headFill == 9) {
              payloadLeft = ((head[0] & 0xff) << 16) | ((head[1] & 0xff) << 8) | (head[2] & 0xff);
              dataPayload = head[3] == 0;
              headFill = payloadLeft == 0 ? 0 : 9;
            }
          }
          next.bytes(fromClient, b, i, n, ts);
          keptHere += n;
          i += n;
        } else {
          int n = (int) Math.min(payloadLeft, end - i);
          if (dataPayload) {
            next.gap(fromClient, n, ts);
          } else {
            next.bytes(fromClient, b, i, n, ts);
            keptHere += n;
          }
          payloadLeft -= n;
          i += n;
          if (payloadLeft == 0) {
            headFill = 0;
          }
        }
      }
      kept += keptHere;
      maxPerSegment = Math.max(maxPerSegment, keptHere);
    }
  }
}
