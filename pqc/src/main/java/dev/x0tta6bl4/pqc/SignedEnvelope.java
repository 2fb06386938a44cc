package dev.x0tta6bl4.pqc;

import dev.x0tta6bl4.pqc.EnvelopeException.Reason;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Control data signed by its origin node, so that any node can verify it after any number of
 * relaying hops: a relaying peer can drop an envelope but cannot forge or alter one.
 *
 * <h2>Encoding, version 1 (all integers big-endian)</h2>
 *
 * <pre>
 * +---------+-----------+------------+--------------+----------+-----------+------------+---------+
 * | version | algorithm | origin len | origin       | sequence | timestamp | payload len| payload |
 * | u8 = 1  | u8        | u16 1-2048 | UTF-8 URI    | u64      | i64 ms    | u32        | bytes   |
 * +---------+-----------+------------+--------------+----------+-----------+------------+---------+
 * +---------+-------------+  [algorithm 3 only:]  +---------+---------------+
 * | sig len | signature 1 |                       | sig len | signature 2   |
 * | u16     | bytes       |                       | u16     | ML-DSA-65     |
 * +---------+-------------+                       +---------+---------------+
 * </pre>
 *
 * <p>Algorithm ids: 1 = Ed25519 (signature 1 is 64 bytes), 2 = ML-DSA-65 (3309 bytes), 3 =
 * hybrid Ed25519 + ML-DSA-65 (signature 1 Ed25519, signature 2 ML-DSA-65; both must verify).
 * The payload is capped at {@value #MAX_PAYLOAD_BYTES} bytes, the origin at 2048 bytes, and
 * every signature length must equal its algorithm's fixed size; the decoder checks each length
 * against its cap and against the bytes remaining before allocating anything.
 *
 * <p>Every signature covers {@code "x0tta6bl4-meshd/signed-envelope/v1" || 0x00} followed by
 * all bytes from the version up to the end of the payload. The algorithm id is inside the
 * signed bytes, so a hybrid envelope cannot be downgraded by stripping its ML-DSA signature
 * and relabelling it Ed25519.
 *
 * <h2>Hybrid identities</h2>
 *
 * A hybrid origin holds two X.509-SVIDs for the same SPIFFE ID from the same trust bundle: an
 * Ed25519 one (also used for TLS) and an ML-DSA-65 one. {@link #verifyHybrid} validates both
 * chains and requires both to name the origin. The hybrid is only as post-quantum as the CA
 * that binds the ML-DSA key: with an Ed25519 CA a quantum forger of the CA signature could
 * certify its own ML-DSA key, so a post-quantum deployment uses an ML-DSA-65 mesh CA.
 *
 * <p>Sequence numbers are unsigned; replay protection is the receiver's job ({@link
 * ReplayGuard}), after verification. Instances are immutable and thread-safe.
 */
public final class SignedEnvelope {

  /** Format version written by this class. */
  public static final int VERSION = 1;
  /** Largest payload accepted or produced. */
  public static final int MAX_PAYLOAD_BYTES = 1 << 20;
  /** Largest encoded envelope accepted by {@link #decode}. */
  public static final int MAX_ENCODED_BYTES =
      MAX_PAYLOAD_BYTES + SpiffeId.MAX_LENGTH + 64 + 3309 + 64;

  static final int ED25519_SIGNATURE_BYTES = 64;
  static final int ML_DSA_65_SIGNATURE_BYTES = 3309;
  private static final byte[] CONTEXT =
      "x0tta6bl4-meshd/signed-envelope/v1\0".getBytes(StandardCharsets.US_ASCII);
  private static final int FIXED_HEADER_BYTES = 1 + 1 + 2 + 8 + 8 + 4;

  /** Envelope signature algorithms and their wire ids. */
  public enum Algorithm {
    ED25519(1),
    ML_DSA_65(2),
    HYBRID_ED25519_ML_DSA_65(3);

    private final int id;

    Algorithm(int id) {
      this.id = id;
    }

    /** The wire id. */
    public int id() {
      return id;
    }

    /** The algorithm with wire id {@code id}, if known. */
    public static Optional<Algorithm> fromId(int id) {
      for (Algorithm algorithm : values()) {
        if (algorithm.id == id) {
          return Optional.of(algorithm);
        }
      }
      return Optional.empty();
    }
  }

