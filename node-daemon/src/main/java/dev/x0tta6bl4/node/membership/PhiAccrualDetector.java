package dev.x0tta6bl4.node.membership;

import java.util.OptionalLong;

/**
 * Phi-accrual failure detector for one link (Hayashibara et al., 2004, as used by Akka and
 * Cassandra): instead of a yes/no timeout it reports a suspicion level {@code phi} that grows with
 * the silence since the last heartbeat, scaled by how regular heartbeats have been.
 *
 * <p><b>Model.</b> Inter-arrival intervals of heartbeats are kept in a bounded sliding window
 * (ring buffer); their mean and standard deviation are maintained incrementally (running sums,
 * O(1) per heartbeat, exact integer arithmetic on microseconds so no floating-point drift over
 * long runs). For a silence {@code t}, with {@code mu} the mean, {@code sigma = max(std dev,
 * minStdDeviation)} and {@code pause} the acceptable heartbeat pause:
 *
 * <pre>
 *   y   = (t - mu - pause) / sigma
 *   phi = -log10( P(next interval &gt; t) ) = -log10( 1 - F(y) )
 * </pre>
 *
 * <p><b>Normal CDF.</b> {@code F} is the logistic approximation used by Akka (Bowling et al.,
 * 2009): {@code 1 - F(y) ~= 1 / (1 + e^z)} with {@code z = y (1.5976 + 0.070566 y^2)}; maximum
 * absolute error about 1.4e-4. It is evaluated as {@code phi = log10(1 + e^z)}, rewritten as
 * {@code (z + log1p(e^-z)) / ln 10} for positive {@code z}, so phi is finite and monotonic for any
 * silence (Akka's form {@code -log10(e/(1+e))} overflows to infinity after a few seconds). For the
 * default settings phi reaches 8 after about {@code mu + pause + 5.2 sigma}.
 *
 * <p><b>Minimum standard deviation.</b> Very regular heartbeats on a quiet network would give a
 * sigma of a few microseconds, and phi would explode on the first millisecond of jitter; the floor
 * keeps phi meaningful. <b>Acceptable pause</b> shifts the whole curve right by a fixed margin.
 *
 * <p><b>Bootstrap.</b> Before the first interval is observed the window is seeded, as in Akka,
 * with two samples {@code estimate +- estimate/4} (mean = the first-heartbeat estimate, normally
 * the heartbeat interval); they slide out as real samples arrive.
 *
 * <p><b>Outliers.</b> An interval longer than {@code maxSampleNanos} is not recorded (as in
 * Cassandra): it is a pause or a failure, not part of the normal arrival distribution, and
 * recording it would inflate sigma and slow down the detection of the next real failure.
 *
 * <p>Not thread-safe: owned by the thread that drives its {@link FailureDetector}. Holds no
 * resources; nothing to close.
 */
public final class PhiAccrualDetector {
  private static final double LN_10 = Math.log(10.0);
  /** Bounds keep {@code sumSquares} (microseconds squared) far below {@code Long.MAX_VALUE}. */
  static final int MAX_WINDOW = 10_000;

  static final long MAX_SAMPLE_NANOS = 10_000_000_000L;

  private final long[] intervalsMicros;
  private final long minStdDevMicros;
  private final long acceptablePauseMicros;
  private final long maxSampleNanos;
  private int count;
  private int next;
  private long sumMicros;
  private long sumSquaresMicros;
  private long lastHeartbeatNanos;
  private boolean hasHeartbeat;

  /**
   * Creates a detector.
   *
   * @param windowSize how many intervals to keep, 2..10000
   * @param minStdDeviationNanos floor for sigma, at least 1 microsecond
   * @param acceptablePauseNanos margin added to the mean, at least 0
   * @param firstHeartbeatEstimateNanos expected interval before any is observed, at least 1 ms
   * @param maxSampleNanos longest interval recorded as a sample, at least the estimate and at most
   *     10 s
   * @throws MembershipException if an argument is out of range
   */
  public PhiAccrualDetector(
      int windowSize,
      long minStdDeviationNanos,
      long acceptablePauseNanos,
      long firstHeartbeatEstimateNanos,
      long maxSampleNanos) {
    check(windowSize >= 2 && windowSize <= MAX_WINDOW, "windowSize", windowSize, "2..10000");
    check(minStdDeviationNanos >= 1_000, "minStdDeviationNanos", minStdDeviationNanos, ">= 1000");
    check(acceptablePauseNanos >= 0, "acceptablePauseNanos", acceptablePauseNanos, ">= 0");
    check(
        firstHeartbeatEstimateNanos >= 1_000_000,
        "firstHeartbeatEstimateNanos",
        firstHeartbeatEstimateNanos,
        ">= 1000000");
    check(
        maxSampleNanos >= firstHeartbeatEstimateNanos && maxSampleNanos <= MAX_SAMPLE_NANOS,
        "maxSampleNanos",
        maxSampleNanos,
        "firstHeartbeatEstimateNanos.." + MAX_SAMPLE_NANOS);
    this.intervalsMicros = new long[windowSize];
    this.minStdDevMicros = minStdDeviationNanos / 1_000;
    this.acceptablePauseMicros = acceptablePauseNanos / 1_000;
    this.maxSampleNanos = maxSampleNanos;
    long estimate = firstHeartbeatEstimateNanos / 1_000;
    long spread = estimate / 4;
    record(estimate - spread);
    record(estimate + spread);
  }

