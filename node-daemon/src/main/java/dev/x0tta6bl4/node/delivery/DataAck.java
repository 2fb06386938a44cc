package dev.x0tta6bl4.node.delivery;

import java.util.Arrays;

/**
 * An end-to-end acknowledgement from a destination ({@code acker}) to a source ({@code target}):
 * the sequence numbers of the source's stream (boot {@code boot}) that the destination has
 * received since its previous ack, as up to {@link #MAX_RANGES} inclusive ranges. Duplicates are
 * acknowledged again, so a lost ack costs one retransmission, not a failure. Routed hop by hop
 * like data, with its own TTL.
 *
 * <p>Immutable (the ranges are copied in and never handed out uncopied); any thread.
 *
 * @param acker the destination that received the data
 * @param target the source of the data, where this ack goes
 * @param boot the source's boot id the sequence numbers belong to
 * @param ttl hops this copy may still travel, 1..255
 * @param ranges pairs {@code first, last} (inclusive, {@code 1 <= first <= last}, at most
 *     {@link #MAX_RANGE_LENGTH} numbers per range), 1..{@link #MAX_RANGES} pairs
 */
public record DataAck(String acker, String target, long boot, int ttl, long[] ranges) {
  /** Most ranges one ack may carry. */
  public static final int MAX_RANGES = 256;

  /** Most sequence numbers one range may cover. */
  public static final long MAX_RANGE_LENGTH = DeliverySettings.RECEIVE_WINDOW;

  /** Checks every field and copies {@code ranges}. */
  public DataAck {
    Fields.nodeId("acker", acker);
    Fields.nodeId("target", target);
    Fields.positive("boot", boot);
    Fields.ttl(ttl);
    if (ranges == null || ranges.length < 2 || ranges.length % 2 != 0
        || ranges.length > 2 * MAX_RANGES) {
      throw new DeliveryException("ranges have " + (ranges == null ? "no" : ranges.length)
          + " values; expected 1.." + MAX_RANGES + " pairs (first, last)");
    }
    ranges = ranges.clone();
    for (int i = 0; i < ranges.length; i += 2) {
      long first = ranges[i];
      long last = ranges[i + 1];
      if (first < 1 || last < first || last - first >= MAX_RANGE_LENGTH) {
        throw new DeliveryException("range " + first + ".." + last + " is invalid; expected 1 <= "
            + "first <= last and at most " + MAX_RANGE_LENGTH + " numbers");
      }
    }
  }

  /** An ack of one sequence number. */
  public static DataAck of(String acker, String target, long boot, int ttl, long sequence) {
    return new DataAck(acker, target, boot, ttl, new long[] {sequence, sequence});
  }

  /** A copy of the ranges as pairs {@code first, last}. */
  @Override
  public long[] ranges() {
    return ranges.clone();
  }

  /** Number of ranges. */
  public int rangeCount() {
    return ranges.length / 2;
  }

  /** First sequence number of range {@code i}. */
  public long rangeFirst(int i) {
    return ranges[2 * i];
  }

  /** Last sequence number (inclusive) of range {@code i}. */
  public long rangeLast(int i) {
    return ranges[2 * i + 1];
  }

  /** Number of sequence numbers covered by all ranges (overlaps counted twice). */
  public long sequenceCount() {
    long n = 0;
    for (int i = 0; i < ranges.length; i += 2) {
      n += ranges[i + 1] - ranges[i] + 1;
    }
    return n;
  }

  /** The same ack with another TTL. */
  public DataAck withTtl(int newTtl) {
    return new DataAck(acker, target, boot, newTtl, ranges);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DataAck a
        && acker.equals(a.acker)
        && target.equals(a.target)
        && boot == a.boot
        && ttl == a.ttl
        && Arrays.equals(ranges, a.ranges);
  }

  @Override
  public int hashCode() {
    return ((acker.hashCode() * 31 + target.hashCode()) * 31 + Long.hashCode(boot)) * 31
        + Arrays.hashCode(ranges);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("DataAck[").append(acker).append('>').append(target)
        .append('/').append(boot).append(" ttl=").append(ttl).append(" seq=");
    for (int i = 0; i < ranges.length; i += 2) {
      sb.append(i == 0 ? "" : ",").append(ranges[i]);
      if (ranges[i + 1] != ranges[i]) {
        sb.append("..").append(ranges[i + 1]);
      }
    }
    return sb.append(']').toString();
  }
}
