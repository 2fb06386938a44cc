package dev.x0tta6bl4.node.delivery;

/**
 * Identity of one broadcast: its origin node, the origin's boot id and the origin's broadcast
 * sequence number. Seen-sets are keyed by it; boots of one origin must increase across restarts
 * (see {@link MessageId}).
 *
 * <p>Immutable; any thread. Text form: {@code origin/boot/sequence}.
 *
 * @param origin node that broadcast the message
 * @param boot boot id of the origin, positive
 * @param sequence the origin's broadcast counter, positive, increasing by one per broadcast
 */
public record BroadcastId(String origin, long boot, long sequence) {
  /** Checks every field; throws {@link DeliveryException} naming a bad one. */
  public BroadcastId {
    Fields.nodeId("origin", origin);
    Fields.positive("boot", boot);
    Fields.positive("sequence", sequence);
  }

  @Override
  public String toString() {
    return origin + '/' + boot + '/' + sequence;
  }
}
