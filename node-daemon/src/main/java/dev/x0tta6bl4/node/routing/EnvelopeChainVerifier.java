package dev.x0tta6bl4.node.routing;

import dev.x0tta6bl4.pqc.CryptoProviders;
import dev.x0tta6bl4.pqc.EnvelopeException;
import dev.x0tta6bl4.pqc.SignedEnvelope;
import dev.x0tta6bl4.pqc.SpiffeId;
import dev.x0tta6bl4.pqc.SvidValidator;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Authenticates control data signed by {@link EnvelopeSigner} (adverts, quarantine notices): the
 * envelope must verify against the chain attached in its {@link SignedFrame}, and the chain must
 * be a valid X.509-SVID of the trust domain (via {@link SvidValidator}) naming the envelope's
 * origin. Whether that origin is the one the payload claims is the caller's check.
 *
 * <p>PKIX validation runs once per origin certificate: a validated chain is cached under the
 * SHA-256 of its leaf DER (with its SPIFFE ID and public key) until the earliest notAfter of the
 * chain or {@code revalidateAfter} (default 10 min, so a rotated trust bundle is applied within
 * that time), whichever comes first; later envelopes with that leaf only need one signature check.
 * A chain that validated but carried a bad signature is cached too, so a tampering relay costs one
 * signature check per envelope. The cache holds at most {@code cacheSize} leaves (least recently
 * used evicted). Single-algorithm envelopes only (Ed25519 or ML-DSA-65): a hybrid envelope needs
 * two chains, which this wire form does not carry.
 *
 * <p>Not thread-safe: owned by one thread (the routing core's, the notice receiver's). Holds no
 * resources.
 */
public final class EnvelopeChainVerifier {
  /** Default number of cached leaf certificates. */
  public static final int DEFAULT_CACHE_SIZE = 1024;
  /** Default time after which a cached chain is validated again. */
  public static final Duration DEFAULT_REVALIDATE_AFTER = Duration.ofMinutes(10);

  private record CachedChain(SpiffeId id, PublicKey key, Instant validUntil) {}

  private final SvidValidator validator;
  private final Clock clock;
  private final Duration revalidateAfter;
  private final Map<ByteBuffer, CachedChain> cache;
  private final Provider bouncyCastle = CryptoProviders.install().bouncyCastle();
  private long pkixValidations;

  /** A verifier with {@link #DEFAULT_CACHE_SIZE} and {@link #DEFAULT_REVALIDATE_AFTER}. */
  public EnvelopeChainVerifier(SvidValidator validator, Clock clock) {
    this(validator, clock, DEFAULT_CACHE_SIZE, DEFAULT_REVALIDATE_AFTER);
  }

