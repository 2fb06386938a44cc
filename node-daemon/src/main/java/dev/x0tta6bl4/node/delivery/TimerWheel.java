package dev.x0tta6bl4.node.delivery;

import java.util.Arrays;

/**
 * A hashed timer wheel over integer ids {@code 0..capacity-1} (the in-flight slots): O(1)
 * schedule and cancel, and {@link #expire} visits only the buckets of the ticks that passed. A
 * deadline further away than one turn of the wheel stays in its bucket and is skipped until due.
 * Allocation-free; the lists are intrusive arrays.
 */
final class TimerWheel {
  private static final int UNSCHEDULED = -2;
  private static final int NONE = -1;

  private final long tickNanos;
  private final int mask;
  private final int[] heads;
  private final int[] next;
  private final int[] prev;
  private final int[] bucketOf;
  private final long[] deadline;
  private long cursor;
  private boolean started;
  private int size;

  TimerWheel(int capacity, long tickNanos, int buckets) {
    if (Integer.bitCount(buckets) != 1) {
      throw new DeliveryException("buckets " + buckets + " is invalid; allowed: a power of two");
    }
    this.tickNanos = tickNanos;
    this.mask = buckets - 1;
    this.heads = new int[buckets];
    Arrays.fill(heads, NONE);
    this.next = new int[capacity];
    this.prev = new int[capacity];
    this.bucketOf = new int[capacity];
    Arrays.fill(prev, UNSCHEDULED);
    this.deadline = new long[capacity];
  }

  /** Schedules (or moves) {@code id} to fire at {@code when}. */
  void schedule(int id, long when, long now) {
    start(now);
    cancel(id);
    // The first tick at or after the deadline, so the visit of that bucket finds it due.
    long tick = -Math.floorDiv(-when, tickNanos);
    if (tick <= cursor) {
      tick = cursor + 1;
    }
    int b = (int) (tick & mask);
    deadline[id] = when;
    bucketOf[id] = b;
    int h = heads[b];
    next[id] = h;
    prev[id] = NONE;
    if (h != NONE) {
      prev[h] = id;
    }
    heads[b] = id;
    size++;
  }

  /** Removes {@code id} if it is scheduled. */
  void cancel(int id) {
    if (prev[id] == UNSCHEDULED) {
      return;
    }
    int p = prev[id];
    int n = next[id];
    if (p == NONE) {
      heads[bucketOf[id]] = n;
    } else {
      next[p] = n;
    }
    if (n != NONE) {
      prev[n] = p;
    }
    prev[id] = UNSCHEDULED;
    size--;
  }

  long deadline(int id) {
    return deadline[id];
  }

  /**
   * Unschedules every id whose deadline is at or before {@code now}, writes them to {@code out}
   * (which must hold {@code capacity} ids) and returns how many.
   */
  int expire(long now, int[] out) {
    start(now);
    long nowTick = Math.floorDiv(now, tickNanos);
    if (nowTick <= cursor) {
      return 0;
    }
    long steps = Math.min(nowTick - cursor, (long) mask + 1);
    int n = 0;
    for (long t = 1; t <= steps; t++) {
      int b = (int) ((cursor + t) & mask);
      int id = heads[b];
      while (id != NONE) {
        int following = next[id];
        if (deadline[id] <= now) {
          cancel(id);
          out[n++] = id;
        }
        id = following;
      }
    }
    cursor = nowTick;
    return n;
  }

  int size() {
    return size;
  }

  private void start(long now) {
    if (!started) {
      started = true;
      cursor = Math.floorDiv(now, tickNanos) - 1;
    }
  }
}
