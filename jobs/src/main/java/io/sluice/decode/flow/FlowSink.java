package io.sluice.decode.flow;

/**
 * Receives what a decoder produces. The objects passed are reused by the decoder after the call
 * returns: copy what you keep.
 */
public interface FlowSink {
  void flow(FlowRecord record);

  /** sFlow counter samples with a generic interface or an Ethernet counters record. */
  default void interfaceCounters(InterfaceCounters counters) {}
}
