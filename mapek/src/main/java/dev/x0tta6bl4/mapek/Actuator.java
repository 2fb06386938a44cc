package dev.x0tta6bl4.mapek;

import java.time.Duration;
import java.util.Objects;

/**
 * An action kind the node can carry out, with its guard-rail timings: {@code timeout} bounds one
 * run, {@code cooldown} is the least time between two starts on the same subject, and
 * {@code verifyWindow} is how long after success the loop waits for the symptoms to clear before
 * it calls the action ineffective.
 */
public record Actuator(String kind, ActionHandler handler, Duration timeout, Duration cooldown,
    Duration verifyWindow) {
  public Actuator {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(handler, "handler");
    requirePositive(kind, "timeout", timeout);
    requireNotNegative(kind, "cooldown", cooldown);
    requirePositive(kind, "verifyWindow", verifyWindow);
  }

  /** An actuator with 5 s timeout, 30 s cooldown and 5 s verification window. */
  public static Actuator of(String kind, ActionHandler handler) {
    return new Actuator(kind, handler, Duration.ofSeconds(5), Duration.ofSeconds(30),
        Duration.ofSeconds(5));
  }

  public Actuator withTimeout(Duration value) {
    return new Actuator(kind, handler, value, cooldown, verifyWindow);
  }

  public Actuator withCooldown(Duration value) {
    return new Actuator(kind, handler, timeout, value, verifyWindow);
  }

  public Actuator withVerifyWindow(Duration value) {
    return new Actuator(kind, handler, timeout, cooldown, value);
  }

  private static void requirePositive(String kind, String name, Duration d) {
    if (d == null || d.isZero() || d.isNegative()) {
      throw new MapekException("actuator " + kind + ": " + name + " must be positive, got " + d);
    }
  }

  private static void requireNotNegative(String kind, String name, Duration d) {
    if (d == null || d.isNegative()) {
      throw new MapekException("actuator " + kind + ": " + name + " must be >= 0, got " + d);
    }
  }
}
