package dev.x0tta6bl4.node.config;

import static dev.x0tta6bl4.node.config.NodeConfig.requireBelow;
import static dev.x0tta6bl4.node.config.NodeConfig.requireRange;

import java.time.Duration;

/**
 * Section {@code mapek.mesh}: thresholds and timings of the mesh area of self-healing (silent,
 * lossy and slow links, misbehaving peers, clock skew, isolation; see {@code
 * docs/healing-mesh.md}). The node maps it onto {@code heal.MeshHealingSettings}; these
 * defaults are the only copy of the numbers.
 *
 * <p>Checks against {@code mesh.heartbeat-interval} (a link is silent only after more than two
 * heartbeats, and the loss window must hold {@code min-loss-samples} heartbeats) are made by
 * {@link NodeConfig}, which sees both sections.
 *
 * @param unresponsiveAfter silence on an open link after which the neighbour is unresponsive and
 *     its link dropped, 100ms..1m
 * @param lossWindow how far back link loss is measured, 500ms..10m
 * @param minLossSamples heartbeat replies due within the window before loss is reported,
 *     1..10000
 * @param degradedLossEnter loss at or above which a link is degraded, 0.01..1.0
 * @param degradedLossExit loss below which a degraded link may count as healthy again, 0.0..1.0,
 *     below {@code degradedLossEnter}
 * @param degradedRttEnter smoothed RTT at or above which a link is degraded, 1ms..1m
 * @param degradedRttExit RTT below which it may count as healthy, 1ms..1m, below {@code
 *     degradedRttEnter}
 * @param costFactor how much {@code raise-link-cost} multiplies a degraded link's cost, 1.1..1000
 * @param restoreAfter how long a re-costed link must be healthy (or gone) before its cost is
 *     restored, 1s..1d
 * @param dropHoldDown how long a dropped link's peer is neither dialled nor accepted, 100ms..1h
 * @param signatureFailures bad adverts relayed by one neighbour within {@code signatureWindow}
 *     that make it misbehaving, 1..1000
 * @param signatureWindow see {@code signatureFailures}, 1s..1d
 * @param quarantinePeriod how long a misbehaving peer is refused, 1s..7d
 * @param clockSkewEnter clock offset to a neighbour at or above which clock skew is reported,
 *     10ms..1d
 * @param clockSkewExit offset below which it clears, 1ms..1d, below {@code clockSkewEnter}
 * @param isolatedAfter time without any link (after having one) before the node redials every
 *     peer it knows, 100ms..1h
 * @param replaceBelow after a drop or quarantine, another neighbour is dialled when fewer usable
 *     links than this remain, 0..1024
 */
