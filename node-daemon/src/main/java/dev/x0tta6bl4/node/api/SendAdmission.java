package dev.x0tta6bl4.node.api;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admission control on the local API's send path ({@code POST /v1/messages}, unicast and
 * broadcast), and the load figures the node's healing loop reads about that path.
 *
 * <p><b>Admission.</b> A token bucket in its GCRA form (one atomic "theoretical arrival time", no
 * lock, no refill thread): at a limit of {@code r} messages per second a request is admitted when
 * the bucket, refilled at {@code r} per second up to {@code max(1, r * burst)} tokens, holds a
 * token; otherwise it is refused with the wait until the next token, which the API answers as 429
 * {@code overloaded} with {@code Retry-After}. Without a limit ({@link #UNLIMITED}, the default
 * unless {@code baseLimit} is set) admission costs one volatile read. The healing loop lowers the
 * limit under overload ({@link #limit}) and restores it ({@link #restore}); a new limit starts
 * with a full bucket.
 *
 * <p><b>Load figures.</b> Counters (admitted, shed, delivered, failed), the number of admitted
 * unicasts whose outcome is not known yet, and two latency recorders: request to response, and
 * admission to end-to-end acknowledgement (the queueing delay the node adds, plus the round trip).
 * The acknowledgement latency counts only sends admitted under the limit in force (so the backlog
 * admitted before a shed does not hide that new sends no longer wait). Recording never blocks
 * (HdrHistogram {@link Recorder}s); {@link #sample()} hands the intervals to one reader.
 *
 * <p>Threads: {@link #tryAdmit} and the recording methods are called on event loops and the
 * mesh's thread; {@link #limit}/{@link #restore} on the healing loop's executor; {@link #sample}
 * by exactly one thread (the healing loop's). Built by the composition root; holds no resource.
 */
public final class SendAdmission {
  /** No limit. */
  public static final double UNLIMITED = Double.POSITIVE_INFINITY;
  /** Latencies are recorded in microseconds up to this bound (longer ones are clamped to it). */
  static final long MAX_LATENCY_MICROS = 120_000_000L;

  private static final Logger log = LoggerFactory.getLogger(SendAdmission.class);

  /**
   * A limit: its rate, GCRA emission interval and tolerance (the bucket size times the interval),
   * both in nanoseconds. A request is admitted while its theoretical arrival time is at most the
   * tolerance ahead of now.
   */
  private record Limit(double perSecond, long intervalNanos, long toleranceNanos) {
    boolean unlimited() {
      return Double.isInfinite(perSecond);
    }
  }

  private final LongSupplier nanoTime;
  private final double baseLimit;
  private final double burstSeconds;
  private final AtomicLong arrival = new AtomicLong();
  private volatile Limit limit;
  private volatile long limitChangedNanos;
  private final LongAdder admitted = new LongAdder();
  private final LongAdder shed = new LongAdder();
  private final LongAdder delivered = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final AtomicLong inFlight = new AtomicLong();
  private final Recorder requestLatency = new Recorder(1, MAX_LATENCY_MICROS, 2);
  private final Recorder deliveryLatency = new Recorder(1, MAX_LATENCY_MICROS, 2);
  private Histogram requestRecycle;
  private Histogram deliveryRecycle;

  /**
   * An admission controller.
   *
   * @param baseLimit the configured limit in messages per second ({@link #UNLIMITED} for none);
   *     {@link #restore} returns to it
   * @param burstSeconds how many seconds' worth of the limit may pass at once (at least one
   *     message), e.g. 0.1
   * @param nanoTime the monotonic clock
   * @param registry where {@code meshd.api.requests.shed}, {@code meshd.api.admission.limit} and
   *     {@code meshd.api.sends.inflight} go
   */
  public SendAdmission(double baseLimit, double burstSeconds, LongSupplier nanoTime,
      MeterRegistry registry) {
    if (!(baseLimit > 0)) {
      throw new IllegalArgumentException("admission base limit must be > 0 messages/s (or"
          + " unlimited), got " + baseLimit);
    }
    if (!(burstSeconds > 0) || burstSeconds > 60) {
      throw new IllegalArgumentException("admission burst must be within (0, 60] seconds, got "
          + burstSeconds);
    }
    this.baseLimit = baseLimit;
    this.burstSeconds = burstSeconds;
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    this.limitChangedNanos = nanoTime.getAsLong();
    apply(baseLimit);
    FunctionCounter.builder("meshd.api.requests.shed", shed, LongAdder::doubleValue)
        .description("Send requests (POST /v1/messages) refused with 429 overloaded by admission"
            + " control")
        .register(registry);
    Gauge.builder("meshd.api.admission.limit", this, a -> a.limit.perSecond())
        .description("Admission limit of the send path in messages per second (+Inf: none)")
        .register(registry);
    Gauge.builder("meshd.api.sends.inflight", inFlight, AtomicLong::get)
        .description("Unicast sends admitted by the local API whose outcome is not known yet")
        .register(registry);
  }

  // ---- admission (event loops) ----

  /**
   * Admits one request, or refuses it.
   *
   * @return 0 when admitted; otherwise the nanoseconds until a token is available (at least 1)
   */
  public long tryAdmit() {
    Limit l = limit;
    if (l.unlimited()) {
      admitted.increment();
      return 0;
    }
    long now = nanoTime.getAsLong();
    while (true) {
      long tat = arrival.get();
      long next = (tat - now > 0 ? tat : now) + l.intervalNanos();
      long excess = next - now - l.toleranceNanos();
      if (excess > 0) {
        shed.increment();
        return excess;
      }
      if (arrival.compareAndSet(tat, next)) {
        admitted.increment();
        return 0;
      }
    }
  }

  /** Records the response time of an admitted request. */
  public void responded(long admittedAtNanos) {
    requestLatency.recordValue(micros(nanoTime.getAsLong() - admittedAtNanos));
  }

  /** An admitted unicast was accepted by the mesh; its outcome will follow. */
  public void accepted() {
    inFlight.incrementAndGet();
  }

  /** The outcome of an accepted unicast admitted at {@code admittedAtNanos}. */
  public void outcome(long admittedAtNanos, boolean wasDelivered) {
    inFlight.decrementAndGet();
    if (wasDelivered) {
      delivered.increment();
      // Only sends admitted under the current limit: the backlog admitted before a shed drains
      // (and its retransmitted stragglers arrive) for a while, but says nothing about whether
      // what the node admits now waits.
      if (admittedAtNanos - limitChangedNanos >= 0) {
        deliveryLatency.recordValue(micros(nanoTime.getAsLong() - admittedAtNanos));
      }
    } else {
      failed.increment();
    }
  }

  /** The monotonic time, for the API to stamp admissions with. */
  public long now() {
    return nanoTime.getAsLong();
  }

  // ---- control (healing loop) ----

  /** The configured limit, in messages per second ({@link #UNLIMITED} for none). */
  public double baseLimit() {
    return baseLimit;
  }

  /** The limit now, in messages per second ({@link #UNLIMITED} for none). */
  public double currentLimit() {
    return limit.perSecond();
  }

  /** Whether the limit now is below the configured one. */
  public boolean lowered() {
    return limit.perSecond() < baseLimit;
  }

  /** When the limit last changed, on the {@code nanoTime} clock. */
  public long limitChangedNanos() {
    return limitChangedNanos;
  }

  /**
   * Sets the limit to {@code perSecond} messages per second, never above the configured one.
   *
   * @throws IllegalArgumentException if {@code perSecond} is not positive
   */
  public synchronized void limit(double perSecond) {
    if (!(perSecond > 0)) {
      throw new IllegalArgumentException("admission limit must be > 0 messages/s, got "
          + perSecond);
    }
    double old = limit.perSecond();
    apply(Math.min(perSecond, baseLimit));
    log.info("send admission limit changed from {} to {} messages/s", rate(old),
        rate(limit.perSecond()));
  }

  /** Returns to the configured limit. */
  public synchronized void restore() {
    limit(baseLimit);
  }

  private void apply(double perSecond) {
    long interval = Double.isInfinite(perSecond) ? 0 : Math.max(1, (long) (1e9 / perSecond));
    long tolerance = (long) (Math.max(1.0, perSecond * burstSeconds) * interval);
    long now = nanoTime.getAsLong();
    arrival.set(now);
    limit = new Limit(perSecond, interval, tolerance);
    limitChangedNanos = now;
  }

  private static String rate(double perSecond) {
    return Double.isInfinite(perSecond) ? "unlimited" : String.format("%.1f", perSecond);
  }

  // ---- figures (one reader) ----

  /**
   * The counters now and the latencies recorded since the previous call. Call from one thread
   * only; the histograms returned are reused by the call after next, so copy what must outlive
   * it.
   */
  public synchronized Sample sample() {
    requestRecycle = requestLatency.getIntervalHistogram(requestRecycle);
    deliveryRecycle = deliveryLatency.getIntervalHistogram(deliveryRecycle);
    return new Sample(nanoTime.getAsLong(), admitted.sum(), shed.sum(), delivered.sum(),
        failed.sum(), inFlight.get(), limit.perSecond(), requestRecycle, deliveryRecycle);
  }

  /**
   * Load figures at {@code atNanos}: cumulative counters since start, unicasts in flight, the
   * limit, and latency intervals in microseconds since the previous sample.
   */
  public record Sample(long atNanos, long admitted, long shed, long delivered, long failed,
      long inFlight, double limit, Histogram requestLatencyMicros,
      Histogram deliveryLatencyMicros) {}

  private static long micros(long nanos) {
    return Math.min(MAX_LATENCY_MICROS, Math.max(1, nanos / 1_000));
  }
}
