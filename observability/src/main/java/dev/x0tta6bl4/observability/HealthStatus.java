package dev.x0tta6bl4.observability;

/** State of one component, or of the node as a whole, in a {@link HealthReport}. */
public enum HealthStatus {
  /** Working and able to serve. */
  UP,
  /** Not (yet) able to serve. */
  DOWN
}
