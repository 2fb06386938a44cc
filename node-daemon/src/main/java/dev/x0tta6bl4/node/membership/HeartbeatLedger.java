package dev.x0tta6bl4.node.membership;

/**
 * The last {@value #RING} heartbeats sent on one link: sequence numbers, send times and whether
 * their reply arrived. Validates replies (the echoed send time must match what was sent, so a
 * forged or corrupted reply gives no RTT sample) and counts replies that never came.
 *
 * <p>Owned by the detector's thread.
 */
final class HeartbeatLedger {
  static final int RING = 64;

  private final long[] sentNanos = new long[RING];
  private final boolean[] acked = new boolean[RING];
  private long nextSeq;
  private long checkedSeq;
  private long sent;
  private long ackCount;
  private long missed;

  /** Records a heartbeat sent at {@code nowNanos} and returns its sequence number. */
  long send(long nowNanos) {
    if (nextSeq - checkedSeq >= RING) {
      check(checkedSeq);
    }
    int slot = slot(nextSeq);
    sentNanos[slot] = nowNanos;
    acked[slot] = false;
    sent++;
    return nextSeq++;
  }

  /**
   * Records a reply; true if it matches a heartbeat still in the ring that had no reply yet, so
   * {@code nowNanos - sentNanos} is a valid RTT sample.
   */
  boolean ack(long seq, long echoedSentNanos) {
    if (seq < 0 || seq >= nextSeq || seq < nextSeq - RING) {
      return false;
    }
    int slot = slot(seq);
    if (acked[slot] || sentNanos[slot] != echoedSentNanos) {
      return false;
    }
    acked[slot] = true;
    ackCount++;
    return true;
  }

  /** Counts as missed every heartbeat sent at least {@code timeoutNanos} ago without a reply. */
  void expire(long nowNanos, long timeoutNanos) {
    while (checkedSeq < nextSeq && nowNanos - sentNanos[slot(checkedSeq)] >= timeoutNanos) {
      check(checkedSeq);
    }
  }

  long sent() {
    return sent;
  }

  long acked() {
    return ackCount;
  }

  long missed() {
    return missed;
  }

  private void check(long seq) {
    if (!acked[slot(seq)]) {
      missed++;
    }
    checkedSeq = seq + 1;
  }

  private static int slot(long seq) {
    return (int) (seq % RING);
  }
}
