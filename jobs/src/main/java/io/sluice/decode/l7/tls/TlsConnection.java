package io.sluice.decode.l7.tls;

import java.util.Arrays;

/**
 * The clear part of one TLS connection: records of both directions reassembled across segments, handshake
 * messages across records, hellos parsed, alerts in clear noted. Emits one {@link TlsHandshakeRow} when the
 * handshake's clear part is over (TLS 1.3: at the ServerHello; earlier: when both sides changed cipher spec), at
 * a fatal alert, or when the connection ends.
 */
public final class TlsConnection implements io.sluice.decode.l7.ConnectionParser {
  /** The largest record: 2^14 plus the expansion RFC 5246 allows. */
  public static final int MAX_RECORD = (1 << 14) + 2048;
  /** Hellos are buffered up to this size; other handshake messages are skipped without buffering. */
  static final int MAX_HELLO = 1 << 16;

  public interface Listener {
    void onHandshake(TlsHandshakeRow row);
  }

  private final Listener out;
  private final Direction client = new Direction(true);
  private final Direction server = new Direction(false);
  private long clientHelloNs;
  private long serverHelloNs;
  private TlsClientHello clientHello;
  private TlsServerHello serverHello;
  private boolean helloRetry;
  private int alertLevel;
  private int alertDescription = -1;
  private boolean alertFromServer;
  private boolean emitted;
  private long malformed;
  /** The hellos' bodies as parsed (the client's possibly cut), kept for {@link #write}. */
  private byte[] clientHelloBody;
  private byte[] serverHelloBody;

  public TlsConnection(Listener out) {
    this.out = out;
  }

  public void onBytes(boolean fromClient, byte[] b, int off, int len, long ts) {
    (fromClient ? client : server).bytes(b, off, len, ts);
  }

  /**
   * Missing bytes of known length. Inside a record they are stepped over (a hello they cut is parsed as far as
   * it goes); across a record header, that direction cannot be followed any more.
   */
  public void onGap(boolean fromClient, long missing, long ts) {
    (fromClient ? client : server).gap(missing, ts);
  }

  public void close(long ts) {
    if (!emitted && clientHello != null) {
      emit(serverHello != null ? TlsHandshakeRow.STATUS_OK : TlsHandshakeRow.STATUS_NO_SERVER_HELLO);
    }
  }

  /** The whole state, for Flink keyed state: the hellos are kept as bytes and parsed again by {@link #read}. */
  public void write(java.io.DataOutput out) throws java.io.IOException {
    out.writeLong(clientHelloNs);
    out.writeLong(serverHelloNs);
    writeBytes(out, clientHelloBody);
    out.writeBoolean(clientHello != null && clientHello.truncated());
    writeBytes(out, serverHelloBody);
    out.writeBoolean(helloRetry);
    out.writeInt(alertLevel);
    out.writeInt(alertDescription);
    out.writeBoolean(alertFromServer);
    out.writeBoolean(emitted);
    out.writeLong(malformed);
    client.write(out);
    server.write(out);
  }

  public static TlsConnection read(java.io.DataInput in, Listener out) throws java.io.IOException {
    TlsConnection c = new TlsConnection(out);
    c.clientHelloNs = in.readLong();
    c.serverHelloNs = in.readLong();
    c.clientHelloBody = readBytes(in);
    boolean cut = in.readBoolean();
    if (c.clientHelloBody != null) {
      c.clientHello = TlsHelloParser.clientHello(c.clientHelloBody, 0, c.clientHelloBody.length, cut);
    }
    c.serverHelloBody = readBytes(in);
    if (c.serverHelloBody != null) {
      c.serverHello = TlsHelloParser.serverHello(c.serverHelloBody, 0, c.serverHelloBody.length);
    }
    c.helloRetry = in.readBoolean();
    c.alertLevel = in.readInt();
    c.alertDescription = in.readInt();
    c.alertFromServer = in.readBoolean();
    c.emitted = in.readBoolean();
    c.malformed = in.readLong();
    c.client.read(in);
    c.server.read(in);
    return c;
  }

  private static void writeBytes(java.io.DataOutput out, byte[] b) throws java.io.IOException {
    out.writeInt(b == null ? -1 : b.length);
    if (b != null) {
      out.write(b);
    }
  }

