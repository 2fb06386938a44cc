package dev.x0tta6bl4.node.routing;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The wire form of a signed advert: the origin's signed envelope followed by the origin's
 * certificate chain, so any node can verify an advert relayed over many hops with nothing but its
 * trust bundle.
 *
 * <pre>
 * +---------+-------------+----------+------------+-------------------------------------+
 * | version | envelopeLen | envelope | chainCount | chainCount x (u32 derLen | DER)     |
 * | u8 = 1  | u32         | bytes    | u8 1-8     | leaf first; each DER 1-32768 bytes  |
 * +---------+-------------+----------+------------+-------------------------------------+
 * </pre>
 *
 * The envelope is capped at {@value #MAX_ENVELOPE_BYTES} bytes; nothing may follow the last
 * certificate. Decoding throws only {@link RoutingCodecException}.
 *
 * @param envelope the encoded {@code SignedEnvelope} whose payload is the advert body
 * @param chain the DER encodings of the origin's certificates, leaf first
 */
record SignedAdvertFrame(byte[] envelope, List<byte[]> chain) {
  static final int VERSION = 1;
  static final int MAX_ENVELOPE_BYTES = 64 * 1024;
  static final int MAX_CHAIN_LENGTH = 8;
  static final int MAX_CERTIFICATE_BYTES = 32 * 1024;
  static final int MAX_ENCODED_BYTES =
      1 + 4 + MAX_ENVELOPE_BYTES + 1 + MAX_CHAIN_LENGTH * (4 + MAX_CERTIFICATE_BYTES);

  byte[] encode() {
    int size = 1 + 4 + envelope.length + 1;
    for (byte[] der : chain) {
      size += 4 + der.length;
    }
    ByteBuffer out = ByteBuffer.allocate(size);
    out.put((byte) VERSION).putInt(envelope.length).put(envelope).put((byte) chain.size());
    for (byte[] der : chain) {
      out.putInt(der.length).put(der);
    }
    return out.array();
  }

  static SignedAdvertFrame decode(byte[] wire) {
    if (wire == null) {
      throw new RoutingCodecException("signed advert is null");
    }
    if (wire.length > MAX_ENCODED_BYTES) {
      throw new RoutingCodecException(
          "signed advert is " + wire.length + " bytes; at most " + MAX_ENCODED_BYTES);
    }
    ByteBuffer in = ByteBuffer.wrap(wire);
    need(in, 1 + 4, "version and envelope length");
    int version = in.get() & 0xFF;
    if (version != VERSION) {
      throw new RoutingCodecException(
          "signed advert version " + version + " is unknown; expected " + VERSION);
    }
    byte[] envelope = bytes(in, in.getInt(), 1, MAX_ENVELOPE_BYTES, "envelope");
    need(in, 1, "certificate count");
    int count = in.get() & 0xFF;
    if (count < 1 || count > MAX_CHAIN_LENGTH) {
      throw new RoutingCodecException(
          "certificate count " + count + " is outside [1, " + MAX_CHAIN_LENGTH + "]");
    }
    List<byte[]> chain = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      need(in, 4, "length of certificate " + i);
      chain.add(bytes(in, in.getInt(), 1, MAX_CERTIFICATE_BYTES, "certificate " + i));
    }
    if (in.hasRemaining()) {
      throw new RoutingCodecException(in.remaining() + " bytes follow the last certificate");
    }
    return new SignedAdvertFrame(envelope, List.copyOf(chain));
  }

  private static byte[] bytes(ByteBuffer in, int length, int min, int max, String what) {
    if (length < min || length > max) {
      throw new RoutingCodecException(
          what + " length " + Integer.toUnsignedString(length) + " is outside [" + min + ", "
              + max + "]");
    }
    need(in, length, what);
    byte[] out = Arrays.copyOfRange(in.array(), in.position(), in.position() + length);
    in.position(in.position() + length);
    return out;
  }

  private static void need(ByteBuffer in, int bytes, String what) {
    if (in.remaining() < bytes) {
      throw new RoutingCodecException(
          "signed advert ends before " + what + ": " + bytes + " bytes needed, " + in.remaining()
              + " left");
    }
  }
}
