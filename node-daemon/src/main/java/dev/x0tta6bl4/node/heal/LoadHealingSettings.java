package dev.x0tta6bl4.node.heal;

import dev.x0tta6bl4.node.config.LoadHealingConfig;
import java.time.Duration;

/**
 * Thresholds and timings of {@link LoadHealing}. Immutable; every value is checked and a bad one
 * throws {@link IllegalArgumentException} naming it (and the config key it comes from). The node
 * builds it from configuration section {@code mapek.load} ({@link #of}).
 *
 * @param window the sliding window over which rates and latency percentiles are computed
 * @param latencyHigh the send path is overloaded when the p95 of admission to acknowledgement
 *     over the window exceeds this ...
 * @param latencyLow ... and recovered when it is at most this (hysteresis)
 * @param inFlightHigh overloaded, too, when more admitted unicasts than this await their outcome
 * @param inFlightLow recovered needs at most this many in flight
 * @param minSamples acknowledgements in the window before the latency percentile counts
 * @param enterTicks consecutive ticks over a high mark before overload is reported
 * @param exitTicks consecutive ticks under both low marks before it clears
 * @param shedFactor {@code shed-load} sets the limit to this fraction of the rate acknowledged over
 *     the window (what the node sustains), so the backlog drains
 * @param minRate the limit never goes below this, in messages per second
 * @param restoreStep {@code restore-load} multiplies the limit by this while demand still exceeds
 *     it ...
 * @param restoreSlack ... and removes the lowering at once when the offered rate is at most this
 *     fraction of the limit (the load has dropped)
 * @param restoreHold the limit must have stood this long without overload before a restore step
 * @param shedCooldown least time between two {@code shed-load} starts
 * @param shedVerifyWindow how long after shedding overload must clear
 * @param restoreVerifyWindow how long after a restore step {@code load-shed-active} must clear
 */
public record LoadHealingSettings(
    Duration window,
    Duration latencyHigh,
    Duration latencyLow,
    long inFlightHigh,
    long inFlightLow,
    int minSamples,
    int enterTicks,
    int exitTicks,
    double shedFactor,
    double minRate,
    double restoreStep,
    double restoreSlack,
    Duration restoreHold,
    Duration shedCooldown,
    Duration shedVerifyWindow,
    Duration restoreVerifyWindow) {

  public LoadHealingSettings {
    positive("window", window);
    positive("latency-high", latencyHigh);
    positive("latency-low", latencyLow);
    if (latencyLow.compareTo(latencyHigh) > 0) {
      throw new IllegalArgumentException("mapek.load.latency-low (" + latencyLow
          + ") must not exceed mapek.load.latency-high (" + latencyHigh + ")");
    }
    if (inFlightLow < 0 || inFlightHigh < 1 || inFlightLow > inFlightHigh) {
      throw new IllegalArgumentException("mapek.load.inflight-low/high must satisfy 0 <= low <="
          + " high, 1 <= high; got " + inFlightLow + " and " + inFlightHigh);
    }
    atLeast("min-samples", minSamples, 1);
    atLeast("enter-ticks", enterTicks, 1);
    atLeast("exit-ticks", exitTicks, 1);
    if (!(shedFactor > 0 && shedFactor < 1)) {
      throw new IllegalArgumentException("mapek.load.shed-factor must be within (0, 1), got "
          + shedFactor);
    }
    if (!(minRate > 0)) {
      throw new IllegalArgumentException("mapek.load.min-rate must be > 0 messages/s, got "
          + minRate);
    }
    if (!(restoreStep > 1)) {
      throw new IllegalArgumentException("mapek.load.restore-step must be > 1, got "
          + restoreStep);
    }
    if (!(restoreSlack > 0 && restoreSlack <= 1)) {
      throw new IllegalArgumentException("mapek.load.restore-slack must be within (0, 1], got "
          + restoreSlack);
    }
    positive("restore-hold", restoreHold);
    if (shedCooldown == null || shedCooldown.isNegative()) {
      throw new IllegalArgumentException("mapek.load.shed-cooldown must be >= 0, got "
          + shedCooldown);
    }
    positive("shed-verify-window", shedVerifyWindow);
    positive("restore-verify-window", restoreVerifyWindow);
  }

  /** The defaults of {@code mapek.load}: see docs/healing-load.md for why each is what it is. */
  public static LoadHealingSettings defaults() {
    return of(LoadHealingConfig.defaults());
  }

  /** The settings of configuration section {@code mapek.load}. */
  public static LoadHealingSettings of(LoadHealingConfig c) {
    return new LoadHealingSettings(c.window(), c.latencyHigh(), c.latencyLow(), c.inflightHigh(),
        c.inflightLow(), c.minSamples(), c.enterTicks(), c.exitTicks(), c.shedFactor(),
        c.minRate(), c.restoreStep(), c.restoreSlack(), c.restoreHold(), c.shedCooldown(),
        c.shedVerifyWindow(), c.restoreVerifyWindow());
  }

  private static void positive(String key, Duration d) {
    if (d == null || d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException("mapek.load." + key + " must be positive, got " + d);
    }
  }

  private static void atLeast(String key, int value, int min) {
    if (value < min) {
      throw new IllegalArgumentException("mapek.load." + key + " must be >= " + min + ", got "
          + value);
    }
  }
}
