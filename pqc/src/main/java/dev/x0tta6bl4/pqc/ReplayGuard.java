package dev.x0tta6bl4.pqc;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Stops replays of {@link SignedEnvelope}s: per origin it keeps the highest sequence number
 * seen and a sliding window bitmap of the {@code windowSize} sequences below it.
 *
 * <p>For one origin, a sequence is {@link Result#ACCEPTED} exactly once if it is above the
 * highest seen, or within the window below it and not seen yet (so reordering by relays up
 * to the window is tolerated); it is {@link Result#DUPLICATE} if seen already and {@link
 * Result#TOO_OLD} if it falls below the window. Sequences are compared as unsigned 64-bit
 * numbers. The first sequence seen from an origin is accepted.
 *
 * <p>Call {@link #accept} only after the envelope's signature verified; otherwise a forger
 * could advance an origin's window and make its genuine envelopes look old.
 *
 * <p>At most {@code maxOrigins} origins are tracked; the least recently used is evicted beyond
 * that. Consequence: an evicted origin's history is forgotten, so one old envelope of that
 * origin replayed later is accepted once (as its "first" sequence) and re-establishes the
 * window. Size {@code maxOrigins} above the number of nodes in the trust domain and bound the
 * age of accepted envelopes by their timestamp to close that gap; {@link #evictions()} counts
 * how often it happened.
 *
 * <p>Thread-safe: all methods synchronise on the guard (it is small and the check is O(window
 * / 64)); memory is bounded by {@code maxOrigins * windowSize / 8} bytes plus map overhead.
 */
public final class ReplayGuard {

  /** Outcome of {@link #accept}. */
  public enum Result {
    /** First time this sequence is seen from this origin: process the envelope. */
    ACCEPTED,
    /** Seen before: drop. */
    DUPLICATE,
    /** Below the window: cannot tell, so drop. */
    TOO_OLD
  }

  /** Default window: 1024 sequences. */
  public static final int DEFAULT_WINDOW_SIZE = 1024;
  /** Default bound on tracked origins. */
  public static final int DEFAULT_MAX_ORIGINS = 4096;
  /** Largest window accepted. */
  public static final int MAX_WINDOW_SIZE = 1 << 16;

  private final int windowSize;
  private final int maxOrigins;
  private final LinkedHashMap<SpiffeId, Window> origins;
  private long evictions;

  /**
   * @param windowSize sequences tracked below the highest, a multiple of 64 from 64 to {@value
   *     #MAX_WINDOW_SIZE}
   * @param maxOrigins origins tracked before the least recently used is evicted, at least 1
   */
  public ReplayGuard(int windowSize, int maxOrigins) {
    if (windowSize < 64 || windowSize > MAX_WINDOW_SIZE || windowSize % 64 != 0) {
      throw new PqcException(
          "replay window size " + windowSize + " must be a multiple of 64 between 64 and "
              + MAX_WINDOW_SIZE);
    }
    if (maxOrigins < 1) {
      throw new PqcException("maxOrigins " + maxOrigins + " must be at least 1");
    }
    this.windowSize = windowSize;
    this.maxOrigins = maxOrigins;
    this.origins =
        new LinkedHashMap<>(16, 0.75f, true) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<SpiffeId, Window> eldest) {
            if (size() > ReplayGuard.this.maxOrigins) {
              evictions++;
              return true;
            }
            return false;
          }
        };
  }

  /** A guard with {@link #DEFAULT_WINDOW_SIZE} and {@link #DEFAULT_MAX_ORIGINS}. */
  public ReplayGuard() {
    this(DEFAULT_WINDOW_SIZE, DEFAULT_MAX_ORIGINS);
  }

  /** Checks {@code sequence} from {@code origin} and records it if accepted. */
  public synchronized Result accept(SpiffeId origin, long sequence) {
    Objects.requireNonNull(origin, "origin");
    Window window = origins.get(origin);
    if (window == null) {
      origins.put(origin, new Window(windowSize, sequence));
      return Result.ACCEPTED;
    }
    return window.accept(sequence);
  }

  /** Convenience for {@code accept(envelope.origin(), envelope.sequence())}. */
  public Result accept(SignedEnvelope envelope) {
    return accept(envelope.origin(), envelope.sequence());
  }

  /** Origins currently tracked (at most {@code maxOrigins}). */
  public synchronized int trackedOrigins() {
    return origins.size();
  }

  /** Origins evicted so far to respect {@code maxOrigins}. */
  public synchronized long evictions() {
    return evictions;
  }

  /** Per-origin state: bit i of {@code seen} is sequence {@code highest - i}. */
  private static final class Window {
    private final long[] seen;
    private final int size;
    private long highest;

    Window(int size, long first) {
      this.size = size;
      this.seen = new long[size / 64];
      this.highest = first;
      seen[0] = 1L;
    }

    Result accept(long sequence) {
      int order = Long.compareUnsigned(sequence, highest);
      if (order > 0) {
        long advance = sequence - highest;
        shiftTowardsOlder(advance);
        highest = sequence;
        seen[0] |= 1L;
        return Result.ACCEPTED;
      }
      long offset = highest - sequence;
      if (Long.compareUnsigned(offset, size) >= 0) {
        return Result.TOO_OLD;
      }
      int index = (int) offset;
      long mask = 1L << (index & 63);
      if ((seen[index >>> 6] & mask) != 0) {
        return Result.DUPLICATE;
      }
      seen[index >>> 6] |= mask;
      return Result.ACCEPTED;
    }

    private void shiftTowardsOlder(long advance) {
      if (Long.compareUnsigned(advance, size) >= 0) {
        java.util.Arrays.fill(seen, 0L);
        return;
      }
      int wordShift = (int) (advance >>> 6);
      int bitShift = (int) (advance & 63);
      for (int word = seen.length - 1; word >= 0; word--) {
        int source = word - wordShift;
        long value = 0;
        if (source >= 0) {
          value = seen[source] << bitShift;
          if (bitShift != 0 && source - 1 >= 0) {
            value |= seen[source - 1] >>> (64 - bitShift);
          }
        }
        seen[word] = value;
      }
    }
  }
}
