package dev.x0tta6bl4.node.delivery;

/**
 * The source's unacknowledged messages in a fixed pool of slots: parallel arrays indexed by slot,
 * a free list, a per-stream list in sequence order, and an open-addressing index from (stream,
 * sequence) to slot with linear probing and backward-shift deletion. Every operation is O(1) and
 * allocation-free.
 */
final class InFlightTable {
  static final int NONE = -1;

  final DataMessage[] message;
  final OutboundStream[] stream;
  final long[] seq;
  final long[] firstSent;
  final int[] attempts;
  final boolean[] lastNoRoute;
  /** The neighbour the latest copy went to (null before the first, or while without route). */
  final String[] lastHop;
  private final int[] next;
  private final int[] prev;
  private final int[] index;
  private final int indexMask;
  private int freeHead;
  private int size;

  InFlightTable(int capacity) {
    message = new DataMessage[capacity];
    stream = new OutboundStream[capacity];
    seq = new long[capacity];
    firstSent = new long[capacity];
    attempts = new int[capacity];
    lastNoRoute = new boolean[capacity];
    lastHop = new String[capacity];
    next = new int[capacity];
    prev = new int[capacity];
    for (int i = 0; i < capacity; i++) {
      next[i] = i + 1 < capacity ? i + 1 : NONE;
    }
    freeHead = 0;
    int tableSize = Integer.highestOneBit(Math.max(4, capacity * 2 - 1)) << 1;
    index = new int[tableSize];
    indexMask = tableSize - 1;
  }

  int size() {
    return size;
  }

  boolean isFull() {
    return freeHead == NONE;
  }

  /** Lowest sequence number of {@code s} still in flight, or its next number when none is. */
  long lowestUnresolved(OutboundStream s) {
    return s.head == NONE ? s.nextSeq : seq[s.head];
  }

  /** Takes a free slot for {@code m} (the newest of its stream); the table must not be full. */
  int add(OutboundStream s, DataMessage m, long now) {
    int slot = freeHead;
    freeHead = next[slot];
    message[slot] = m;
    stream[slot] = s;
    long q = m.id().sequence();
    seq[slot] = q;
    firstSent[slot] = now;
    attempts[slot] = 0;
    lastNoRoute[slot] = false;
    lastHop[slot] = null;
    next[slot] = NONE;
    prev[slot] = s.tail;
    if (s.tail == NONE) {
      s.head = slot;
    } else {
      next[s.tail] = slot;
    }
    s.tail = slot;
    s.inFlight++;
    int i = home(s, q);
    while (index[i] != 0) {
      i = (i + 1) & indexMask;
    }
    index[i] = slot + 1;
    size++;
    return slot;
  }

  /** The slot of ({@code s}, {@code q}), or {@link #NONE}. */
  int find(OutboundStream s, long q) {
    int i = home(s, q);
    while (true) {
      int v = index[i];
      if (v == 0) {
        return NONE;
      }
      int slot = v - 1;
      if (seq[slot] == q && stream[slot] == s) {
        return slot;
      }
      i = (i + 1) & indexMask;
    }
  }

  /** Frees {@code slot}. */
  void remove(int slot) {
    OutboundStream s = stream[slot];
    int i = home(s, seq[slot]);
    while (index[i] != slot + 1) {
      i = (i + 1) & indexMask;
    }
    int j = i;
    while (true) {
      j = (j + 1) & indexMask;
      int v = index[j];
      if (v == 0) {
        break;
      }
      int k = home(stream[v - 1], seq[v - 1]);
      boolean between = i <= j ? (i < k && k <= j) : (i < k || k <= j);
      if (!between) {
        index[i] = v;
        i = j;
      }
    }
    index[i] = 0;
    int p = prev[slot];
    int n = next[slot];
    if (p == NONE) {
      s.head = n;
    } else {
      next[p] = n;
    }
    if (n == NONE) {
      s.tail = p;
    } else {
      prev[n] = p;
    }
    s.inFlight--;
    message[slot] = null;
    stream[slot] = null;
    lastHop[slot] = null;
    next[slot] = freeHead;
    freeHead = slot;
    size--;
  }

  /** Next in-flight slot of the same stream after {@code slot}, or {@link #NONE}. */
  int after(int slot) {
    return next[slot];
  }

  private int home(OutboundStream s, long q) {
    long h = (q ^ ((long) s.hash << 32)) * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 29)) & indexMask;
  }
}
