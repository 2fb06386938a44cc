package dev.x0tta6bl4.node.delivery;

/**
 * An argument or state that the delivery cores or their message types cannot accept, e.g. a node
 * id that is not a valid node id or a TTL outside 1..255. The message names the bad value and what
 * was expected.
 *
 * <p>Thrown on the thread that calls the core or builds the value; expected outcomes such as a
 * full queue are typed results ({@link SendResult.Rejected}), never this exception.
 */
public class DeliveryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** A problem described by {@code message}, which names the bad value and what was expected. */
  public DeliveryException(String message) {
    super(message);
  }
}
