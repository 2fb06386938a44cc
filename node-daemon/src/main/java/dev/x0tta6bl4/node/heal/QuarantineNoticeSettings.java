package dev.x0tta6bl4.node.heal;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits of the signed quarantine notices ({@link QuarantineNotices}). Immutable; every value is
 * checked when built, and a bad one throws {@link IllegalArgumentException} naming it. No config
 * keys yet: the node uses {@link #defaults()} unless its container binds an instance (tests).
 *
 * @param freshness how far a notice's timestamp may be from the receiver's clock, either way;
 *     older (or later) notices are rejected as stale, which also bounds how long a sequence must
 *     be remembered for replay detection
 * @param maxPeriod longest quarantine period a notice may announce; longer is rejected
 * @param reportLifetime how long an accepted notice counts as evidence at most (it counts for
 *     the announced period when that is shorter)
 * @param maxReportsPerReporter live reports one neighbour may hold; more are rejected, so a
 *     chatty or hostile neighbour cannot grow the receiver's memory without bound
 */
public record QuarantineNoticeSettings(
    Duration freshness, Duration maxPeriod, Duration reportLifetime, int maxReportsPerReporter) {

  public QuarantineNoticeSettings {
    positive("freshness", freshness);
    positive("maxPeriod", maxPeriod);
    positive("reportLifetime", reportLifetime);
    if (maxReportsPerReporter < 1) {
      throw new IllegalArgumentException(
          "maxReportsPerReporter must be at least 1, got " + maxReportsPerReporter);
    }
  }

  private static final QuarantineNoticeSettings DEFAULTS = new QuarantineNoticeSettings(
      Duration.ofSeconds(30), Duration.ofHours(1), Duration.ofMinutes(5), 64);

  /** 30 s freshness, 1 h longest period, 5 min report lifetime, 64 reports per neighbour. */
  public static QuarantineNoticeSettings defaults() {
    return DEFAULTS;
  }

  public QuarantineNoticeSettings withReportLifetime(Duration value) {
    return new QuarantineNoticeSettings(freshness, maxPeriod, value, maxReportsPerReporter);
  }

  private static void positive(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
  }
}
