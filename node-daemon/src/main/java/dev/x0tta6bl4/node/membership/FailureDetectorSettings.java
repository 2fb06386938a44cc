package dev.x0tta6bl4.node.membership;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the {@link FailureDetector} and of its per-link {@link PhiAccrualDetector}s.
 * Immutable; build with {@link #builder()} or take {@link #defaults()}. Every value is checked when
 * the record is built ({@link MembershipException} naming the setting and the allowed range).
 *
 * <h2>Defaults and the timing budget</h2>
 *
 * <p>Targets: a neighbour that goes silent is declared dead with p99 at most 1.0 s; a neighbour
 * that stalls for 300 ms (silent to everyone, then normal again) is not declared dead. The adapter
 * calls {@code tick} every {@code heartbeatInterval} (100 ms), so every deadline below is observed
 * up to one interval late.
 *
 * <ul>
 *   <li><b>Onset of suspicion.</b> Phi uses mean ~100 ms, sigma = max(measured, 20 ms) (measured
 *       sigma is ~8 ms with 20 ms of delivery jitter), acceptable pause 50 ms: phi reaches 8 after
 *       100 + 50 + 5.2 x 20 ~= 254 ms of silence. {@code maxSilenceBeforeSuspicion} (400 ms)
 *       bounds the onset even if a noisy link has widened sigma. Seen by the next tick: 254-354 ms
 *       after the last heartbeat (at most 500 ms).
 *   <li><b>Death.</b> {@code suspicionTimeout} (400 ms) after suspicion; it is a multiple of the
 *       tick, so the death tick is on time. Silence to death: 654-754 ms typical, at most
 *       400 + 100 + 400 = 900 ms ({@link #worstCaseDetectionDelay()}), plus the one-way delivery
 *       delay of the last heartbeat (~20 ms): p99 well under 1.0 s, worst case ~0.92 s.
 *   <li><b>300 ms stall.</b> The stalled peer's heartbeats stop for 300 ms, so the gap between two
 *       arrivals is at most 300 + 100 (phase) + 20 (jitter) = 420 ms. Death needs at least
 *       254 + 400 = 654 ms of silence, so the first heartbeat after the stall (or an ALIVE probe
 *       result) arrives with ~230 ms to spare and clears the suspicion. Helpers asked during the
 *       stall have no fresh evidence (freshness 150 ms, the target is silent to them too), so
 *       they wait up to {@code probeTimeout} (250 ms) for it and answer ALIVE as soon as it
 *       speaks: the request reaches a helper at least 254 ms after the last arrival and the
 *       stalled peer speaks again at most 420 ms after it, so a helper waits at most ~170 ms.
 *   <li><b>Confirmation.</b> A helper notices its probe deadline on its own tick, up to one
 *       interval late, so its UNREACHABLE answer arrives at most 250 + 100 + 2 x 20 = 390 ms after
 *       suspicion began, inside the 400 ms suspicion timeout; validation requires {@code
 *       probeTimeout + heartbeatInterval < suspicionTimeout}.
 *   <li><b>Local stall.</b> A tick arriving more than {@code localPauseThreshold} (250 ms) after the
 *       previous one means this node itself was paused (GC, saturated CPU); the unobserved part of
 *       the gap is not counted against any peer (Lifeguard's local health awareness).
 *   <li><b>Outliers.</b> Intervals over {@code maxIntervalSample} (250 ms) are pauses, not
 *       samples; they never inflate sigma, so detection stays fast after stalls.
 * </ul>
 *
 * @param heartbeatInterval how often a heartbeat goes out on each link, and the expected tick
 *     period (default 100 ms)
 * @param phiThreshold phi at which a peer becomes SUSPECT (default 8.0)
 * @param minStdDeviation floor for the phi detector's sigma (default 20 ms)
 * @param acceptableHeartbeatPause margin added to the mean interval (default 50 ms)
 * @param windowSize inter-arrival samples kept per link (default 200 = 20 s of history)
 * @param maxIntervalSample intervals longer than this are not recorded (default 250 ms)
 * @param maxSilenceBeforeSuspicion silence after which a peer becomes SUSPECT whatever phi says
 *     (default 400 ms)
 * @param probeFanout how many other live neighbours are asked to probe a suspect (default 3)
 * @param probeTimeout how long a helper waits to hear from the target before answering
 *     UNREACHABLE (default 250 ms)
 * @param suspicionTimeout how long a peer stays SUSPECT without evidence before it is DEAD
 *     (default 400 ms)
 * @param freshnessWindow a helper that heard from the target within this window answers ALIVE at
 *     once (default 150 ms)
 * @param localPauseThreshold a gap between ticks above this means the local node was paused
 *     (default 250 ms)
 * @param directSilenceLimit a peer kept alive only by probe answers, with nothing on the direct
 *     link for this long, is DEAD with {@link DeathReason#DIRECT_LINK_SILENT} (default 2 s)
 * @param maxPendingProbes helper-side bound on probe requests waiting for their target (default
 *     256); beyond it a request is answered UNREACHABLE at once
 */
public record FailureDetectorSettings(
    Duration heartbeatInterval,
    double phiThreshold,
    Duration minStdDeviation,
    Duration acceptableHeartbeatPause,
    int windowSize,
    Duration maxIntervalSample,
    Duration maxSilenceBeforeSuspicion,
    int probeFanout,
    Duration probeTimeout,
    Duration suspicionTimeout,
    Duration freshnessWindow,
    Duration localPauseThreshold,
    Duration directSilenceLimit,
    int maxPendingProbes) {

  private static final FailureDetectorSettings DEFAULTS = new Builder().build();

  /** Validates every value; see the class comment for ranges. */
  public FailureDetectorSettings {
    positive("heartbeat-interval", heartbeatInterval);
    if (heartbeatInterval.compareTo(Duration.ofMillis(1)) < 0
        || heartbeatInterval.compareTo(Duration.ofSeconds(60)) > 0) {
      throw invalid("heartbeat-interval", heartbeatInterval, "1ms..60s");
    }
    if (!(phiThreshold > 0) || phiThreshold > 1_000) {
      throw invalid("phi-threshold", phiThreshold, "a number in (0, 1000]");
    }
    positive("min-std-deviation", minStdDeviation);
    if (minStdDeviation.toNanos() < 1_000) {
      throw invalid("min-std-deviation", minStdDeviation, ">= 1us");
    }
    Objects.requireNonNull(acceptableHeartbeatPause, "acceptable-heartbeat-pause");
    if (acceptableHeartbeatPause.isNegative()) {
      throw invalid("acceptable-heartbeat-pause", acceptableHeartbeatPause, ">= 0");
    }
    if (windowSize < 2 || windowSize > PhiAccrualDetector.MAX_WINDOW) {
      throw invalid("window-size", windowSize, "2..10000");
    }
    positive("max-interval-sample", maxIntervalSample);
    if (maxIntervalSample.compareTo(heartbeatInterval) < 0
        || maxIntervalSample.toNanos() > PhiAccrualDetector.MAX_SAMPLE_NANOS) {
      throw invalid("max-interval-sample", maxIntervalSample, "heartbeat-interval..10s");
    }
    positive("max-silence-before-suspicion", maxSilenceBeforeSuspicion);
    if (maxSilenceBeforeSuspicion.compareTo(heartbeatInterval) <= 0) {
      throw invalid(
          "max-silence-before-suspicion", maxSilenceBeforeSuspicion, "> heartbeat-interval");
    }
    if (probeFanout < 0 || probeFanout > 16) {
      throw invalid("probe-fanout", probeFanout, "0..16");
    }
    positive("suspicion-timeout", suspicionTimeout);
    positive("probe-timeout", probeTimeout);
    if (probeTimeout.plus(heartbeatInterval).compareTo(suspicionTimeout) >= 0) {
      throw invalid(
          "probe-timeout",
          probeTimeout,
          "< suspicion-timeout - heartbeat-interval ("
              + suspicionTimeout.minus(heartbeatInterval)
              + ") so helpers' answers arrive in time");
    }
    positive("freshness-window", freshnessWindow);
    positive("local-pause-threshold", localPauseThreshold);
    if (localPauseThreshold.compareTo(heartbeatInterval) <= 0) {
      throw invalid("local-pause-threshold", localPauseThreshold, "> heartbeat-interval");
    }
    positive("direct-silence-limit", directSilenceLimit);
    if (directSilenceLimit.compareTo(maxSilenceBeforeSuspicion.plus(suspicionTimeout)) <= 0) {
      throw invalid(
          "direct-silence-limit",
          directSilenceLimit,
          "> max-silence-before-suspicion + suspicion-timeout");
    }
    if (maxPendingProbes < 1 || maxPendingProbes > 1_000_000) {
      throw invalid("max-pending-probes", maxPendingProbes, "1..1000000");
    }
  }

  /** The default settings (see the class comment for why they meet the targets). */
  public static FailureDetectorSettings defaults() {
    return DEFAULTS;
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The defaults with every time scaled by {@code heartbeatInterval / 100 ms}, so the timing
   * budget (and its guarantees relative to the interval) holds at another heartbeat period.
   * This is how {@code mesh.heartbeat-interval} is applied.
   */
  public static FailureDetectorSettings scaledTo(Duration heartbeatInterval) {
    FailureDetectorSettings d = DEFAULTS;
    double f = heartbeatInterval.toNanos() / (double) d.heartbeatInterval.toNanos();
    return new FailureDetectorSettings(
        heartbeatInterval,
        d.phiThreshold,
        scale(d.minStdDeviation, f),
        scale(d.acceptableHeartbeatPause, f),
        d.windowSize,
        scale(d.maxIntervalSample, f),
        scale(d.maxSilenceBeforeSuspicion, f),
        d.probeFanout,
        scale(d.probeTimeout, f),
        scale(d.suspicionTimeout, f),
        scale(d.freshnessWindow, f),
        scale(d.localPauseThreshold, f),
        scale(d.directSilenceLimit, f),
        d.maxPendingProbes);
  }

  private static Duration scale(Duration d, double factor) {
    return Duration.ofNanos(Math.round(d.toNanos() * factor));
  }

  /** A builder starting from these settings. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /**
   * Longest silence (from the last arrival) before a silent peer is DEAD, when ticks come every
   * {@code heartbeatInterval}: onset bound + one tick + suspicion timeout.
   */
  public Duration worstCaseDetectionDelay() {
    return maxSilenceBeforeSuspicion.plus(heartbeatInterval).plus(suspicionTimeout);
  }

  private static void positive(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw invalid(name, value, "> 0");
    }
  }

  private static MembershipException invalid(String name, Object value, String expected) {
    return new MembershipException(
        "failure-detector." + name + ": " + value + "; expected " + expected);
  }

  /** Mutable builder; not thread-safe. {@link #build()} validates. */
  public static final class Builder {
    private Duration heartbeatInterval = Duration.ofMillis(100);
    private double phiThreshold = 8.0;
    private Duration minStdDeviation = Duration.ofMillis(20);
    private Duration acceptableHeartbeatPause = Duration.ofMillis(50);
    private int windowSize = 200;
    private Duration maxIntervalSample = Duration.ofMillis(250);
    private Duration maxSilenceBeforeSuspicion = Duration.ofMillis(400);
    private int probeFanout = 3;
    private Duration probeTimeout = Duration.ofMillis(250);
    private Duration suspicionTimeout = Duration.ofMillis(400);
    private Duration freshnessWindow = Duration.ofMillis(150);
    private Duration localPauseThreshold = Duration.ofMillis(250);
    private Duration directSilenceLimit = Duration.ofSeconds(2);
    private int maxPendingProbes = 256;

    private Builder() {}

    private Builder(FailureDetectorSettings s) {
      heartbeatInterval = s.heartbeatInterval;
      phiThreshold = s.phiThreshold;
      minStdDeviation = s.minStdDeviation;
      acceptableHeartbeatPause = s.acceptableHeartbeatPause;
      windowSize = s.windowSize;
      maxIntervalSample = s.maxIntervalSample;
      maxSilenceBeforeSuspicion = s.maxSilenceBeforeSuspicion;
      probeFanout = s.probeFanout;
      probeTimeout = s.probeTimeout;
      suspicionTimeout = s.suspicionTimeout;
      freshnessWindow = s.freshnessWindow;
      localPauseThreshold = s.localPauseThreshold;
      directSilenceLimit = s.directSilenceLimit;
      maxPendingProbes = s.maxPendingProbes;
    }

    public Builder heartbeatInterval(Duration value) {
      heartbeatInterval = value;
      return this;
    }

    public Builder phiThreshold(double value) {
      phiThreshold = value;
      return this;
    }

    public Builder minStdDeviation(Duration value) {
      minStdDeviation = value;
      return this;
    }

    public Builder acceptableHeartbeatPause(Duration value) {
      acceptableHeartbeatPause = value;
      return this;
    }

    public Builder windowSize(int value) {
      windowSize = value;
      return this;
    }

    public Builder maxIntervalSample(Duration value) {
      maxIntervalSample = value;
      return this;
    }

    public Builder maxSilenceBeforeSuspicion(Duration value) {
      maxSilenceBeforeSuspicion = value;
      return this;
    }

    public Builder probeFanout(int value) {
      probeFanout = value;
      return this;
    }

    public Builder probeTimeout(Duration value) {
      probeTimeout = value;
      return this;
    }

    public Builder suspicionTimeout(Duration value) {
      suspicionTimeout = value;
      return this;
    }

    public Builder freshnessWindow(Duration value) {
      freshnessWindow = value;
      return this;
    }

    public Builder localPauseThreshold(Duration value) {
      localPauseThreshold = value;
      return this;
    }

    public Builder directSilenceLimit(Duration value) {
      directSilenceLimit = value;
      return this;
    }

    public Builder maxPendingProbes(int value) {
      maxPendingProbes = value;
      return this;
    }

    /** Builds and validates the settings. */
    public FailureDetectorSettings build() {
      return new FailureDetectorSettings(
          heartbeatInterval,
          phiThreshold,
          minStdDeviation,
          acceptableHeartbeatPause,
          windowSize,
          maxIntervalSample,
          maxSilenceBeforeSuspicion,
          probeFanout,
          probeTimeout,
          suspicionTimeout,
          freshnessWindow,
          localPauseThreshold,
          directSilenceLimit,
          maxPendingProbes);
    }
  }
}
