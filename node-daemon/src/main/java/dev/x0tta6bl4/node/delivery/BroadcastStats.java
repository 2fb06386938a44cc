package dev.x0tta6bl4.node.delivery;

import java.util.Map;

/**
 * Counters of one {@link BroadcastDelivery} since it was built, for metrics. A snapshot:
 * immutable; any thread.
 *
 * @param originated broadcasts this node started
 * @param rejected broadcasts refused, by reason
 * @param delivered broadcasts handed to this node's application (own ones included)
 * @param duplicatesSuppressed copies already seen
 * @param forwarded copies sent to neighbours (own and relayed)
 * @param dropped copies dropped before delivery, by reason
 * @param notRelayed new broadcasts delivered here but not relayed because their TTL ran out
 * @param trackedOrigins origins with a seen-set window
 */
public record BroadcastStats(
    long originated,
    Map<Rejection, Long> rejected,
    long delivered,
    long duplicatesSuppressed,
    long forwarded,
    Map<DropReason, Long> dropped,
    long notRelayed,
    int trackedOrigins) {

  /** Copies the maps. */
  public BroadcastStats {
    rejected = Map.copyOf(rejected);
    dropped = Map.copyOf(dropped);
  }
}
