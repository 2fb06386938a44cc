package dev.x0tta6bl4.node.delivery;

/**
 * Why an accepted unicast message ended without an acknowledgement ({@link
 * DeliveryAction.DeliveryFailed}). A failure means "not confirmed": a copy may still have reached
 * the destination (its ack may have been lost), but it is never delivered there twice.
 */
public enum FailureReason {
  /** Copies were sent but no ack came back within the attempt and time bounds. */
  TIMEOUT,
  /** At the last attempt(s) routing had no next hop toward the destination. */
  NO_ROUTE,
  /** The core was closed while the message was in flight. */
  CLOSED
}
