package dev.x0tta6bl4.node.delivery;

import java.time.Duration;

/**
 * Limits and timers of the delivery cores. Every limit is a bound on memory or time; the defaults
 * suit a LAN mesh of up to a few hundred nodes. Build with {@link #builder()}; the builder checks
 * each value and names a bad one.
 *
 * <p>Immutable; any thread.
 *
 * @param maxPayloadBytes largest payload accepted, sent or decoded (default 64 KiB, at most
 *     {@link #PAYLOAD_LIMIT})
 * @param defaultTtl hop limit given to new messages, acks and broadcasts (default 64: a
 *     200-node site mesh can be more than 32 hops across; routes are loop-free once converged
 *     and broadcasts end at the seen-set, so the limit only bounds transient loops)
 * @param maxInFlight unacknowledged unicast messages per node (default 16,384)
 * @param maxDestinations destinations with send state per node (default 4,096)
 * @param initialRto retransmission timeout before the first RTT sample (default 200 ms)
 * @param minRto lower bound of the adaptive timeout (default 20 ms)
 * @param maxRto upper bound of the adaptive timeout and its backoff (default 2 s)
 * @param maxAttempts copies of one message sent at most (default 8)
 * @param maxDeliveryTime time from send to {@code DeliveryFailed} at the latest (default 10 s)
 * @param timerTick resolution of the retransmission timer wheel (default 1 ms)
 * @param maxAckRanges ranges per ack before it is sent without waiting for the next flush
 *     (default 64, at most {@link DataAck#MAX_RANGES})
 * @param maxSources sources with a dedup window per node (default 1,024; each costs about {@code
 *     RECEIVE_WINDOW / 8} bytes)
 * @param dedupHold how long a source's dedup window is kept after its last message; must cover
 *     every sender's {@code maxDeliveryTime} plus time in the network (default 30 s)
 * @param broadcastWindow broadcasts per origin remembered in the seen-set, a power of two
 *     (default 1,024)
 * @param maxOrigins origins with a seen-set window per node (default 1,024)
 * @param seenHold how long an origin's seen-set window is kept after its last broadcast (default
 *     60 s)
 */
