package io.sluice.l7;

import io.sluice.l7.reassembly.StreamConsumer;
/** An application protocol on a TCP connection, fed with each direction's reassembled bytes. */
interface TcpApp {
  StreamConsumer consumer(boolean fromClient);

  void advanceWatermark(long watermarkNs);

  /** The connection closed or was evicted: finish what can be finished, time out the rest. */
  void onClose(long ns);
}
