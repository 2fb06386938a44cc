package dev.x0tta6bl4.node.heal;

import dev.x0tta6bl4.node.config.MeshHealingConfig;
import java.time.Duration;
import java.util.Objects;

/**
 * Thresholds and timings of the mesh area of self-healing ({@link MeshHealing}). Immutable; every
 * value is checked when built, and a bad one throws {@link IllegalArgumentException} naming it.
 * The node builds it from configuration section {@code mapek.mesh} ({@link #of}), whose
 * defaults are the defaults here; {@code correlateMinLinks} is not configurable.
 *
 * @param unresponsiveAfter direct silence on an open link after which the neighbour is
 *     unresponsive (the failure detector suspects at 4 heartbeat intervals and declares a peer
 *     kept alive by probes dead only after 20, so this sits between)
 * @param lossWindow how far back link loss is measured (missed heartbeat replies over replies)
 * @param minLossSamples heartbeat replies (received plus missed) needed in the window before
 *     loss is reported
 * @param degradedLossEnter loss at or above which a link becomes degraded
 * @param degradedLossExit loss below which (with RTT below its exit) a degraded link is healthy
 * @param degradedRttEnter smoothed RTT at or above which a link becomes degraded
 * @param degradedRttExit smoothed RTT below which (with loss below its exit) it is healthy
 * @param costFactor how much {@code raise-link-cost} multiplies a degraded link's cost
 * @param restoreAfter how long a link with raised cost must be healthy (or gone) before its cost
 *     is restored
 * @param dropHoldDown how long a dropped link's peer is not redialled (and refused)
 * @param signatureFailures adverts with a bad signature, a forged origin or a malformed body from
 *     one neighbour within {@code signatureWindow} that make it misbehaving
 * @param signatureWindow see {@code signatureFailures}
 * @param quarantinePeriod how long a misbehaving peer is refused
 * @param clockSkewEnter clock offset to a neighbour at or above which clock skew is reported
 * @param clockSkewExit offset below which it clears
 * @param isolatedAfter how long the node must be without any link (having had one) before it
 *     redials everything it knows
 * @param replaceBelow after dropping a link, a different neighbour is dialled when fewer than
 *     this many usable links remain (and {@code mesh.max-neighbours} leaves room)
 * @param correlateMinLinks link symptoms of one tick that make the local node the suspect
 *     (then only an alert: dropping links would not help; a node whose every link goes silent
 *     at once is more likely frozen or cut off itself than surrounded by failed neighbours)
 */
