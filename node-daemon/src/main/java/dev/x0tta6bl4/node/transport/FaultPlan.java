package dev.x0tta6bl4.node.transport;

import java.time.Duration;
import java.util.Objects;

/**
 * The faults a {@link FaultInjector} applies to the messages of <em>one</em> direction of a link.
 *
 * <p>Faults are applied in this order to each message: {@code blocked} (drop everything, a
 * partition), loss, corruption (flip one random bit of a copy of a {@link io.netty.buffer.ByteBuf}
 * message's readable bytes), duplication, reordering (hold the message back until the next one
 * has passed it, or until {@code reorderWindow} has elapsed), delay ({@code delay} plus a uniform
 * {@code 0..jitter}; jitter never reorders messages, use {@code reorderProbability} for that) and
 * last the bandwidth cap (a token bucket of {@code burstBytes} refilled at {@code
 * bandwidthBytesPerSecond}; a {@code ByteBuf} consumes its readable bytes, a {@link Frame} its
 * encoded length, anything else nothing; while messages wait the
 * bucket is not capped, so a pacing task that runs late releases at once what it would have
 * released on time, and from the start at most {@code burst + rate * t} bytes pass). Messages
 * waiting for their delay or for tokens wait in a queue of at most {@code queueLimit} messages; a
 * message that does not fit is dropped and counted.
 *
 * <p>An immutable value, safe to share between threads. Build it with {@link #builder()} or change
 * a copy with {@link #newBuilder()}; every argument is checked and a bad one throws {@link
 * FaultPlanException} naming it.
 *
 * @param delay fixed extra latency of every message, {@code 0..1h}
 * @param jitter upper bound of an extra uniform random latency, {@code 0..1h}
 * @param lossProbability probability that a message is dropped, {@code 0.0..1.0}
 * @param duplicateProbability probability that a message is delivered twice, {@code 0.0..1.0}
 * @param reorderProbability probability that a message is held back and overtaken by the next,
 *     {@code 0.0..1.0}
 * @param reorderWindow the longest a held-back message waits for a successor, {@code 1ns..1min}
 * @param corruptProbability probability that one bit of a {@code ByteBuf} message is flipped,
 *     {@code 0.0..1.0}
 * @param bandwidthBytesPerSecond the rate cap in bytes per second, {@code 0} for no cap, at most
 *     {@value #MAX_BANDWIDTH_BYTES_PER_SECOND}
 * @param burstBytes the token bucket size, {@code 0} without a cap, else {@code
 *     1..}{@value #MAX_BURST_BYTES}
 * @param queueLimit how many messages may wait for their delay or for tokens, {@code
 *     1..}{@value #MAX_QUEUE_LIMIT}
 * @param blocked whether every message is dropped (a partition of this direction)
 */
