package dev.x0tta6bl4.node.mesh;

import java.time.Duration;
import java.util.Optional;

/**
 * The mesh refused a message; the reason is stable (the local API maps it to an HTTP status
 * and error code), and for {@link Reason#QUEUE_FULL} a retry-after hint is given.
 */
public final class MeshRejectedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why a message was refused. */
  public enum Reason {
    /** Too many messages in flight; retry after the hint. */
    QUEUE_FULL,
    /** No route to the destination (unknown or unreachable node). */
    NO_ROUTE,
    /** The payload exceeds the configured maximum. */
    PAYLOAD_TOO_LARGE,
    /** A malformed destination, topic or trace context. */
    INVALID_ARGUMENT,
    /** The node is shutting down. */
    SHUTTING_DOWN
  }

  private final Reason reason;
  private final transient Optional<Duration> retryAfter;

  public MeshRejectedException(Reason reason, String message, Optional<Duration> retryAfter) {
    super(message);
    this.reason = reason;
    this.retryAfter = retryAfter;
  }

  public Reason reason() {
    return reason;
  }

  /** When to try again, for {@link Reason#QUEUE_FULL}. */
  public Optional<Duration> retryAfter() {
    return retryAfter;
  }
}
