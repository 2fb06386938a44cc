package dev.x0tta6bl4.node.routing;

import dev.x0tta6bl4.pqc.SignedEnvelope;
import dev.x0tta6bl4.pqc.SvidValidator;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * Authenticates adverts signed by {@link EnvelopeAdvertSigner}: the envelope and chain checks
 * (signature, X.509-SVID of the trust domain, the cache of validated chains) are {@link
 * EnvelopeChainVerifier}'s; this adds that the SPIFFE ID's node id and the envelope's sequence
 * are the advert's origin and sequence.
 *
 * <p>Not thread-safe: owned by the routing core's thread. Holds no resources.
 */
public final class EnvelopeAdvertVerifier implements AdvertVerifier {
  /** Default number of cached leaf certificates. */
  public static final int DEFAULT_CACHE_SIZE = EnvelopeChainVerifier.DEFAULT_CACHE_SIZE;
  /** Default time after which a cached chain is validated again. */
  public static final Duration DEFAULT_REVALIDATE_AFTER =
      EnvelopeChainVerifier.DEFAULT_REVALIDATE_AFTER;

  private final EnvelopeChainVerifier chains;

  /** A verifier with {@link #DEFAULT_CACHE_SIZE} and {@link #DEFAULT_REVALIDATE_AFTER}. */
  public EnvelopeAdvertVerifier(SvidValidator validator, Clock clock) {
    this(validator, clock, DEFAULT_CACHE_SIZE, DEFAULT_REVALIDATE_AFTER);
  }

  /**
   * @param validator validates origin chains against the trust bundle
   * @param clock wall clock for cache expiry (the validator has its own)
   * @param cacheSize most cached leaves, at least 1
   * @param revalidateAfter longest time a validated chain is trusted without re-validation
   */
  public EnvelopeAdvertVerifier(
      SvidValidator validator, Clock clock, int cacheSize, Duration revalidateAfter) {
    this.chains = new EnvelopeChainVerifier(validator, clock, cacheSize, revalidateAfter);
  }

  @Override
  public LinkStateAdvert parse(byte[] wire) {
    SignedFrame frame = SignedFrame.decode(wire);
    SignedEnvelope envelope = EnvelopeChainVerifier.decodeEnvelope(frame, "advert");
    LinkStateAdvert advert = LinkStateAdvert.decode(envelope.payload());
    if (advert.sequence() != envelope.sequence()) {
      throw new RoutingCodecException(
          "advert of " + advert.origin() + " says #" + Long.toUnsignedString(advert.sequence())
              + " but its envelope #" + Long.toUnsignedString(envelope.sequence()));
    }
    return advert;
  }

  @Override
  public Optional<AdvertRejection> verify(byte[] wire, LinkStateAdvert claimed) {
    SignedFrame frame;
    SignedEnvelope envelope;
    try {
      frame = SignedFrame.decode(wire);
      envelope = EnvelopeChainVerifier.decodeEnvelope(frame, "advert");
    } catch (RoutingCodecException e) {
      return Optional.of(new AdvertRejection(RejectReason.MALFORMED, e.getMessage()));
    }
    String signerNode = envelope.origin().nodeId().orElse(null);
    if (!claimed.origin().equals(signerNode) || claimed.sequence() != envelope.sequence()) {
      return Optional.of(new AdvertRejection(
          RejectReason.ORIGIN_MISMATCH,
          "advert claims origin " + claimed.origin() + " but its envelope is from "
              + envelope.origin()));
    }
    return chains.verify(frame, envelope, "advert");
  }

  /** How many chains went through full PKIX validation (cache misses). */
  public long pkixValidations() {
    return chains.pkixValidations();
  }
}