  private static byte[] readBytes(java.io.DataInput in) throws java.io.IOException {
    int n = in.readInt();
    if (n < 0) {
      return null;
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return b;
  }

  /** Hellos, records or handshake messages that could not be parsed. */
  public long malformed() {
    return malformed;
  }

  public boolean done() {
    return emitted;
  }

  private void emit(String status) {
    emitted = true;
    boolean resumed = false;
    if (serverHello != null) {
      if (serverHello.version() >= 0x0304) {
        resumed = serverHello.preSharedKey();
      } else {
        resumed = clientHello != null && serverHello.sessionId().length > 0
            && Arrays.equals(serverHello.sessionId(), clientHello.sessionId());
      }
    }
    out.onHandshake(new TlsHandshakeRow(clientHelloNs, serverHelloNs, clientHello, serverHello, helloRetry,
        resumed, alertLevel, alertDescription, alertFromServer, status));
  }

  private void onHello(boolean fromClient, int type, byte[] b, int off, int len, boolean cut, long ts) {
    if (fromClient && type == Tls.CLIENT_HELLO) {
      TlsClientHello h = TlsHelloParser.clientHello(b, off, len, cut);
      if (h == null) {
        malformed++;
      } else if (clientHello == null) {
        clientHello = h;
        clientHelloNs = ts;
        clientHelloBody = Arrays.copyOfRange(b, off, off + len);
      }
    } else if (!fromClient && type == Tls.SERVER_HELLO && clientHello != null && !cut) {
      TlsServerHello h = TlsHelloParser.serverHello(b, off, len);
      if (h == null) {
        malformed++;
      } else if (h.helloRetryRequest()) {
        helloRetry = true;
      } else if (serverHello == null) {
        serverHello = h;
        serverHelloNs = ts;
        serverHelloBody = Arrays.copyOfRange(b, off, off + len);
        if (h.version() >= 0x0304 && !emitted) {
          emit(TlsHandshakeRow.STATUS_OK); // what follows is encrypted
        }
      }
    }
  }

  private void onAlert(boolean fromServer, int level, int description) {
    if (alertDescription < 0) {
      alertLevel = level;
      alertDescription = description;
      alertFromServer = fromServer;
    }
    if (level == 2 && !emitted && clientHello != null) {
      emit(TlsHandshakeRow.STATUS_FAILED);
    }
  }

  private void onChangeCipherSpec() {
    boolean tls13 = serverHello != null && serverHello.version() >= 0x0304;
    if (!tls13 && client.encrypted && server.encrypted && !emitted && clientHello != null) {
      emit(serverHello != null ? TlsHandshakeRow.STATUS_OK : TlsHandshakeRow.STATUS_NO_SERVER_HELLO);
    }
  }

  /** One direction: record header, record body, and the handshake message layer inside handshake records. */
  private final class Direction {
    final boolean isClient;
    boolean lost;
    /** After ChangeCipherSpec: handshake records are encrypted. */
    boolean encrypted;

    private final byte[] header = new byte[5];
    private int headerFill;
    private int recordType;
    private int recordLeft;
    private int recordLen;
    private final byte[] alert = new byte[2];

    private final byte[] msgHeader = new byte[4];
    private int msgHeaderFill;
    private int msgType;
    private int msgLeft;
    private byte[] msg = new byte[512];
    private int msgFill;
    private boolean msgBuffered;
    /** Bytes of the message being buffered were lost: only its start (up to msgCutAt) is known. */
    private int msgCutAt = -1;
    /** A hole crossed a handshake message header: no more messages in this direction. */
    private boolean messagesLost;

    void gap(long missing, long ts) {
      if (lost) {
        return;
      }
      if (headerFill < 5 || missing > recordLeft) {
        lost = true;
        return;
      }
      if (recordType == Tls.HANDSHAKE && !encrypted && !messagesLost) {
        if (msgHeaderFill < 4 || missing > msgLeft) {
          messagesLost = true;
        } else {
          if (msgBuffered && msgCutAt < 0) {
            msgCutAt = msgFill;
          }
          msgFill += (int) missing;
          msgLeft -= (int) missing;
          if (msgLeft == 0) {
            endMessage(ts);
          }
        }
      }
      recordLeft -= (int) missing;
      if (recordLeft == 0) {
        headerFill = 0;
        endRecord();
      }
    }

    Direction(boolean isClient) {
      this.isClient = isClient;
    }

    void write(java.io.DataOutput out) throws java.io.IOException {
      out.writeBoolean(lost);
      out.writeBoolean(encrypted);
      out.write(header);
      out.writeInt(headerFill);
      out.writeInt(recordType);
      out.writeInt(recordLeft);
      out.writeInt(recordLen);
      out.write(alert);
      out.write(msgHeader);
      out.writeInt(msgHeaderFill);
      out.writeInt(msgType);
      out.writeInt(msgLeft);
      out.writeInt(msgFill);
      out.writeBoolean(msgBuffered);
      out.writeInt(msgCutAt);
      out.writeBoolean(messagesLost);
      int held = msgBuffered && msgHeaderFill == 4 ? msgFill : 0;
      out.writeInt(held);
      out.write(msg, 0, held);
    }

    void read(java.io.DataInput in) throws java.io.IOException {
      lost = in.readBoolean();
      encrypted = in.readBoolean();
      in.readFully(header);
      headerFill = in.readInt();
      recordType = in.readInt();
      recordLeft = in.readInt();
      recordLen = in.readInt();
      in.readFully(alert);
      in.readFully(msgHeader);
      msgHeaderFill = in.readInt();
      msgType = in.readInt();
      msgLeft = in.readInt();
      msgFill = in.readInt();
      msgBuffered = in.readBoolean();
      msgCutAt = in.readInt();
      messagesLost = in.readBoolean();
      int held = in.readInt();
      msg = new byte[Math.max(512, held + (msgBuffered ? msgLeft : 0))];
      in.readFully(msg, 0, held);
    }

    void bytes(byte[] b, int off, int len, long ts) {
      int i = off;
      int end = off + len;
      while (i < end && !lost) {
        if (headerFill < 5) {
          int n = Math.min(5 - headerFill, end - i);
          System.arraycopy(b, i, header, headerFill, n);
          headerFill += n;
          i += n;
          if (headerFill == 5) {
            recordType = header[0] & 0xff;
            recordLen = ((header[3] & 0xff) << 8) | (header[4] & 0xff);
            recordLeft = recordLen;
            if (recordType < Tls.CHANGE_CIPHER_SPEC || recordType > Tls.HEARTBEAT || header[1] != 3
                || recordLen > MAX_RECORD) {
              malformed++;
              lost = true;
              return;
            }
            if (recordLen == 0) {
              headerFill = 0;
            }
          }
          continue;
        }
        int n = Math.min(recordLeft, end - i);
        body(b, i, n, ts);
        i += n;
        recordLeft -= n;
        if (recordLeft == 0) {
          headerFill = 0;
          endRecord();
        }
      }
    }

    private void body(byte[] b, int off, int n, long ts) {
      switch (recordType) {
        case Tls.HANDSHAKE -> {
          if (!encrypted && !messagesLost) {
            handshake(b, off, n, ts);
          }
        }
        case Tls.ALERT -> {
          int at = recordLen - recordLeft;
          for (int k = 0; k < n && at + k < 2; k++) {
            alert[at + k] = b[off + k];
          }
        }
        default -> { }
      }
    }

    private void endRecord() {
      if (recordType == Tls.CHANGE_CIPHER_SPEC) {
        boolean tls13 = serverHello != null && serverHello.version() >= 0x0304;
        if (!tls13) { // TLS 1.3 sends it only for middlebox compatibility: it changes nothing
          encrypted = true;
          onChangeCipherSpec();
        }
      } else if (recordType == Tls.ALERT && recordLen == 2 && !encrypted) {
        onAlert(!isClient, alert[0] & 0xff, alert[1] & 0xff);
      }
    }

    private void handshake(byte[] b, int off, int n, long ts) {
      int i = off;
      int end = off + n;
      while (i < end) {
        if (msgHeaderFill < 4) {
          int k = Math.min(4 - msgHeaderFill, end - i);
          System.arraycopy(b, i, msgHeader, msgHeaderFill, k);
          msgHeaderFill += k;
          i += k;
          if (msgHeaderFill == 4) {
            msgType = msgHeader[0] & 0xff;
            msgLeft = ((msgHeader[1] & 0xff) << 16) | ((msgHeader[2] & 0xff) << 8) | (msgHeader[3] & 0xff);
            msgFill = 0;
            msgCutAt = -1;
            msgBuffered = (msgType == Tls.CLIENT_HELLO || msgType == Tls.SERVER_HELLO) && msgLeft <= MAX_HELLO;
            if (msgBuffered && msg.length < msgLeft) {
              msg = new byte[msgLeft];
            }
            if (msgLeft == 0) {
              endMessage(ts);
            }
          }
          continue;
        }
        int k = Math.min(msgLeft, end - i);
        if (msgBuffered) {
          System.arraycopy(b, i, msg, msgFill, k);
        }
        msgFill += k;
        msgLeft -= k;
        i += k;
        if (msgLeft == 0) {
          endMessage(ts);
        }
      }
    }

    private void endMessage(long ts) {
      msgHeaderFill = 0;
      if (msgBuffered) {
        boolean cut = msgCutAt >= 0;
        onHello(isClient, msgType, msg, 0, cut ? msgCutAt : msgFill, cut, ts);
      }
    }
  }
}
