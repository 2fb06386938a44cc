package dev.x0tta6bl4.node.delivery;

/**
 * What the delivery cores ask their driver to do (send a frame to a neighbour) or tell it (a
 * message for the application, the outcome of a send). Emitted synchronously, in order, to the
 * {@code Consumer} given to the core, on the core's thread; the driver must not call back into
 * the core from inside the consumer.
 */
public sealed interface DeliveryAction {

  /** Send a data message to the neighbour {@code nextHop}. */
  record Forward(String nextHop, DataMessage message) implements DeliveryAction {}

  /** Send an ack to the neighbour {@code nextHop} (toward the ack's target). */
  record SendAck(String nextHop, DataAck ack) implements DeliveryAction {}

  /** Give a unicast message to the application of this node (exactly once per message id). */
  record Deliver(DataMessage message) implements DeliveryAction {}

  /**
   * A message this node sent was acknowledged by its destination.
   *
   * @param rttNanos time from the first copy to the ack
   * @param attempts copies sent (1 = no retransmission)
   */
  record Delivered(MessageId id, long rttNanos, int attempts) implements DeliveryAction {}

  /** A message this node sent ended without an ack; see {@link FailureReason}. */
  record DeliveryFailed(MessageId id, FailureReason reason, int attempts)
      implements DeliveryAction {}

  /** Send a broadcast to the neighbour {@code neighbour}. */
  record ForwardBroadcast(String neighbour, BroadcastMessage message) implements DeliveryAction {}

  /** Give a broadcast to the application of this node (exactly once per broadcast id). */
  record DeliverBroadcast(BroadcastMessage message) implements DeliveryAction {}
}
