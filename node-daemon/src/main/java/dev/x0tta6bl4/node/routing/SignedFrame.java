package dev.x0tta6bl4.node.routing;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The wire form of signed control data (link-state adverts, quarantine notices): the origin's
 * signed envelope followed by the origin's certificate chain, so any node can verify it, after
 * any number of relaying hops, with nothing but its trust bundle. {@link EnvelopeSigner} writes
 * it and {@link EnvelopeChainVerifier} authenticates it; what the envelope's payload means is the
 * caller's business.
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
 * @param envelope the encoded {@code SignedEnvelope} (its payload: an advert body, a notice)
 * @param chain the DER encodings of the origin's certificates, leaf first
 */
public record SignedFrame(byte[] envelope, List<byte[]> chain) {
  static final int VERSION = 1;
  public static final int MAX_ENVELOPE_BYTES = 64 * 1024;
  public static final int MAX_CHAIN_LENGTH = 8;
  public static final int MAX_CERTIFICATE_BYTES = 32 * 1024;
  public static final int MAX_ENCODED_BYTES =
      1 + 4 + MAX_ENVELOPE_BYTES + 1 + MAX_CHAIN_LENGTH * (4 + MAX_CERTIFICATE_BYTES);

  /** The wire form (see the class comment). */
  public byte[] encode() {
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

  /**
   * Decodes the wire form, checking every length against its cap and the bytes left.
   *
   * @throws RoutingCodecException for any malformed input, naming the field (the only exception)
   */
  public static SignedFrame decode(byte[] wire) {
    if (wire == null) {
      throw new RoutingCodecException("signed frame is null");
    }
    if (wire.length > MAX_ENCODED_BYTES) {
      throw new RoutingCodecException(
          "signed frame is " + wire.length + " bytes; at most " + MAX_ENCODED_BYTES);
    }
    ByteBuffer in = ByteBuffer.wrap(wire);
    need(in, 1 + 4, "version and envelope length");
    int version = in.get() & 0xFF;
    if (version != VERSION) {
      throw new RoutingCodecException(
          "signed frame version " + version + " is unknown; expected " + VERSION);
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
    return new SignedFrame(envelope, List.copyOf(chain));
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
          "signed frame ends before " + what + ": " + bytes + " bytes needed, " + in.remaining()
              + " left");
    }
  }
}
