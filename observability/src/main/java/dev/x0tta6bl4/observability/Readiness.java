package dev.x0tta6bl4.observability;

/**
 * Tells whether the node is ready to serve; backs {@code GET /health/ready}.
 *
 * <p>Called on the HTTP server's event loop for every readiness probe, so it must be fast and
 * non-blocking: read state that components publish (volatile fields, atomics), never do I/O or
 * wait for a lock held by slow work. An exception thrown here is reported as a 503 with a {@code
 * readiness} component DOWN and logged.
 */
@FunctionalInterface
public interface Readiness {
  /** Returns the current state of every component that decides readiness. */
  HealthReport check();
}
