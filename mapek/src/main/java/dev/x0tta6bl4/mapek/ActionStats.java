package dev.x0tta6bl4.mapek;

/** How often an action kind worked for an incident kind (verified) and how often it did not. */
public record ActionStats(long successes, long failures) {
  public static final ActionStats NONE = new ActionStats(0, 0);

  public long trials() {
    return successes + failures;
  }

  /** Laplace-smoothed success rate: 0.5 with no evidence, moving toward the observed rate. */
  public double successRate() {
    return (successes + 1.0) / (trials() + 2.0);
  }

  /** Weight of the evidence in [0, 1): n / (n + 2). */
  public double confidence() {
    return trials() / (trials() + 2.0);
  }

  ActionStats plus(boolean success) {
    return success ? new ActionStats(successes + 1, failures) : new ActionStats(successes, failures + 1);
  }
}
