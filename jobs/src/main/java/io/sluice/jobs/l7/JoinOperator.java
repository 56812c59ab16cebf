package io.sluice.jobs.l7;

import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.operators.InternalTimeServiceManager;
import org.apache.flink.streaming.api.operators.TimerHeapInternalTimer;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;

/**
 * The L7Job's join operator: {@link JoinConversations} as Flink's keyed co-process operator runs it, with its
 * event-time timers kept here ({@link JoinTimers}) and fired, as Flink's are, when a watermark reaches them and
 * before the watermark goes on. Once its state is restored and before any record, keyed state written in the
 * layout before {@link ConversationState} moves to it ({@link JoinConversations#migrateOldLayout}), the keys holding
 * join state are counted ({@link JoinConversations#countOpenKeys}: the cap on open conversations) and their timers
 * registered again from the state ({@link JoinConversations#registerTimers}). Timers a checkpoint of an earlier
 * build holds in Flink's service still fire through it (and find their work done or still to come).
 */
final class JoinOperator extends KeyedCoProcessOperator<String, KeyedPacket, KeyedSocket, byte[]> {
  private final JoinConversations join;
  private transient JoinTimers timers;

  JoinOperator(JoinConversations join) {
    super(join);
    this.join = join;
  }

  @Override
  @SuppressWarnings("unchecked")
  public void open() throws Exception {
    super.open();
    timers = new JoinTimers();
    join.useTimers(timers);
    join.migrateOldLayout(getKeyedStateBackend());
    join.countOpenKeys(getKeyedStateBackend());
    join.registerTimers(getKeyedStateBackend());
  }

  /** As Flink's: its timer services advance (firing their timers), then the join's timers fire, then it goes on. */
  @Override
  public void processWatermark(Watermark mark) throws Exception {
    InternalTimeServiceManager<?> flink = getTimeServiceManager().orElse(null);
    if (flink != null) {
      flink.advanceWatermark(mark);
    }
    timers.advance(mark.getTimestamp(), this::fire);
    output.emitWatermark(mark);
  }

  /**
   * Timers that yield to the mailbox between firings would go through Flink's watermark processor, which does not
   * know the join's timers: {@link #processWatermark} fires them all at once, as without that option.
   */
  @Override
  public boolean useInterruptibleTimers() {
    return false;
  }

  private void fire(String key, long ms) throws Exception {
    setCurrentKey(key);
    onEventTime(new TimerHeapInternalTimer<>(ms, key, VoidNamespace.INSTANCE));
  }

  /** The join's timers not fired yet (tests). */
  int pendingTimers() {
    return timers.pending();
  }
}