  private final Algorithm algorithm;
  private final SpiffeId origin;
  private final long sequence;
  private final long timestampMillis;
  private final byte[] payload;
  private final byte[] signature;
  private final byte[] secondSignature;

  private SignedEnvelope(
      Algorithm algorithm,
      SpiffeId origin,
      long sequence,
      long timestampMillis,
      byte[] payload,
      byte[] signature,
      byte[] secondSignature) {
    this.algorithm = algorithm;
    this.origin = origin;
    this.sequence = sequence;
    this.timestampMillis = timestampMillis;
    this.payload = payload;
    this.signature = signature;
    this.secondSignature = secondSignature;
  }

  /**
   * Signs {@code payload} with a single key: Ed25519 gives algorithm 1, ML-DSA-65 algorithm 2.
   *
   * @throws PqcException if the key is of another type, the payload is too large or the
   *     provider fails
   */
  public static SignedEnvelope sign(
      SpiffeId origin, long sequence, long timestampMillis, byte[] payload, PrivateKey key) {
    SignatureAlgorithm keyAlgorithm =
        SignatureAlgorithm.of(key)
            .filter(a -> a != SignatureAlgorithm.ECDSA_P256)
            .orElseThrow(
                () ->
                    new PqcException(
                        "envelope key algorithm " + key.getAlgorithm()
                            + " is not supported; expected Ed25519 or ML-DSA-65"));
    Algorithm algorithm =
        keyAlgorithm == SignatureAlgorithm.ED25519 ? Algorithm.ED25519 : Algorithm.ML_DSA_65;
    byte[] copy = checkedPayload(payload);
    byte[] signed = signedBytes(algorithm, origin, sequence, timestampMillis, copy);
    return new SignedEnvelope(
        algorithm, origin, sequence, timestampMillis, copy, signWith(keyAlgorithm, key, signed), null);
  }

  /** Signs {@code payload} with both keys (algorithm 3). */
  public static SignedEnvelope signHybrid(
      SpiffeId origin,
      long sequence,
      long timestampMillis,
      byte[] payload,
      PrivateKey ed25519Key,
      PrivateKey mlDsa65Key) {
    requireKeyType(ed25519Key, SignatureAlgorithm.ED25519);
    requireKeyType(mlDsa65Key, SignatureAlgorithm.ML_DSA_65);
    byte[] copy = checkedPayload(payload);
    Algorithm algorithm = Algorithm.HYBRID_ED25519_ML_DSA_65;
    byte[] signed = signedBytes(algorithm, origin, sequence, timestampMillis, copy);
    return new SignedEnvelope(
        algorithm,
        origin,
        sequence,
        timestampMillis,
        copy,
        signWith(SignatureAlgorithm.ED25519, ed25519Key, signed),
        signWith(SignatureAlgorithm.ML_DSA_65, mlDsa65Key, signed));
  }

  /** The canonical encoding (see the class comment). */
  public byte[] encode() {
    byte[] header = signedBytes(algorithm, origin, sequence, timestampMillis, payload);
    int size = header.length - CONTEXT.length + 2 + signature.length;
    if (secondSignature != null) {
      size += 2 + secondSignature.length;
    }
    ByteBuffer out = ByteBuffer.allocate(size);
    out.put(header, CONTEXT.length, header.length - CONTEXT.length);
    out.putShort((short) signature.length).put(signature);
    if (secondSignature != null) {
      out.putShort((short) secondSignature.length).put(secondSignature);
    }
    return out.array();
  }

  /**
   * Decodes an envelope without verifying it. Never throws anything but {@link
   * EnvelopeException} for any input.
   */
  public static SignedEnvelope decode(byte[] bytes) throws EnvelopeException {
    return EnvelopeDecoder.decode(bytes);
  }

  static SignedEnvelope decoded(
      Algorithm algorithm,
      SpiffeId origin,
      long sequence,
      long timestampMillis,
      byte[] payload,
      byte[] signature,
      byte[] secondSignature) {
    return new SignedEnvelope(
        algorithm, origin, sequence, timestampMillis, payload, signature, secondSignature);
  }

