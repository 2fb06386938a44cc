package dev.x0tta6bl4.node.delivery;

/**
 * Identity of one unicast message: the stream from {@code source} to {@code destination} during
 * one boot of the source, and the message's sequence number in that stream.
 *
 * <p>Why a per-destination stream and not one counter per node: the destination deduplicates with
 * a sliding window over the stream's sequence numbers ({@link DeliverySettings#RECEIVE_WINDOW}
 * bits per source), which stays dense and small only when the numbers it sees are consecutive.
 * Uniqueness across restarts comes from {@code boot}: each start of a node uses a boot id greater
 * than any earlier one of the same node (for example a counter kept in the state directory);
 * receivers drop messages of an older boot than the newest they have seen from that source.
 *
 * <p>Immutable; any thread. Text form: {@code source>destination/boot/sequence}.
 *
 * @param source node that sent the message
 * @param destination node the message is for
 * @param boot boot id of the source, positive
 * @param sequence position in the stream, positive, increasing by one per message
 */
public record MessageId(String source, String destination, long boot, long sequence) {
  /** Checks every field; throws {@link DeliveryException} naming a bad one. */
  public MessageId {
    Fields.nodeId("source", source);
    Fields.nodeId("destination", destination);
    Fields.positive("boot", boot);
    Fields.positive("sequence", sequence);
  }

  @Override
  public String toString() {
    return source + '>' + destination + '/' + boot + '/' + sequence;
  }
}