public record MeshHealingConfig(
    Duration unresponsiveAfter,
    Duration lossWindow,
    int minLossSamples,
    double degradedLossEnter,
    double degradedLossExit,
    Duration degradedRttEnter,
    Duration degradedRttExit,
    double costFactor,
    Duration restoreAfter,
    Duration dropHoldDown,
    int signatureFailures,
    Duration signatureWindow,
    Duration quarantinePeriod,
    Duration clockSkewEnter,
    Duration clockSkewExit,
    Duration isolatedAfter,
    int replaceBelow) {
  private static final String P = "mapek.mesh.";

  /** Validates the values. */
  public MeshHealingConfig {
    requireRange(P + "unresponsive-after", unresponsiveAfter, Duration.ofMillis(100),
        Duration.ofMinutes(1));
    requireRange(P + "loss-window", lossWindow, Duration.ofMillis(500), Duration.ofMinutes(10));
    requireRange(P + "min-loss-samples", minLossSamples, 1, 10_000);
    requireRange(P + "degraded-loss-enter", degradedLossEnter, 0.01, 1.0);
    requireRange(P + "degraded-loss-exit", degradedLossExit, 0.0, 1.0);
    requireBelow(P + "degraded-loss-exit", degradedLossExit, P + "degraded-loss-enter",
        degradedLossEnter);
    requireRange(P + "degraded-rtt-enter", degradedRttEnter, Duration.ofMillis(1),
        Duration.ofMinutes(1));
    requireRange(P + "degraded-rtt-exit", degradedRttExit, Duration.ofMillis(1),
        Duration.ofMinutes(1));
    requireBelow(P + "degraded-rtt-exit", degradedRttExit, P + "degraded-rtt-enter",
        degradedRttEnter);
    requireRange(P + "cost-factor", costFactor, 1.1, 1000.0);
    requireRange(P + "restore-after", restoreAfter, Duration.ofSeconds(1), Duration.ofDays(1));
    requireRange(P + "drop-hold-down", dropHoldDown, Duration.ofMillis(100), Duration.ofHours(1));
    requireRange(P + "signature-failures", signatureFailures, 1, 1000);
    requireRange(P + "signature-window", signatureWindow, Duration.ofSeconds(1),
        Duration.ofDays(1));
    requireRange(P + "quarantine-period", quarantinePeriod, Duration.ofSeconds(1),
        Duration.ofDays(7));
    requireRange(P + "clock-skew-enter", clockSkewEnter, Duration.ofMillis(10), Duration.ofDays(1));
    requireRange(P + "clock-skew-exit", clockSkewExit, Duration.ofMillis(1), Duration.ofDays(1));
    requireBelow(P + "clock-skew-exit", clockSkewExit, P + "clock-skew-enter", clockSkewEnter);
    requireRange(P + "isolated-after", isolatedAfter, Duration.ofMillis(100), Duration.ofHours(1));
    requireRange(P + "replace-below", replaceBelow, 0, 1024);
  }

  /**
   * Tuned for the default 100 ms heartbeat: unresponsive after 500 ms of silence (between the
   * failure detector's suspicion at 4 heartbeats and its verdicts), degraded at 20 % loss or
   * 250 ms RTT (healthy again below 5 % and 100 ms), cost x10 restored after 10 s healthy, a
   * dropped peer held off 1 s, quarantine for 60 s after one bad advert within 10 s, clock skew
   * at 1 s (clear below 500 ms), isolated after 2 s, replace a dropped link below 2 links.
   */
  public static MeshHealingConfig defaults() {
    return new MeshHealingConfig(Duration.ofMillis(500), Duration.ofSeconds(3), 10, 0.2, 0.05,
        Duration.ofMillis(250), Duration.ofMillis(100), 10, Duration.ofSeconds(10),
        Duration.ofSeconds(1), 1, Duration.ofSeconds(10), Duration.ofSeconds(60),
        Duration.ofSeconds(1), Duration.ofMillis(500), Duration.ofSeconds(2), 2);
  }

  /** A copy with {@code quarantinePeriod} replaced. */
  public MeshHealingConfig withQuarantinePeriod(Duration value) {
    return new MeshHealingConfig(unresponsiveAfter, lossWindow, minLossSamples,
        degradedLossEnter, degradedLossExit, degradedRttEnter, degradedRttExit, costFactor,
        restoreAfter, dropHoldDown, signatureFailures, signatureWindow, value, clockSkewEnter,
        clockSkewExit, isolatedAfter, replaceBelow);
  }

  /**
   * Checks the section against the mesh's heartbeat: a neighbour is unresponsive only after
   * more than two heartbeat intervals of silence (one lost heartbeat must not drop a link), and
   * at least {@code minLossSamples} heartbeat replies must fall due within the loss window, or
   * loss would never be reported.
   */
  void checkAgainstHeartbeat(Duration heartbeat) {
    if (unresponsiveAfter.compareTo(heartbeat.multipliedBy(2)) <= 0) {
      throw ConfigException.invalid(P + "unresponsive-after",
          Durations.format(unresponsiveAfter) + " is not above twice mesh.heartbeat-interval "
              + Durations.format(heartbeat),
          "more than 2 x mesh.heartbeat-interval (about 5 x is the design point)");
    }
    long due = lossWindow.toNanos() / heartbeat.toNanos();
    if (due < minLossSamples) {
      throw ConfigException.invalid(P + "min-loss-samples",
          minLossSamples + " heartbeat replies cannot fall due within " + P + "loss-window "
              + Durations.format(lossWindow) + " at mesh.heartbeat-interval "
              + Durations.format(heartbeat) + " (" + due + " do)",
          "at most " + P + "loss-window / mesh.heartbeat-interval (or a longer loss window)");
    }
  }
}
