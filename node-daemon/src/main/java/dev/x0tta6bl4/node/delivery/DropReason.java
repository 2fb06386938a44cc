package dev.x0tta6bl4.node.delivery;

/**
 * Why a node dropped a data message, ack or broadcast it received; counted in the stats. No
 * notice goes back to the source: the source learns by its timeout (see {@link UnicastDelivery}).
 */
public enum DropReason {
  /** The TTL allowed no further hop. */
  TTL_EXPIRED,
  /** No next hop toward the destination (or, for acks, toward the source). */
  NO_ROUTE,
  /** Older than the dedup window of its stream: already acknowledged or given up by the source. */
  STALE,
  /** From an older boot of its source than one already seen. */
  STALE_BOOT,
  /** The table of tracked sources or origins is full of recently active entries. */
  TABLE_FULL,
  /** An ack for a stream or sequence this node does not have in flight. */
  UNKNOWN,
  /** An ack whose ranges overlap so much that processing them would cost more than a window. */
  MALFORMED,
  /** The core was closed. */
  CLOSED
}
