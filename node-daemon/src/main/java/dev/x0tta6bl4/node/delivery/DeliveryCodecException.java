package dev.x0tta6bl4.node.delivery;

/**
 * Bytes that are not a valid delivery message body: wrong version, a length over its cap, a
 * truncated field, a bad character or trailing bytes. The only exception {@link DeliveryCodec}
 * decoders throw; the message says which field was wrong and what was expected.
 *
 * <p>Thrown on the thread that decodes (a Netty event loop in production).
 */
public final class DeliveryCodecException extends DeliveryException {
  private static final long serialVersionUID = 1L;

  /** A decoding failure described by {@code message}. */
  public DeliveryCodecException(String message) {
    super(message);
  }
}