  /** A detector configured from the failure detector settings (estimate = heartbeat interval). */
  public static PhiAccrualDetector create(FailureDetectorSettings settings) {
    return new PhiAccrualDetector(
        settings.windowSize(),
        settings.minStdDeviation().toNanos(),
        settings.acceptableHeartbeatPause().toNanos(),
        settings.heartbeatInterval().toNanos(),
        settings.maxIntervalSample().toNanos());
  }

  /**
   * Records a heartbeat arriving at {@code nowNanos}: the interval since the previous heartbeat
   * becomes a sample unless it is negative (clock went backwards) or longer than the maximum
   * sample. O(1).
   */
  public void heartbeat(long nowNanos) {
    if (hasHeartbeat) {
      long interval = nowNanos - lastHeartbeatNanos;
      if (interval >= 0 && interval <= maxSampleNanos) {
        record(interval / 1_000);
      }
    }
    if (!hasHeartbeat || nowNanos > lastHeartbeatNanos) {
      lastHeartbeatNanos = nowNanos;
    }
    hasHeartbeat = true;
  }

  /** Phi at {@code nowNanos}, measured from the last heartbeat; 0 before any heartbeat. */
  public double phi(long nowNanos) {
    return hasHeartbeat ? phiAfterSilence(nowNanos - lastHeartbeatNanos) : 0.0;
  }

  /** Phi after {@code silenceNanos} without evidence of life, given the current statistics. */
  public double phiAfterSilence(long silenceNanos) {
    double y = (silenceNanos / 1_000.0 - meanMicros() - acceptablePauseMicros) / stdDevMicros();
    double z = y * (1.5976 + 0.070566 * y * y);
    return z > 0 ? (z + Math.log1p(Math.exp(-z))) / LN_10 : Math.log1p(Math.exp(z)) / LN_10;
  }

  /**
   * The shortest silence after which phi reaches {@code phi}, to the microsecond. Phi grows
   * monotonically with silence, so this is the detection delay a threshold {@code phi} gives with
   * the current statistics.
   */
  public long silenceUntilPhi(double phi) {
    if (!(phi > 0) || Double.isInfinite(phi)) {
      throw new MembershipException("phi: " + phi + "; expected a finite value > 0");
    }
    long lo = 0;
    long hi = 1_000_000_000_000L;
    while (hi - lo > 1_000) {
      long mid = lo + (hi - lo) / 2;
      if (phiAfterSilence(mid) >= phi) {
        hi = mid;
      } else {
        lo = mid;
      }
    }
    return hi;
  }

  /** Mean inter-arrival interval in the window, in nanoseconds. */
  public double meanNanos() {
    return meanMicros() * 1_000.0;
  }

  /** The sigma used by {@link #phi}: the window's standard deviation, at least the floor. */
  public double stdDeviationNanos() {
    return stdDevMicros() * 1_000.0;
  }

  /** Samples currently in the window (the two bootstrap samples included until they slide out). */
  public int sampleCount() {
    return count;
  }

  /** When the last heartbeat arrived, if any did. */
  public OptionalLong lastHeartbeatNanos() {
    return hasHeartbeat ? OptionalLong.of(lastHeartbeatNanos) : OptionalLong.empty();
  }

  private void record(long micros) {
    if (count == intervalsMicros.length) {
      long old = intervalsMicros[next];
      sumMicros -= old;
      sumSquaresMicros -= old * old;
    } else {
      count++;
    }
    intervalsMicros[next] = micros;
    sumMicros += micros;
    sumSquaresMicros += micros * micros;
    next = (next + 1) % intervalsMicros.length;
  }

  private double meanMicros() {
    return (double) sumMicros / count;
  }

  private double stdDevMicros() {
    double mean = meanMicros();
    double variance = (double) sumSquaresMicros / count - mean * mean;
    double sd = variance > 0 ? Math.sqrt(variance) : 0.0;
    return Math.max(sd, (double) minStdDevMicros);
  }

  private static void check(boolean ok, String name, long value, String expected) {
    if (!ok) {
      throw new MembershipException(name + ": " + value + "; expected " + expected);
    }
  }
}