  /**
   * @param validator validates origin chains against the trust bundle
   * @param clock wall clock for cache expiry (the validator has its own)
   * @param cacheSize most cached leaves, at least 1
   * @param revalidateAfter longest time a validated chain is trusted without re-validation
   */
  public EnvelopeChainVerifier(
      SvidValidator validator, Clock clock, int cacheSize, Duration revalidateAfter) {
    this.validator = Objects.requireNonNull(validator, "validator");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.revalidateAfter = Objects.requireNonNull(revalidateAfter, "revalidateAfter");
    if (cacheSize < 1) {
      throw new RoutingException("cacheSize " + cacheSize + " must be at least 1");
    }
    if (revalidateAfter.isNegative()) {
      throw new RoutingException("revalidateAfter " + revalidateAfter + " must not be negative");
    }
    this.cache =
        new LinkedHashMap<>(16, 0.75f, true) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<ByteBuffer, CachedChain> eldest) {
            return size() > cacheSize;
          }
        };
  }

  /**
   * Decodes the envelope inside {@code frame} without verifying it.
   *
   * @param what names the payload in the message ("advert", "quarantine notice")
   * @throws RoutingCodecException if it does not decode (the only exception)
   */
  public static SignedEnvelope decodeEnvelope(SignedFrame frame, String what) {
    try {
      return SignedEnvelope.decode(frame.envelope());
    } catch (EnvelopeException e) {
      throw new RoutingCodecException(what + " envelope does not decode: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new RoutingCodecException(what + " envelope does not decode: " + e, e);
    }
  }

  /**
   * Checks that {@code envelope} (decoded from {@code frame}) is signed by the key of the leaf of
   * {@code frame}'s chain and that the chain is a valid SVID naming the envelope's origin.
   *
   * @param what names the payload in details ("advert", "quarantine notice")
   * @return empty when authentic, else why not ({@link RejectReason#MALFORMED} for a hybrid
   *     envelope, {@link RejectReason#BAD_SIGNATURE}, {@link RejectReason#ORIGIN_MISMATCH} when
   *     the SVID names someone else, {@link RejectReason#UNTRUSTED_ORIGIN}); never throws for
   *     hostile input
   */
  public Optional<AdvertRejection> verify(SignedFrame frame, SignedEnvelope envelope, String what) {
    if (envelope.algorithm() == SignedEnvelope.Algorithm.HYBRID_ED25519_ML_DSA_65) {
      return reject(
          RejectReason.MALFORMED,
          what + " of " + envelope.origin() + " has a hybrid envelope; the wire form carries one"
              + " chain");
    }
    ByteBuffer leafHash = ByteBuffer.wrap(sha256(frame.chain().get(0)));
    Instant now = clock.instant();
    CachedChain cached = cache.get(leafHash);
    if (cached != null && now.isBefore(cached.validUntil())) {
      return verifyWithCachedKey(envelope, cached, what);
    }
    cache.remove(leafHash);
    return verifyWithValidator(frame, envelope, leafHash, now);
  }

  /** How many chains went through full PKIX validation (cache misses). */
  public long pkixValidations() {
    return pkixValidations;
  }

  private Optional<AdvertRejection> verifyWithValidator(
      SignedFrame frame, SignedEnvelope envelope, ByteBuffer leafHash, Instant now) {
    List<X509Certificate> chain;
    try {
      chain = parseChain(frame.chain());
    } catch (CertificateException | RuntimeException e) {
      return reject(
          RejectReason.UNTRUSTED_ORIGIN,
          "certificate chain of " + envelope.origin() + " does not parse: " + e);
    }
    pkixValidations++;
    try {
      envelope.verify(validator, chain);
      remember(leafHash, envelope.origin(), chain, now);
      return Optional.empty();
    } catch (EnvelopeException e) {
      switch (e.reason()) {
        case BAD_SIGNATURE:
          // The chain passed validation before the signature was checked.
          remember(leafHash, envelope.origin(), chain, now);
          return reject(RejectReason.BAD_SIGNATURE, e.getMessage());
        case KEY_ALGORITHM_MISMATCH:
          return reject(RejectReason.BAD_SIGNATURE, e.getMessage());
        case ORIGIN_MISMATCH:
          return reject(RejectReason.ORIGIN_MISMATCH, e.getMessage());
        default:
          return reject(RejectReason.UNTRUSTED_ORIGIN, e.getMessage());
      }
    } catch (RuntimeException e) {
      // A corrupted certificate can make the PKIX code throw unchecked exceptions (seen:
      // IllegalArgumentException from an unparsable issuer name); hostile input must not escape.
      return reject(
          RejectReason.UNTRUSTED_ORIGIN,
          "certificate chain of " + envelope.origin() + " could not be validated: " + e);
    }
  }

  private Optional<AdvertRejection> verifyWithCachedKey(
      SignedEnvelope envelope, CachedChain cached, String what) {
    if (!cached.id().equals(envelope.origin())) {
      return reject(
          RejectReason.ORIGIN_MISMATCH,
          "envelope origin " + envelope.origin() + " differs from the SVID's SPIFFE ID "
              + cached.id());
    }
    try {
      envelope.verifyWithKey(cached.key());
      return Optional.empty();
    } catch (EnvelopeException e) {
      return reject(RejectReason.BAD_SIGNATURE, what + " from " + envelope.origin() + " #"
          + Long.toUnsignedString(envelope.sequence()) + ": " + e.getMessage());
    }
  }

  private void remember(ByteBuffer leafHash, SpiffeId id, List<X509Certificate> chain, Instant now) {
    Instant until = now.plus(revalidateAfter);
    for (X509Certificate certificate : chain) {
      Instant notAfter = certificate.getNotAfter().toInstant();
      if (notAfter.isBefore(until)) {
        until = notAfter;
      }
    }
    cache.put(leafHash, new CachedChain(id, chain.get(0).getPublicKey(), until));
  }

  private List<X509Certificate> parseChain(List<byte[]> ders) throws CertificateException {
    CertificateFactory factory = CertificateFactory.getInstance("X.509", bouncyCastle);
    List<X509Certificate> chain = new ArrayList<>(ders.size());
    for (byte[] der : ders) {
      chain.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
    }
    return chain;
  }

  private static byte[] sha256(byte[] der) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(der);
    } catch (NoSuchAlgorithmException e) {
      throw new RoutingException("SHA-256 is not available in this JVM", e);
    }
  }

  private static Optional<AdvertRejection> reject(RejectReason reason, String detail) {
    return Optional.of(new AdvertRejection(reason, detail));
  }
}
