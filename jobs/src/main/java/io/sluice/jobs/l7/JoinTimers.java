package io.sluice.jobs.l7;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;

/**
 * The join's event-time timers, kept by {@link JoinOperator} instead of Flink's timer service: the keys due at each
 * millisecond in one list, and the milliseconds that have any in a min-heap. Flink's service keeps every (key, time)
 * in a heap per key group, a heap of those heaps and a set that deduplicates them; with the tens of thousands of
 * conversations a busy join holds open, its poll and sift were about a quarter of the join thread's CPU
 * (BENCHMARKS.md, issue 22 eighth round). Here a timer costs a list append, and only a new millisecond a heap step.
 *
 * <p>Not checkpointed: every timer the join needs is one of the three times its {@link ConversationState} holds, so
 * {@link JoinConversations#registerTimers} registers them again once the state is restored. A timer is never
 * deleted and one key may be registered twice at one time: a timer no longer wanted fires and finds nothing to do,
 * as a superseded Flink timer always did.
 */
final class JoinTimers {
  /** What a timer does when event time reaches it: {@code key} is the operator's current key meanwhile. */
  interface Fire {
    void at(String key, long ms) throws Exception;
  }

  private final HashMap<Long, ArrayList<String>> keysAt = new HashMap<>();
  private long[] heap = new long[64];
  private int times;
  private int pending;
  /** The list registered to last, and its millisecond (a conversation's packets register at nearby times). */
  private ArrayList<String> last;
  private long lastMs;

  void register(String key, long ms) {
    ArrayList<String> keys = last != null && lastMs == ms ? last : keysAt.get(ms);
    if (keys == null) {
      keys = new ArrayList<>(4);
      keysAt.put(ms, keys);
      push(ms);
    }
    keys.add(key);
    last = keys;
    lastMs = ms;
    pending++;
  }

  /**
   * Fires every timer at or before {@code watermark}, earliest millisecond first, including those registered while
   * firing (a late packet's), as Flink's service does.
   */
  void advance(long watermark, Fire fire) throws Exception {
    while (times > 0 && heap[0] <= watermark) {
      long ms = pop();
      ArrayList<String> keys = keysAt.remove(ms);
      if (keys == last) {
        last = null;
      }
      pending -= keys.size();
      for (int i = 0; i < keys.size(); i++) {
        fire.at(keys.get(i), ms);
      }
    }
  }

  /** Timers not fired yet (tests). */
  int pending() {
    return pending;
  }

  private void push(long ms) {
    if (times == heap.length) {
      heap = Arrays.copyOf(heap, times * 2);
    }
    int i = times++;
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (heap[parent] <= ms) {
        break;
      }
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = ms;
  }

  private long pop() {
    long top = heap[0];
    long moved = heap[--times];
    int i = 0;
    while (true) {
      int child = 2 * i + 1;
      if (child >= times) {
        break;
      }
      if (child + 1 < times && heap[child + 1] < heap[child]) {
        child++;
      }
      if (heap[child] >= moved) {
        break;
      }
      heap[i] = heap[child];
      i = child;
    }
    heap[i] = moved;
    return top;
  }
}