  /**
   * Verifies a single-algorithm envelope: {@code originChain} must be a valid SVID for this
   * envelope's origin whose leaf key fits the algorithm and verifies the signature.
   */
  public void verify(SvidValidator validator, List<X509Certificate> originChain)
      throws EnvelopeException {
    if (algorithm == Algorithm.HYBRID_ED25519_ML_DSA_65) {
      throw new EnvelopeException(
          Reason.KEY_ALGORITHM_MISMATCH,
          "envelope from " + origin + " is hybrid; verify it with an Ed25519 and an ML-DSA-65 chain");
    }
    SignatureAlgorithm expected =
        algorithm == Algorithm.ED25519 ? SignatureAlgorithm.ED25519 : SignatureAlgorithm.ML_DSA_65;
    PublicKey key = originKey(validator, originChain, expected);
    checkSignature(expected, key, signature);
  }

  /**
   * Verifies a single-algorithm envelope's signature with {@code originKey}, a key the caller
   * already took from a validated SVID of this envelope's origin (for example from a cache of
   * validated chains, so that PKIX validation runs once per certificate, not per envelope).
   */
  public void verifyWithKey(PublicKey originKey) throws EnvelopeException {
    if (algorithm == Algorithm.HYBRID_ED25519_ML_DSA_65) {
      throw new EnvelopeException(
          Reason.KEY_ALGORITHM_MISMATCH,
          "envelope from " + origin + " is hybrid; verify it with an Ed25519 and an ML-DSA-65 key");
    }
    SignatureAlgorithm expected =
        algorithm == Algorithm.ED25519 ? SignatureAlgorithm.ED25519 : SignatureAlgorithm.ML_DSA_65;
    if (SignatureAlgorithm.of(originKey).filter(expected::equals).isEmpty()) {
      throw new EnvelopeException(
          Reason.KEY_ALGORITHM_MISMATCH,
          "key of " + origin + " is " + originKey.getAlgorithm() + "; " + algorithm + " needs "
              + expected);
    }
    checkSignature(expected, originKey, signature);
  }

  /** Verifies a hybrid envelope: both chains must name the origin and both signatures verify. */
  public void verifyHybrid(
      SvidValidator validator,
      List<X509Certificate> ed25519Chain,
      List<X509Certificate> mlDsa65Chain)
      throws EnvelopeException {
    if (algorithm != Algorithm.HYBRID_ED25519_ML_DSA_65) {
      throw new EnvelopeException(
          Reason.KEY_ALGORITHM_MISMATCH,
          "envelope from " + origin + " uses " + algorithm + ", not the hybrid algorithm");
    }
    PublicKey classical = originKey(validator, ed25519Chain, SignatureAlgorithm.ED25519);
    PublicKey postQuantum = originKey(validator, mlDsa65Chain, SignatureAlgorithm.ML_DSA_65);
    checkSignature(SignatureAlgorithm.ED25519, classical, signature);
    checkSignature(SignatureAlgorithm.ML_DSA_65, postQuantum, secondSignature);
  }

  public Algorithm algorithm() {
    return algorithm;
  }

  public SpiffeId origin() {
    return origin;
  }

  /** The sequence number, an unsigned 64-bit value. */
  public long sequence() {
    return sequence;
  }

  public long timestampMillis() {
    return timestampMillis;
  }

  /** A copy of the payload. */
  public byte[] payload() {
    return payload.clone();
  }

  @Override
  public boolean equals(Object other) {
    if (!(other instanceof SignedEnvelope)) {
      return false;
    }
    SignedEnvelope that = (SignedEnvelope) other;
    return algorithm == that.algorithm
        && origin.equals(that.origin)
        && sequence == that.sequence
        && timestampMillis == that.timestampMillis
        && Arrays.equals(payload, that.payload)
        && Arrays.equals(signature, that.signature)
        && Arrays.equals(secondSignature, that.secondSignature);
  }

  @Override
  public int hashCode() {
    return Objects.hash(algorithm, origin, sequence, timestampMillis, Arrays.hashCode(payload));
  }

