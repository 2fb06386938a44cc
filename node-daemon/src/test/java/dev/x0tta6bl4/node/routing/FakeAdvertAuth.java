package dev.x0tta6bl4.node.routing;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * A cheap deterministic stand-in for envelope signing, for simulations of many routers: the
 * "signature" is a 64-bit keyed hash whose key only the signer id derives. It detects altered
 * bytes and origin mismatches like the real verifier, not a determined forger. Public for the
 * mesh simulator ({@code dev.x0tta6bl4.node.sim}), whose hundreds of nodes cannot afford Ed25519.
 *
 * <pre>
 * | 0xFA | signerLen u8 | signer | bodyLen u32 | body | tag u64 |
 * </pre>
 */
public final class FakeAdvertAuth {
  private static final int MAGIC = 0xFA;

  private FakeAdvertAuth() {}

  public static AdvertSigner signer(String nodeId) {
    return advert -> {
      if (!advert.origin().equals(nodeId)) {
        throw new RoutingException("fake signer of " + nodeId + " asked to sign for " + advert.origin());
      }
      return signAs(nodeId, advert);
    };
  }

  /** Signs {@code advert} with {@code signer}'s key whatever its origin (for forgery tests). */
  public static byte[] signAs(String signer, LinkStateAdvert advert) {
    byte[] body = advert.encode();
    byte[] id = signer.getBytes(StandardCharsets.US_ASCII);
    ByteBuffer out = ByteBuffer.allocate(1 + 1 + id.length + 4 + body.length + 8);
    out.put((byte) MAGIC).put((byte) id.length).put(id).putInt(body.length).put(body);
    out.putLong(tag(signer, body));
    return out.array();
  }

  public static AdvertVerifier verifier() {
    return new AdvertVerifier() {
      @Override
      public LinkStateAdvert parse(byte[] wire) {
        return LinkStateAdvert.decode(split(wire).body);
      }

      @Override
      public Optional<AdvertRejection> verify(byte[] wire, LinkStateAdvert claimed) {
        Parts parts;
        try {
          parts = split(wire);
        } catch (RoutingCodecException e) {
          return Optional.of(new AdvertRejection(RejectReason.MALFORMED, e.getMessage()));
        }
        if (tag(parts.signer, parts.body) != parts.tag) {
          return Optional.of(new AdvertRejection(RejectReason.BAD_SIGNATURE, "tag mismatch"));
        }
        if (!parts.signer.equals(claimed.origin())) {
          return Optional.of(
              new AdvertRejection(
                  RejectReason.ORIGIN_MISMATCH,
                  "signed by " + parts.signer + ", claims " + claimed.origin()));
        }
        return Optional.empty();
      }
    };
  }

  /** The offset of the body's last byte in a fake wire form (the low byte of the last cost). */
  static int lastBodyByte(byte[] wire) {
    return wire.length - 8 - 1;
  }

  private record Parts(String signer, byte[] body, long tag) {}

  private static Parts split(byte[] wire) {
    try {
      ByteBuffer in = ByteBuffer.wrap(wire);
      if ((in.get() & 0xFF) != MAGIC) {
        throw new RoutingCodecException("not a fake advert");
      }
      byte[] id = new byte[in.get() & 0xFF];
      in.get(id);
      int length = in.getInt();
      if (length < 0 || length > in.remaining() - 8) {
        throw new RoutingCodecException("bad body length " + length);
      }
      byte[] body = Arrays.copyOfRange(wire, in.position(), in.position() + length);
      in.position(in.position() + length);
      long tag = in.getLong();
      if (in.hasRemaining()) {
        throw new RoutingCodecException("trailing bytes");
      }
      return new Parts(new String(id, StandardCharsets.US_ASCII), body, tag);
    } catch (RuntimeException e) {
      if (e instanceof RoutingCodecException) {
        throw e;
      }
      throw new RoutingCodecException("fake advert does not decode: " + e, e);
    }
  }

  private static long tag(String signer, byte[] body) {
    long h = 0x9E3779B97F4A7C15L ^ signer.hashCode() * 0xC2B2AE3D27D4EB4FL;
    for (byte b : body) {
      h = (h ^ (b & 0xFF)) * 0x100000001B3L;
      h ^= h >>> 29;
    }
    return h;
  }
}
