package io.sluice.l7;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The process behind one conversation's L7 rows, from the socket events seen on its address/port pair: both
 * sides' sockets when client and server run on one node, so each sighting names its local endpoint. A row gets
 * its client's process: the socket whose local endpoint is the row's client endpoint, with the row's protocol.
 *
 * <p>Of that socket's sightings, the latest trusted one at or before the row's first packet wins (TCP: the
 * client's SYN_SENT; UDP: the loader's sender event, which precedes the packet), else the first trusted one up to
 * {@link #AFTER_NS} after it (a connection older than the loader is first seen closing). A sighting of the socket
 * going to CLOSE ends what came before it, so a reused port is never given its previous owner. Without any trusted
 * sighting, an untrusted one (softirq: pid and comm are whoever ran) still gives the socket's cgroup, container and pod.
 *
 * <p>Bounded: at most {@link #MAX_SIGHTINGS} per conversation, the oldest dropped first; the owner drops them all
 * {@link #KEEP_NS} after the newest once the conversation holds nothing else.
 */
public final class ProcessAttribution {
  /** How long after a row's first packet a socket event may still name its process. */
  public static final long AFTER_NS = 1_000_000_000L;
  /**
   * How long a sighting is kept once its conversation is idle: the loader announces a UDP socket's peer again
   * when it sends more than 10 s after the last announcement, so a sighting names sends up to 10 s later.
   */
  public static final long KEEP_NS = 11_000_000_000L;
  static final int MAX_SIGHTINGS = 16;

  /** In event-time order; equal times in arrival order. */
  private final List<SocketSighting> sightings = new ArrayList<>();

  public void add(SocketSighting s) {
    int i = sightings.size();
    while (i > 0 && sightings.get(i - 1).eventNs() > s.eventNs()) {
      i--;
    }
    sightings.add(i, s);
    if (sightings.size() > MAX_SIGHTINGS) {
      sightings.remove(0);
    }
  }

  /** The process of the client ({@code clientAddr}, {@code clientPort}) of a row that starts at {@code rowNs}. */
  public L7Process of(int protocol, byte[] clientAddr, int clientPort, long rowNs) {
    SocketSighting trusted = null;
    SocketSighting socket = null; // any sighting with a cgroup: the fallback
    SocketSighting trustedAfter = null;
    SocketSighting socketAfter = null;
    for (SocketSighting s : sightings) {
      if (!s.isSocket(clientAddr, clientPort, protocol)) {
        continue;
      }
      if (s.eventNs() <= rowNs) {
        if (s.closed()) { // the socket the row belongs to came after this one
          trusted = null;
          socket = null;
        } else {
          trusted = s.trusted() ? s : trusted;
          socket = s.process().cgroupId() != 0 ? s : socket;
        }
        continue;
      }
      if (s.eventNs() > rowNs + AFTER_NS) {
        break;
      }
      trustedAfter = trustedAfter == null && s.trusted() ? s : trustedAfter;
      socketAfter = socketAfter == null && s.process().cgroupId() != 0 ? s : socketAfter;
      if (s.closed()) {
        break; // later sightings are of another socket
      }
    }
    SocketSighting named = trusted != null ? trusted : trustedAfter;
    if (named != null) {
      return named.process();
    }
    SocketSighting seen = socket != null ? socket : socketAfter;
    return seen == null ? L7Process.NONE : seen.process().withoutTask();
  }

  public boolean isEmpty() {
    return sightings.isEmpty();
  }

  /** The newest sighting's time; Long.MIN_VALUE when none. */
  public long newestNs() {
    return sightings.isEmpty() ? Long.MIN_VALUE : sightings.get(sightings.size() - 1).eventNs();
  }

  /** Drops the sightings older than {@code ns}. */
  public void dropBefore(long ns) {
    sightings.removeIf(s -> s.eventNs() < ns);
  }

  public void write(DataOutput out) throws IOException {
    out.writeShort(sightings.size());
    for (SocketSighting s : sightings) {
      s.write(out);
    }
  }

  public static ProcessAttribution read(DataInput in) throws IOException {
    ProcessAttribution a = new ProcessAttribution();
    for (int n = in.readUnsignedShort(), i = 0; i < n; i++) {
      a.sightings.add(SocketSighting.read(in));
    }
    return a;
  }
}