  @Override
  public String toString() {
    return "SignedEnvelope[" + algorithm + ", origin=" + origin + ", sequence="
        + Long.toUnsignedString(sequence) + ", timestamp=" + timestampMillis + ", payload="
        + payload.length + " bytes]";
  }

  private PublicKey originKey(
      SvidValidator validator, List<X509Certificate> chain, SignatureAlgorithm expected)
      throws EnvelopeException {
    SpiffeId chainId;
    X509Certificate leaf;
    try {
      chainId = validator.verifySvid(chain);
      leaf = SvidValidator.toBouncyCastle(chain.get(0));
    } catch (CertificateException e) {
      throw new EnvelopeException(
          Reason.UNTRUSTED_ORIGIN,
          "certificate chain offered for " + origin + " is not a valid SVID: " + e.getMessage(), e);
    }
    if (!chainId.equals(origin)) {
      throw new EnvelopeException(
          Reason.ORIGIN_MISMATCH,
          "envelope origin " + origin + " differs from the SVID's SPIFFE ID " + chainId);
    }
    PublicKey key = leaf.getPublicKey();
    if (SignatureAlgorithm.of(key).filter(expected::equals).isEmpty()) {
      throw new EnvelopeException(
          Reason.KEY_ALGORITHM_MISMATCH,
          "SVID of " + origin + " has a " + key.getAlgorithm() + " key; " + algorithm
              + " needs " + expected);
    }
    return key;
  }

  private void checkSignature(SignatureAlgorithm keyAlgorithm, PublicKey key, byte[] value)
      throws EnvelopeException {
    byte[] signed = signedBytes(algorithm, origin, sequence, timestampMillis, payload);
    boolean valid;
    try {
      Signature verifier =
          Signature.getInstance(keyAlgorithm.jcaSignatureName(), CryptoProviders.install().bouncyCastle());
      verifier.initVerify(key);
      verifier.update(signed);
      valid = verifier.verify(value);
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new EnvelopeException(
          Reason.BAD_SIGNATURE,
          keyAlgorithm + " signature of envelope from " + origin + " could not be checked: " + e, e);
    }
    if (!valid) {
      throw new EnvelopeException(
          Reason.BAD_SIGNATURE,
          keyAlgorithm + " signature of envelope from " + origin + " sequence "
              + Long.toUnsignedString(sequence) + " does not verify");
    }
  }

  private static byte[] signedBytes(
      Algorithm algorithm, SpiffeId origin, long sequence, long timestampMillis, byte[] payload) {
    byte[] originBytes = origin.toUri().getBytes(StandardCharsets.UTF_8);
    ByteBuffer out =
        ByteBuffer.allocate(CONTEXT.length + FIXED_HEADER_BYTES + originBytes.length + payload.length);
    out.put(CONTEXT);
    out.put((byte) VERSION).put((byte) algorithm.id());
    out.putShort((short) originBytes.length).put(originBytes);
    out.putLong(sequence).putLong(timestampMillis);
    out.putInt(payload.length).put(payload);
    return out.array();
  }

  private static byte[] signWith(SignatureAlgorithm algorithm, PrivateKey key, byte[] message) {
    try {
      Signature signer = Signature.getInstance(algorithm.jcaSignatureName(), CryptoProviders.install().bouncyCastle());
      signer.initSign(key);
      signer.update(message);
      return signer.sign();
    } catch (GeneralSecurityException e) {
      throw new PqcException("cannot sign an envelope with " + algorithm + ": " + e.getMessage(), e);
    }
  }

  private static void requireKeyType(PrivateKey key, SignatureAlgorithm expected) {
    Objects.requireNonNull(key, expected + " key");
    if (SignatureAlgorithm.of(key).filter(expected::equals).isEmpty()) {
      throw new PqcException(
          "hybrid envelope needs a " + expected + " key; got " + key.getAlgorithm());
    }
  }

  private static byte[] checkedPayload(byte[] payload) {
    Objects.requireNonNull(payload, "payload");
    if (payload.length > MAX_PAYLOAD_BYTES) {
      throw new PqcException(
          "envelope payload is " + payload.length + " bytes; at most " + MAX_PAYLOAD_BYTES
              + " allowed");
    }
    return payload.clone();
  }
}