public record MeshHealingSettings(
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
    double clockSkewEnter,
    double clockSkewExit,
    Duration isolatedAfter,
    int replaceBelow,
    int correlateMinLinks) {

  public MeshHealingSettings {
    positive("unresponsiveAfter", unresponsiveAfter);
    positive("lossWindow", lossWindow);
    if (minLossSamples < 1) {
      throw new IllegalArgumentException("minLossSamples must be at least 1, got " + minLossSamples);
    }
    fraction("degradedLossEnter", degradedLossEnter);
    fraction("degradedLossExit", degradedLossExit);
    if (degradedLossExit > degradedLossEnter) {
      throw new IllegalArgumentException("degradedLossExit " + degradedLossExit
          + " must not exceed degradedLossEnter " + degradedLossEnter);
    }
    positive("degradedRttEnter", degradedRttEnter);
    positive("degradedRttExit", degradedRttExit);
    if (degradedRttExit.compareTo(degradedRttEnter) > 0) {
      throw new IllegalArgumentException("degradedRttExit " + degradedRttExit
          + " must not exceed degradedRttEnter " + degradedRttEnter);
    }
    if (!(costFactor > 1 && costFactor <= 1000)) {
      throw new IllegalArgumentException("costFactor must be within (1, 1000], got " + costFactor);
    }
    positive("restoreAfter", restoreAfter);
    positive("dropHoldDown", dropHoldDown);
    if (signatureFailures < 1) {
      throw new IllegalArgumentException(
          "signatureFailures must be at least 1, got " + signatureFailures);
    }
    positive("signatureWindow", signatureWindow);
    positive("quarantinePeriod", quarantinePeriod);
    if (!(clockSkewEnter > 0) || !(clockSkewExit > 0) || clockSkewExit > clockSkewEnter) {
      throw new IllegalArgumentException("clock skew thresholds must be positive with exit <= enter,"
          + " got enter " + clockSkewEnter + " exit " + clockSkewExit);
    }
    positive("isolatedAfter", isolatedAfter);
    if (replaceBelow < 0) {
      throw new IllegalArgumentException("replaceBelow must be >= 0, got " + replaceBelow);
    }
    if (correlateMinLinks < 2) {
      throw new IllegalArgumentException(
          "correlateMinLinks must be at least 2, got " + correlateMinLinks);
    }
  }

  /**
   * Link symptoms of one tick that make the local node the suspect in a loop built around this
   * module alone ({@link MeshHealing#correlator()}). Not a configuration key: the node's own
   * loop correlates every area's link symptoms with {@code HealingComponent}'s threshold.
   */
  static final int CORRELATE_MIN_LINKS = 2;

  private static final MeshHealingSettings DEFAULTS = of(MeshHealingConfig.defaults());

  /** The settings of configuration section {@code mapek.mesh}. */
  public static MeshHealingSettings of(MeshHealingConfig c) {
    return new MeshHealingSettings(c.unresponsiveAfter(), c.lossWindow(), c.minLossSamples(),
        c.degradedLossEnter(), c.degradedLossExit(), c.degradedRttEnter(), c.degradedRttExit(),
        c.costFactor(), c.restoreAfter(), c.dropHoldDown(), c.signatureFailures(),
        c.signatureWindow(), c.quarantinePeriod(), seconds(c.clockSkewEnter()),
        seconds(c.clockSkewExit()), c.isolatedAfter(), c.replaceBelow(), CORRELATE_MIN_LINKS);
  }

  /** The defaults of {@code mapek.mesh}, tuned for the default 100 ms heartbeat. */
  public static MeshHealingSettings defaults() {
    return DEFAULTS;
  }

  private static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }

  public MeshHealingSettings withUnresponsiveAfter(Duration value) {
    return new MeshHealingSettings(value, lossWindow, minLossSamples, degradedLossEnter,
        degradedLossExit, degradedRttEnter, degradedRttExit, costFactor, restoreAfter, dropHoldDown,
        signatureFailures, signatureWindow, quarantinePeriod, clockSkewEnter, clockSkewExit,
        isolatedAfter, replaceBelow, correlateMinLinks);
  }

  public MeshHealingSettings withQuarantinePeriod(Duration value) {
    return new MeshHealingSettings(unresponsiveAfter, lossWindow, minLossSamples, degradedLossEnter,
        degradedLossExit, degradedRttEnter, degradedRttExit, costFactor, restoreAfter, dropHoldDown,
        signatureFailures, signatureWindow, value, clockSkewEnter, clockSkewExit,
        isolatedAfter, replaceBelow, correlateMinLinks);
  }

  public MeshHealingSettings withRestoreAfter(Duration value) {
    return new MeshHealingSettings(unresponsiveAfter, lossWindow, minLossSamples, degradedLossEnter,
        degradedLossExit, degradedRttEnter, degradedRttExit, costFactor, value, dropHoldDown,
        signatureFailures, signatureWindow, quarantinePeriod, clockSkewEnter, clockSkewExit,
        isolatedAfter, replaceBelow, correlateMinLinks);
  }

  private static void positive(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
  }

  private static void fraction(String name, double value) {
    if (!(value >= 0 && value <= 1)) {
      throw new IllegalArgumentException(name + " must be within [0, 1], got " + value);
    }
  }
}
