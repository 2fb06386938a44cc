package dev.x0tta6bl4.observability;

import java.util.Objects;

/**
 * Health of one component (for example {@code raft} or {@code links}) in a {@link HealthReport}.
 * Immutable value.
 *
 * @param status whether the component can serve
 * @param detail a short human-readable reason, empty when there is nothing to say; rendered as
 *     {@code "detail"} in JSON only when non-empty
 */
public record ComponentHealth(HealthStatus status, String detail) {
  /** Validates the fields. */
  public ComponentHealth {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(detail, "detail");
  }

  /** A component that is up, with no detail. */
  public static ComponentHealth up() {
    return new ComponentHealth(HealthStatus.UP, "");
  }

  /** A component that is up, with a detail such as {@code "leader n1"}. */
  public static ComponentHealth up(String detail) {
    return new ComponentHealth(HealthStatus.UP, detail);
  }

  /** A component that is down, with the reason. */
  public static ComponentHealth down(String reason) {
    return new ComponentHealth(HealthStatus.DOWN, reason);
  }
}
