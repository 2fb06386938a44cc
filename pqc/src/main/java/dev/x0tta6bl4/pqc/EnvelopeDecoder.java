package dev.x0tta6bl4.pqc;

import dev.x0tta6bl4.pqc.EnvelopeException.Reason;
import dev.x0tta6bl4.pqc.SignedEnvelope.Algorithm;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;

/**
 * Strict decoder of the {@link SignedEnvelope} wire format: every length is checked against
 * its cap and against the bytes left before anything is allocated, and anything unexpected is
 * an {@link EnvelopeException}, never another exception. Stateless.
 */
final class EnvelopeDecoder {

  private EnvelopeDecoder() {}

  static SignedEnvelope decode(byte[] bytes) throws EnvelopeException {
    if (bytes == null) {
      throw new EnvelopeException(Reason.TRUNCATED, "no envelope bytes");
    }
    if (bytes.length > SignedEnvelope.MAX_ENCODED_BYTES) {
      throw new EnvelopeException(
          Reason.TOO_LARGE,
          "envelope is " + bytes.length + " bytes; at most " + SignedEnvelope.MAX_ENCODED_BYTES
              + " accepted");
    }
    try {
      return decodeChecked(ByteBuffer.wrap(bytes));
    } catch (EnvelopeException e) {
      throw e;
    } catch (RuntimeException e) {
      // Defence in depth: the checks below should make this unreachable.
      throw new EnvelopeException(Reason.TRUNCATED, "malformed envelope: " + e, e);
    }
  }

  private static SignedEnvelope decodeChecked(ByteBuffer in) throws EnvelopeException {
    need(in, 2, "version and algorithm");
    int version = Byte.toUnsignedInt(in.get());
    if (version != SignedEnvelope.VERSION) {
      throw new EnvelopeException(
          Reason.BAD_VERSION,
          "envelope version " + version + "; expected " + SignedEnvelope.VERSION);
    }
    int algorithmId = Byte.toUnsignedInt(in.get());
    Algorithm algorithm =
        Algorithm.fromId(algorithmId)
            .orElseThrow(
                () ->
                    new EnvelopeException(
                        Reason.UNKNOWN_ALGORITHM,
                        "envelope algorithm id " + algorithmId + "; expected 1, 2 or 3"));
    SpiffeId origin = readOrigin(in);
    need(in, 8 + 8 + 4, "sequence, timestamp and payload length");
    long sequence = in.getLong();
    long timestamp = in.getLong();
    long payloadLength = Integer.toUnsignedLong(in.getInt());
    if (payloadLength > SignedEnvelope.MAX_PAYLOAD_BYTES) {
      throw new EnvelopeException(
          Reason.TOO_LARGE,
          "envelope payload length " + payloadLength + "; at most "
              + SignedEnvelope.MAX_PAYLOAD_BYTES);
    }
    byte[] payload = readBytes(in, (int) payloadLength, "payload");
    byte[] signature;
    byte[] second = null;
    if (algorithm == Algorithm.ML_DSA_65) {
      signature = readSignature(in, SignedEnvelope.ML_DSA_65_SIGNATURE_BYTES, "ML-DSA-65");
    } else {
      signature = readSignature(in, SignedEnvelope.ED25519_SIGNATURE_BYTES, "Ed25519");
      if (algorithm == Algorithm.HYBRID_ED25519_ML_DSA_65) {
        second = readSignature(in, SignedEnvelope.ML_DSA_65_SIGNATURE_BYTES, "ML-DSA-65");
      }
    }
    if (in.hasRemaining()) {
      throw new EnvelopeException(
          Reason.TRAILING_BYTES, in.remaining() + " bytes follow the envelope's last signature");
    }
    return SignedEnvelope.decoded(algorithm, origin, sequence, timestamp, payload, signature, second);
  }

  private static SpiffeId readOrigin(ByteBuffer in) throws EnvelopeException {
    need(in, 2, "origin length");
    int length = Short.toUnsignedInt(in.getShort());
    if (length == 0) {
      throw new EnvelopeException(Reason.BAD_ORIGIN, "envelope origin is empty");
    }
    if (length > SpiffeId.MAX_LENGTH) {
      throw new EnvelopeException(
          Reason.TOO_LARGE, "envelope origin length " + length + "; at most " + SpiffeId.MAX_LENGTH);
    }
    byte[] raw = readBytes(in, length, "origin");
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(raw))
              .toString();
    } catch (CharacterCodingException e) {
      throw new EnvelopeException(Reason.BAD_ORIGIN, "envelope origin is not UTF-8", e);
    }
    try {
      return SpiffeId.parse(text);
    } catch (PqcException e) {
      throw new EnvelopeException(Reason.BAD_ORIGIN, "envelope origin: " + e.getMessage(), e);
    }
  }

  private static byte[] readSignature(ByteBuffer in, int expected, String name)
      throws EnvelopeException {
    need(in, 2, name + " signature length");
    int length = Short.toUnsignedInt(in.getShort());
    if (length != expected) {
      throw new EnvelopeException(
          Reason.BAD_SIGNATURE_LENGTH,
          name + " signature length " + length + "; expected " + expected);
    }
    return readBytes(in, length, name + " signature");
  }

  private static byte[] readBytes(ByteBuffer in, int length, String field) throws EnvelopeException {
    need(in, length, field);
    byte[] value = new byte[length];
    in.get(value);
    return value;
  }

  private static void need(ByteBuffer in, int bytes, String field) throws EnvelopeException {
    if (in.remaining() < bytes) {
      throw new EnvelopeException(
          Reason.TRUNCATED,
          "envelope ends after " + in.position() + " bytes; " + field + " needs " + bytes
              + " more, " + in.remaining() + " left");
    }
  }
}
