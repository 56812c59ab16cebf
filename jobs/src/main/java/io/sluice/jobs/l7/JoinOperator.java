package io.sluice.jobs.l7;

import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;

/**
 * The L7Job's join operator: {@link JoinConversations} as Flink's keyed co-process operator runs it, and once its
 * state is restored and before any record, keyed state written in the layout before {@link ConversationState} moved
 * to it ({@link JoinConversations#migrateOldLayout}), then the keys holding join state are counted
 * ({@link JoinConversations#countOpenKeys}: the cap on open conversations).
 */
final class JoinOperator extends KeyedCoProcessOperator<String, KeyedPacket, KeyedSocket, byte[]> {
  private final JoinConversations join;

  JoinOperator(JoinConversations join) {
    super(join);
    this.join = join;
  }

  @Override
  @SuppressWarnings("unchecked")
  public void open() throws Exception {
    super.open();
    join.migrateOldLayout(getKeyedStateBackend());
    join.countOpenKeys(getKeyedStateBackend());
  }
}