public record FaultPlan(
    Duration delay,
    Duration jitter,
    double lossProbability,
    double duplicateProbability,
    double reorderProbability,
    Duration reorderWindow,
    double corruptProbability,
    long bandwidthBytesPerSecond,
    long burstBytes,
    int queueLimit,
    boolean blocked) {

  /** The direction of a link a plan applies to, seen from the node that owns the channel. */
  public enum Direction {
    /** Messages read from the peer ({@code channelRead}). */
    INBOUND,
    /** Messages written to the peer ({@code write}). */
    OUTBOUND
  }

  /** Largest {@link #delay} and {@link #jitter}. */
  public static final Duration MAX_DELAY = Duration.ofHours(1);

  /** Largest {@link #reorderWindow}. */
  public static final Duration MAX_REORDER_WINDOW = Duration.ofMinutes(1);

  /** Default {@link #reorderWindow}. */
  public static final Duration DEFAULT_REORDER_WINDOW = Duration.ofMillis(10);

  /** Largest {@link #bandwidthBytesPerSecond} (1 TiB/s). */
  public static final long MAX_BANDWIDTH_BYTES_PER_SECOND = 1L << 40;

  /** Largest {@link #burstBytes} (1 GiB). */
  public static final long MAX_BURST_BYTES = 1L << 30;

  /** Largest {@link #queueLimit}. */
  public static final int MAX_QUEUE_LIMIT = 1_000_000;

  /** Default {@link #queueLimit}. */
  public static final int DEFAULT_QUEUE_LIMIT = 10_000;

  /** No faults: every message passes at once. */
  public static final FaultPlan NONE = builder().build();

  /** Every message is dropped. */
  public static final FaultPlan BLOCKED = builder().blocked(true).build();

  public FaultPlan {
    checkDuration("delay", delay, Duration.ZERO, MAX_DELAY);
    checkDuration("jitter", jitter, Duration.ZERO, MAX_DELAY);
    checkProbability("lossProbability", lossProbability);
    checkProbability("duplicateProbability", duplicateProbability);
    checkProbability("reorderProbability", reorderProbability);
    checkDuration("reorderWindow", reorderWindow, Duration.ofNanos(1), MAX_REORDER_WINDOW);
    checkProbability("corruptProbability", corruptProbability);
    checkBandwidth(bandwidthBytesPerSecond, burstBytes);
    if (queueLimit < 1 || queueLimit > MAX_QUEUE_LIMIT) {
      throw new FaultPlanException(
          "queueLimit is " + queueLimit + "; expected 1.." + MAX_QUEUE_LIMIT);
    }
  }

  /** A builder starting from {@link #NONE}. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from this plan's values. */
  public Builder newBuilder() {
    return new Builder(this);
  }

  /** Whether a bandwidth cap is set. */
  public boolean capsBandwidth() {
    return bandwidthBytesPerSecond > 0;
  }

  private static void checkProbability(String name, double value) {
    if (!(value >= 0.0 && value <= 1.0)) {
      throw new FaultPlanException(name + " is " + value + "; expected a probability in 0.0..1.0");
    }
  }

  private static void checkDuration(String name, Duration value, Duration min, Duration max) {
    Objects.requireNonNull(value, name);
    if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      throw new FaultPlanException(name + " is " + value + "; expected " + min + ".." + max);
    }
  }

  private static void checkBandwidth(long bytesPerSecond, long burstBytes) {
    if (bytesPerSecond < 0 || bytesPerSecond > MAX_BANDWIDTH_BYTES_PER_SECOND) {
      throw new FaultPlanException(
          "bandwidthBytesPerSecond is " + bytesPerSecond + "; expected 0 (no cap).."
              + MAX_BANDWIDTH_BYTES_PER_SECOND);
    }
    if (bytesPerSecond == 0 && burstBytes != 0) {
      throw new FaultPlanException(
          "burstBytes is " + burstBytes + "; expected 0 when bandwidthBytesPerSecond is 0");
    }
    if (bytesPerSecond > 0 && (burstBytes < 1 || burstBytes > MAX_BURST_BYTES)) {
      throw new FaultPlanException(
          "burstBytes is " + burstBytes + "; expected 1.." + MAX_BURST_BYTES
              + " when bandwidthBytesPerSecond is set");
    }
  }

  /**
   * Collects the values of a {@link FaultPlan}; each setter checks its argument at once. Not
   * thread-safe; use it on one thread.
   */
  public static final class Builder {
    private Duration delay = Duration.ZERO;
    private Duration jitter = Duration.ZERO;
    private double lossProbability;
    private double duplicateProbability;
    private double reorderProbability;
    private Duration reorderWindow = DEFAULT_REORDER_WINDOW;
    private double corruptProbability;
    private long bandwidthBytesPerSecond;
    private long burstBytes;
    private int queueLimit = DEFAULT_QUEUE_LIMIT;
    private boolean blocked;

    private Builder() {}

    private Builder(FaultPlan plan) {
      delay = plan.delay;
      jitter = plan.jitter;
      lossProbability = plan.lossProbability;
      duplicateProbability = plan.duplicateProbability;
      reorderProbability = plan.reorderProbability;
      reorderWindow = plan.reorderWindow;
      corruptProbability = plan.corruptProbability;
      bandwidthBytesPerSecond = plan.bandwidthBytesPerSecond;
      burstBytes = plan.burstBytes;
      queueLimit = plan.queueLimit;
      blocked = plan.blocked;
    }

    /** Fixed extra latency of every message, {@code 0..1h}. */
    public Builder delay(Duration delay) {
      checkDuration("delay", delay, Duration.ZERO, MAX_DELAY);
      this.delay = delay;
      return this;
    }

    /** Upper bound of a uniform random extra latency added to {@link #delay}, {@code 0..1h}. */
    public Builder jitter(Duration jitter) {
      checkDuration("jitter", jitter, Duration.ZERO, MAX_DELAY);
      this.jitter = jitter;
      return this;
    }

    /** Probability that a message is dropped. */
    public Builder lossProbability(double probability) {
      checkProbability("lossProbability", probability);
      this.lossProbability = probability;
      return this;
    }

    /** Probability that a message is delivered twice. */
    public Builder duplicateProbability(double probability) {
      checkProbability("duplicateProbability", probability);
      this.duplicateProbability = probability;
      return this;
    }

    /** Probability that a message is held back until the next one has overtaken it. */
    public Builder reorderProbability(double probability) {
      checkProbability("reorderProbability", probability);
      this.reorderProbability = probability;
      return this;
    }

    /** The longest a held-back message waits for a successor before it is released alone. */
    public Builder reorderWindow(Duration window) {
      checkDuration("reorderWindow", window, Duration.ofNanos(1), MAX_REORDER_WINDOW);
      this.reorderWindow = window;
      return this;
    }

    /** Probability that one random bit of a {@code ByteBuf} message (a copy) is flipped. */
    public Builder corruptProbability(double probability) {
      checkProbability("corruptProbability", probability);
      this.corruptProbability = probability;
      return this;
    }

    /**
     * Caps the rate of {@code ByteBuf} bytes: a token bucket holding up to {@code burstBytes},
     * refilled at {@code bytesPerSecond}. {@code bandwidth(0, 0)} removes the cap. A message
     * larger than the burst passes when the bucket is full and leaves it in debt.
     */
    public Builder bandwidth(long bytesPerSecond, long burstBytes) {
      checkBandwidth(bytesPerSecond, burstBytes);
      this.bandwidthBytesPerSecond = bytesPerSecond;
      this.burstBytes = burstBytes;
      return this;
    }

    /** How many messages may wait for their delay or for bandwidth tokens before more drop. */
    public Builder queueLimit(int queueLimit) {
      if (queueLimit < 1 || queueLimit > MAX_QUEUE_LIMIT) {
        throw new FaultPlanException(
            "queueLimit is " + queueLimit + "; expected 1.." + MAX_QUEUE_LIMIT);
      }
      this.queueLimit = queueLimit;
      return this;
    }

    /** Whether every message is dropped (a partition of this direction). */
    public Builder blocked(boolean blocked) {
      this.blocked = blocked;
      return this;
    }

    /** The plan; the values were checked by the setters. */
    public FaultPlan build() {
      return new FaultPlan(
          delay,
          jitter,
          lossProbability,
          duplicateProbability,
          reorderProbability,
          reorderWindow,
          corruptProbability,
          bandwidthBytesPerSecond,
          burstBytes,
          queueLimit,
          blocked);
    }
  }
}
