package dev.x0tta6bl4.node.delivery;

/** Why a send or broadcast was refused at once; nothing was sent. Used by {@link SendResult}. */
public enum Rejection {
  /** The in-flight window (per node, per destination or of destinations) is full; retry later. */
  QUEUE_FULL,
  /** Routing knows no next hop toward the destination now. */
  NO_ROUTE,
  /** The payload is larger than {@link DeliverySettings#maxPayloadBytes()}. */
  PAYLOAD_TOO_LARGE,
  /** A destination, topic or traceparent that is not valid; the detail names it. */
  INVALID_ARGUMENT,
  /** The core was closed. */
  CLOSED
}
