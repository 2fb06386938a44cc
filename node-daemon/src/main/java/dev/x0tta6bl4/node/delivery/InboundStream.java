package dev.x0tta6bl4.node.delivery;

/**
 * What a destination keeps per source: the dedup window of the source's current boot and the
 * sequence numbers received since the last ack was sent, as ranges (coalesced while consecutive).
 */
final class InboundStream extends SequenceWindow {
  final String source;
  private final long[] ranges;
  private int rangeCount;
  boolean dirty;

  InboundStream(String source, int maxRanges) {
    super(DeliverySettings.RECEIVE_WINDOW);
    this.source = source;
    this.ranges = new long[2 * maxRanges];
  }

  @Override
  void reset(long newBoot) {
    super.reset(newBoot);
    rangeCount = 0;
  }

  /** Adds {@code seq} to the pending ack; returns true when the ack is full and must go now. */
  boolean addAck(long seq) {
    if (rangeCount > 0) {
      int last = 2 * (rangeCount - 1);
      if (seq == ranges[last + 1] + 1 && ranges[last + 1] - ranges[last] + 1
          < DataAck.MAX_RANGE_LENGTH) {
        ranges[last + 1] = seq;
        return false;
      }
      if (seq >= ranges[last] && seq <= ranges[last + 1]) {
        return false;
      }
    }
    ranges[2 * rangeCount] = seq;
    ranges[2 * rangeCount + 1] = seq;
    rangeCount++;
    return 2 * rangeCount == ranges.length;
  }

  boolean hasPendingAck() {
    return rangeCount > 0;
  }

  /** The pending ack as {@code first, last} pairs; clears it. */
  long[] takeRanges() {
    long[] out = java.util.Arrays.copyOf(ranges, 2 * rangeCount);
    rangeCount = 0;
    return out;
  }
}
