package dev.x0tta6bl4.node.cluster;

import dev.x0tta6bl4.node.routing.LinkStateAdvert;
import dev.x0tta6bl4.node.transport.Frame;
import dev.x0tta6bl4.node.transport.FrameType;
import dev.x0tta6bl4.pqc.EnvelopeException;
import dev.x0tta6bl4.pqc.SignedEnvelope;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/** What a misbehaving relay does to the signed adverts it forwards, for fault-injection tests. */
public final class AdvertRewrite {
  private AdvertRewrite() {}

  /**
   * If {@code frame} carries a link-state advert whose origin passes {@code origin}, the same
   * frame with the advert body replaced by {@code alter}'s result and everything else (the
   * origin's signature, its certificate chain) kept: what a relay that alters adverts in flight
   * would send. An identity {@code alter} returns an equal copy.
   */
  public static Optional<Frame> rewriteAdvertOf(Predicate<String> origin, Frame frame,
      UnaryOperator<LinkStateAdvert> alter) {
    if (!(frame instanceof Frame.Opaque opaque) || opaque.type() != FrameType.LINK_STATE_ADVERT) {
      return Optional.empty();
    }
    // Signed advert wire form: u8 version | u32 envelope length | envelope | certificate chain.
    ByteBuffer wire = ByteBuffer.wrap(opaque.body());
    int version = wire.get() & 0xFF;
    byte[] envelope = new byte[wire.getInt()];
    wire.get(envelope);
    byte[] chain = new byte[wire.remaining()];
    wire.get(chain);
    LinkStateAdvert advert;
    try {
      advert = LinkStateAdvert.decode(SignedEnvelope.decode(envelope).payload());
    } catch (EnvelopeException e) {
      throw new AssertionError("a relayed advert does not decode", e);
    }
    if (!origin.test(advert.origin())) {
      return Optional.empty();
    }
    // Envelope: u8 version | u8 algorithm | u16 origin length | origin | u64 sequence |
    // i64 timestamp | u32 payload length | payload | signatures.
    ByteBuffer env = ByteBuffer.wrap(envelope);
    int payloadLengthAt = 1 + 1 + 2 + (env.getShort(2) & 0xFFFF) + 8 + 8;
    int payloadLength = env.getInt(payloadLengthAt);
    int signaturesAt = payloadLengthAt + 4 + payloadLength;
    byte[] body = alter.apply(advert).encode();
    ByteBuffer forged = ByteBuffer.allocate(envelope.length - payloadLength + body.length);
    forged.put(envelope, 0, payloadLengthAt).putInt(body.length).put(body)
        .put(envelope, signaturesAt, envelope.length - signaturesAt);
    ByteBuffer out = ByteBuffer.allocate(1 + 4 + forged.capacity() + chain.length);
    out.put((byte) version).putInt(forged.capacity()).put(forged.array()).put(chain);
    return Optional.of(new Frame.Opaque(FrameType.LINK_STATE_ADVERT, out.array()));
  }
}