public record DeliverySettings(
    int maxPayloadBytes,
    int defaultTtl,
    int maxInFlight,
    int maxDestinations,
    Duration initialRto,
    Duration minRto,
    Duration maxRto,
    int maxAttempts,
    Duration maxDeliveryTime,
    Duration timerTick,
    int maxAckRanges,
    int maxSources,
    Duration dedupHold,
    int broadcastWindow,
    int maxOrigins,
    Duration seenHold) {

  /**
   * Sequence numbers per source stream that a destination's dedup window covers. A protocol
   * constant, the same on every node: a source never has a message in flight that is this many
   * numbers behind the newest it sent to the same destination, so the window always covers it.
   */
  public static final int RECEIVE_WINDOW = 16_384;

  /** Hard cap of {@link #maxPayloadBytes()}: 16 MiB. */
  public static final int PAYLOAD_LIMIT = 16 << 20;

  /** Checks every value; see {@link Builder} for the allowed ranges. */
  public DeliverySettings {
    range("max-payload-bytes", maxPayloadBytes, 0, PAYLOAD_LIMIT);
    range("default-ttl", defaultTtl, 1, Fields.MAX_TTL);
    range("max-in-flight", maxInFlight, 1, 1 << 22);
    range("max-destinations", maxDestinations, 1, 1 << 20);
    positive("timer-tick", timerTick);
    positive("min-rto", minRto);
    atLeast("initial-rto", initialRto, "min-rto", minRto);
    atLeast("max-rto", maxRto, "initial-rto", initialRto);
    atLeast("min-rto", minRto, "timer-tick", timerTick);
    range("max-attempts", maxAttempts, 1, 64);
    atLeast("max-delivery-time", maxDeliveryTime, "min-rto", minRto);
    range("max-ack-ranges", maxAckRanges, 1, DataAck.MAX_RANGES);
    range("max-sources", maxSources, 1, 1 << 20);
    atLeast("dedup-hold", dedupHold, "max-delivery-time", maxDeliveryTime);
    range("broadcast-window", broadcastWindow, 64, 1 << 20);
    if (Integer.bitCount(broadcastWindow) != 1) {
      throw new DeliveryException(
          "broadcast-window " + broadcastWindow + " is invalid; allowed: a power of two");
    }
    range("max-origins", maxOrigins, 1, 1 << 20);
    positive("seen-hold", seenHold);
  }

  /** The defaults listed in the class comment. */
  public static DeliverySettings defaults() {
    return builder().build();
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from these settings. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.maxPayloadBytes = maxPayloadBytes;
    b.defaultTtl = defaultTtl;
    b.maxInFlight = maxInFlight;
    b.maxDestinations = maxDestinations;
    b.initialRto = initialRto;
    b.minRto = minRto;
    b.maxRto = maxRto;
    b.maxAttempts = maxAttempts;
    b.maxDeliveryTime = maxDeliveryTime;
    b.timerTick = timerTick;
    b.maxAckRanges = maxAckRanges;
    b.maxSources = maxSources;
    b.dedupHold = dedupHold;
    b.broadcastWindow = broadcastWindow;
    b.maxOrigins = maxOrigins;
    b.seenHold = seenHold;
    return b;
  }

  private static void range(String name, int value, int min, int max) {
    if (value < min || value > max) {
      throw new DeliveryException(name + " " + value + " is out of range; allowed: " + min + ".."
          + max);
    }
  }

  private static void positive(String name, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new DeliveryException(name + " " + d + " is invalid; allowed: a positive duration");
    }
  }

  private static void atLeast(String name, Duration d, String otherName, Duration other) {
    positive(name, d);
    if (d.compareTo(other) < 0) {
      throw new DeliveryException(name + " " + d + " is invalid; allowed: at least " + otherName
          + " (" + other + ")");
    }
  }

  /** Mutable builder of {@link DeliverySettings}; one thread. */
  public static final class Builder {
    private int maxPayloadBytes = 64 << 10;
    private int defaultTtl = 64;
    private int maxInFlight = 16_384;
    private int maxDestinations = 4_096;
    private Duration initialRto = Duration.ofMillis(200);
    private Duration minRto = Duration.ofMillis(20);
    private Duration maxRto = Duration.ofSeconds(2);
    private int maxAttempts = 8;
    private Duration maxDeliveryTime = Duration.ofSeconds(10);
    private Duration timerTick = Duration.ofMillis(1);
    private int maxAckRanges = 64;
    private int maxSources = 1_024;
    private Duration dedupHold = Duration.ofSeconds(30);
    private int broadcastWindow = 1_024;
    private int maxOrigins = 1_024;
    private Duration seenHold = Duration.ofSeconds(60);

    private Builder() {}

    /** 0..16 MiB. */
    public Builder maxPayloadBytes(int v) {
      maxPayloadBytes = v;
      return this;
    }

    /** 1..255. */
    public Builder defaultTtl(int v) {
      defaultTtl = v;
      return this;
    }

    /** 1..4,194,304. */
    public Builder maxInFlight(int v) {
      maxInFlight = v;
      return this;
    }

    /** 1..1,048,576. */
    public Builder maxDestinations(int v) {
      maxDestinations = v;
      return this;
    }

    /** At least min-rto, at most max-rto. */
    public Builder initialRto(Duration v) {
      initialRto = v;
      return this;
    }

    /** Positive, at least timer-tick. */
    public Builder minRto(Duration v) {
      minRto = v;
      return this;
    }

    /** At least initial-rto. */
    public Builder maxRto(Duration v) {
      maxRto = v;
      return this;
    }

    /** 1..64. */
    public Builder maxAttempts(int v) {
      maxAttempts = v;
      return this;
    }

    /** At least min-rto, at most dedup-hold. */
    public Builder maxDeliveryTime(Duration v) {
      maxDeliveryTime = v;
      return this;
    }

    /** Positive. */
    public Builder timerTick(Duration v) {
      timerTick = v;
      return this;
    }

    /** 1..256. */
    public Builder maxAckRanges(int v) {
      maxAckRanges = v;
      return this;
    }

    /** 1..1,048,576. */
    public Builder maxSources(int v) {
      maxSources = v;
      return this;
    }

    /** At least max-delivery-time. */
    public Builder dedupHold(Duration v) {
      dedupHold = v;
      return this;
    }

    /** A power of two, 64..1,048,576. */
    public Builder broadcastWindow(int v) {
      broadcastWindow = v;
      return this;
    }

    /** 1..1,048,576. */
    public Builder maxOrigins(int v) {
      maxOrigins = v;
      return this;
    }

    /** Positive. */
    public Builder seenHold(Duration v) {
      seenHold = v;
      return this;
    }

    /** The settings; throws {@link DeliveryException} naming the first bad value. */
    public DeliverySettings build() {
      return new DeliverySettings(maxPayloadBytes, defaultTtl, maxInFlight, maxDestinations,
          initialRto, minRto, maxRto, maxAttempts, maxDeliveryTime, timerTick, maxAckRanges,
          maxSources, dedupHold, broadcastWindow, maxOrigins, seenHold);
    }
  }
}
