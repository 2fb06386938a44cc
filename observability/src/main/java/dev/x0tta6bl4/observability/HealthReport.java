package dev.x0tta6bl4.observability;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Result of a readiness check: the state of each component. The node is ready when every
 * component is {@link HealthStatus#UP} (an empty report is ready). Immutable value; the component
 * order is kept for rendering.
 *
 * @param components component name to its health, in the order they should be shown
 */
public record HealthReport(Map<String, ComponentHealth> components) {
  /** Copies and validates the components. */
  public HealthReport {
    Objects.requireNonNull(components, "components");
    Map<String, ComponentHealth> copy = new LinkedHashMap<>();
    components.forEach(
        (name, health) -> {
          if (name == null || name.isBlank()) {
            throw new ObservabilityException(
                "component name '" + name + "' is invalid: expected a non-blank name");
          }
          copy.put(name, Objects.requireNonNull(health, "health of " + name));
        });
    components = Collections.unmodifiableMap(copy);
  }

  /** A report with the single component given. */
  public static HealthReport of(String component, ComponentHealth health) {
    return new HealthReport(Map.of(component, health));
  }

  /** UP when every component is UP, otherwise DOWN. */
  public HealthStatus status() {
    return isReady() ? HealthStatus.UP : HealthStatus.DOWN;
  }

  /** True when every component is UP. */
  public boolean isReady() {
    return components.values().stream().allMatch(c -> c.status() == HealthStatus.UP);
  }
}
