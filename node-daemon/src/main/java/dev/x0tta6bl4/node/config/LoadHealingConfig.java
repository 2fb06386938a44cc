package dev.x0tta6bl4.node.config;

import static dev.x0tta6bl4.node.config.NodeConfig.requireBelow;
import static dev.x0tta6bl4.node.config.NodeConfig.requireRange;

import java.time.Duration;

/**
 * Section {@code mapek.load}: when the local API's send path counts as overloaded, how far
 * {@code shed-load} lowers its admission limit and how {@code restore-load} raises it again
 * (see {@code docs/healing-load.md}). The node maps it onto {@code heal.LoadHealingSettings};
 * these defaults are the only copy of the numbers. The configured limit that is restored is
 * {@code api.send-rate-limit}.
 *
 * @param window the sliding window of rates and latency percentiles, 100ms..1m
 * @param latencyHigh overloaded when the p95 of admission to acknowledgement exceeds the path's
 *     base latency by more than this, 1ms..1m
 * @param latencyLow recovered when it exceeds the base by at most this, 1ms..1m, below {@code
 *     latencyHigh}
 * @param inflightHigh overloaded, too, when more admitted unicasts than this await their
 *     outcome, 1..10^7
 * @param inflightLow recovered needs at most this many in flight, 0..10^7, below {@code
 *     inflightHigh}
 * @param minSamples acknowledgements in the window before the latency percentile counts,
 *     1..100000
 * @param enterTicks consecutive ticks over a high mark before overload is reported, 1..100
 * @param exitTicks consecutive ticks under both low marks before it clears, 1..100
 * @param shedFactor {@code shed-load} sets the limit to this fraction of the acknowledged rate,
 *     0.01..0.99
 * @param minRate the lowered limit never goes below this many messages per second, 0.1..10^6
 * @param restoreStep {@code restore-load} multiplies the limit by this while demand exceeds it,
 *     1.05..10
 * @param restoreSlack it restores the configured limit at once when the offered rate is at most
 *     this fraction of the lowered limit, 0.05..1.0
 * @param restoreHold a lowered limit must stand this long without overload before a restore
 *     step, 100ms..1h
 * @param shedCooldown least time between two {@code shed-load} starts, 0s..1h
 * @param shedVerifyWindow how long after shedding overload must clear, 100ms..1h
 * @param restoreVerifyWindow how long after a restore step the lowered state must clear,
 *     100ms..1h
 */
public record LoadHealingConfig(
    Duration window,
    Duration latencyHigh,
    Duration latencyLow,
    long inflightHigh,
    long inflightLow,
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
  private static final String P = "mapek.load.";

  /** Validates the values. */
  public LoadHealingConfig {
    requireRange(P + "window", window, Duration.ofMillis(100), Duration.ofMinutes(1));
    requireRange(P + "latency-high", latencyHigh, Duration.ofMillis(1), Duration.ofMinutes(1));
    requireRange(P + "latency-low", latencyLow, Duration.ofMillis(1), Duration.ofMinutes(1));
    requireBelow(P + "latency-low", latencyLow, P + "latency-high", latencyHigh);
    requireRange(P + "inflight-high", inflightHigh, 1L, 10_000_000L);
    requireRange(P + "inflight-low", inflightLow, 0L, 10_000_000L);
    requireBelow(P + "inflight-low", inflightLow, P + "inflight-high", inflightHigh);
    requireRange(P + "min-samples", minSamples, 1, 100_000);
    requireRange(P + "enter-ticks", enterTicks, 1, 100);
    requireRange(P + "exit-ticks", exitTicks, 1, 100);
    requireRange(P + "shed-factor", shedFactor, 0.01, 0.99);
    requireRange(P + "min-rate", minRate, 0.1, 1_000_000.0);
    requireRange(P + "restore-step", restoreStep, 1.05, 10.0);
    requireRange(P + "restore-slack", restoreSlack, 0.05, 1.0);
    requireRange(P + "restore-hold", restoreHold, Duration.ofMillis(100), Duration.ofHours(1));
    requireRange(P + "shed-cooldown", shedCooldown, Duration.ZERO, Duration.ofHours(1));
    requireRange(P + "shed-verify-window", shedVerifyWindow, Duration.ofMillis(100),
        Duration.ofHours(1));
    requireRange(P + "restore-verify-window", restoreVerifyWindow, Duration.ofMillis(100),
        Duration.ofHours(1));
  }

  /**
   * A 500 ms window; overloaded at 250 ms over the base latency or 4,096 in flight for 2 ticks,
   * recovered at 100 ms and 1,024 after 1 tick, with at least 10 acknowledgements; shed to a
   * quarter of the acknowledged rate (never below 10/s) at most once a second, verified within
   * 6 s; restore after the limit stood 2 s, in steps of 1.5x, at once when the offered rate fell
   * to 80 % of the limit, verified within 1 s. docs/healing-load.md says why.
   */
  public static LoadHealingConfig defaults() {
    return new LoadHealingConfig(Duration.ofMillis(500), Duration.ofMillis(250),
        Duration.ofMillis(100), 4_096, 1_024, 10, 2, 1, 0.25, 10, 1.5, 0.8,
        Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(6),
        Duration.ofSeconds(1));
  }

  /** A copy with {@code shedFactor} replaced. */
  public LoadHealingConfig withShedFactor(double value) {
    return new LoadHealingConfig(window, latencyHigh, latencyLow, inflightHigh, inflightLow,
        minSamples, enterTicks, exitTicks, value, minRate, restoreStep, restoreSlack,
        restoreHold, shedCooldown, shedVerifyWindow, restoreVerifyWindow);
  }
}
