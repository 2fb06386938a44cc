package dev.x0tta6bl4.node.delivery;

import java.util.Map;

/**
 * Counters of one {@link UnicastDelivery} since it was built, for metrics. A snapshot: immutable;
 * any thread.
 *
 * @param inFlight messages sent and not yet acknowledged or failed
 * @param accepted sends accepted
 * @param rejected sends refused, by reason
 * @param delivered messages of this node acknowledged by their destination
 * @param retransmits copies sent after the first
 * @param failed messages of this node that ended in {@code DeliveryFailed}, by reason
 * @param deliveredToApp messages for this node handed to the application
 * @param duplicatesSuppressed copies for this node that were already delivered
 * @param forwarded data messages relayed toward their destination
 * @param dropped data messages dropped, by reason
 * @param acksSent ack frames this node sent as destination
 * @param acksForwarded ack frames relayed toward their target
 * @param acksReceived ack frames for this node
 * @param acksDropped ack frames dropped, by reason
 * @param trackedSources sources with a dedup window
 * @param destinations destinations with send state
 */
public record UnicastStats(
    long inFlight,
    long accepted,
    Map<Rejection, Long> rejected,
    long delivered,
    long retransmits,
    Map<FailureReason, Long> failed,
    long deliveredToApp,
    long duplicatesSuppressed,
    long forwarded,
    Map<DropReason, Long> dropped,
    long acksSent,
    long acksForwarded,
    long acksReceived,
    Map<DropReason, Long> acksDropped,
    int trackedSources,
    int destinations) {

  /** Copies the maps. */
  public UnicastStats {
    rejected = Map.copyOf(rejected);
    failed = Map.copyOf(failed);
    dropped = Map.copyOf(dropped);
    acksDropped = Map.copyOf(acksDropped);
  }
}
