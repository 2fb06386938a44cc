package dev.x0tta6bl4.node.delivery;

import java.util.Arrays;

/**
 * A sliding replay window over one stream's sequence numbers (as in IPsec anti-replay): the
 * highest number seen and one bit for each of the {@code size} numbers up to it. Fixed size, O(1)
 * amortized per number; numbers more than {@code size} behind the highest are reported as {@link
 * #TOO_OLD}. Also records which boot of the sender it belongs to and when it was last used.
 */
class SequenceWindow {
  static final int NEW = 0;
  static final int DUPLICATE = 1;
  static final int TOO_OLD = 2;

  private final long[] bits;
  private final int mask;
  private long highest;
  private boolean empty = true;
  long boot;
  long lastActivity;

  SequenceWindow(int size) {
    if (Integer.bitCount(size) != 1 || size < 64) {
      throw new DeliveryException("window size " + size + " is invalid; allowed: a power of two"
          + " of at least 64");
    }
    this.bits = new long[size >>> 6];
    this.mask = size - 1;
  }

  /** Forgets every number and starts over for {@code newBoot}. */
  void reset(long newBoot) {
    boot = newBoot;
    empty = true;
  }

  /** Records {@code seq} and says whether it is {@link #NEW}, a {@link #DUPLICATE} or too old. */
  int accept(long seq) {
    if (empty) {
      Arrays.fill(bits, 0L);
      empty = false;
      highest = seq;
      set(seq);
      return NEW;
    }
    if (seq > highest) {
      long gap = seq - highest;
      if (gap > mask) {
        Arrays.fill(bits, 0L);
      } else {
        for (long s = highest + 1; s < seq; s++) {
          clear(s);
        }
      }
      highest = seq;
      set(seq);
      return NEW;
    }
    if (highest - seq > mask) {
      return TOO_OLD;
    }
    int i = (int) (seq & mask);
    long bit = 1L << (i & 63);
    if ((bits[i >>> 6] & bit) != 0) {
      return DUPLICATE;
    }
    bits[i >>> 6] |= bit;
    return NEW;
  }

  /** Number of sequence numbers the window covers. */
  int size() {
    return mask + 1;
  }

  private void set(long seq) {
    int i = (int) (seq & mask);
    bits[i >>> 6] |= 1L << (i & 63);
  }

  private void clear(long seq) {
    int i = (int) (seq & mask);
    bits[i >>> 6] &= ~(1L << (i & 63));
  }
}
