package dev.x0tta6bl4.node.routing;

/**
 * Bytes that claim to be a link-state advert (or its signed wire form) do not decode. The only
 * exception the routing decoders throw for any input; its message names the field and the rule
 * it broke. Raised on the routing core's thread and turned into {@link RejectReason#MALFORMED}.
 */
public final class RoutingCodecException extends RoutingException {
  private static final long serialVersionUID = 1L;

  public RoutingCodecException(String message) {
    super(message);
  }

  public RoutingCodecException(String message, Throwable cause) {
    super(message, cause);
  }
}
