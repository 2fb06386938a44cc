package dev.x0tta6bl4.node.routing;

/**
 * An invalid argument or state given to the routing core (a bad node id, a cost out of range, a
 * cost change for a link that is not up). Unchecked: it signals a bug in the caller, not hostile
 * input; hostile bytes end in {@link RoutingCodecException} or a typed {@link AdvertRejection}.
 */
public class RoutingException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public RoutingException(String message) {
    super(message);
  }

  public RoutingException(String message, Throwable cause) {
    super(message, cause);
  }
}
