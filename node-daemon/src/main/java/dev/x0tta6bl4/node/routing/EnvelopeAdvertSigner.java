package dev.x0tta6bl4.node.routing;

import dev.x0tta6bl4.pqc.NodeIdentity;
import dev.x0tta6bl4.pqc.PqcException;
import dev.x0tta6bl4.pqc.SignedEnvelope;
import dev.x0tta6bl4.pqc.SpiffeId;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Signs the local node's adverts with its SVID key: a {@link SignedEnvelope} (origin = the node's
 * SPIFFE ID, sequence = the advert's, timestamp = the injected wall clock) whose payload is the
 * advert body, followed by the node's certificate chain (see {@link SignedAdvertFrame}). The
 * identity is read from its supplier on every call, so a renewed certificate is used at once.
 *
 * <p>Called on the routing core's thread; holds no resources.
 */
public final class EnvelopeAdvertSigner implements AdvertSigner {
  private final SpiffeId localId;
  private final String localNodeId;
  private final Supplier<NodeIdentity> identity;
  private final Clock clock;

  /**
   * @param localId this node's SPIFFE ID ({@code spiffe://<trust-domain>/node/<id>})
   * @param identity the node's current key and chain (e.g. an {@code IdentitySource})
   * @param clock wall clock for the envelope timestamp
   */
  public EnvelopeAdvertSigner(SpiffeId localId, Supplier<NodeIdentity> identity, Clock clock) {
    this.localId = Objects.requireNonNull(localId, "localId");
    this.localNodeId =
        localId.nodeId()
            .orElseThrow(
                () -> new RoutingException("SPIFFE ID " + localId + " is not a node ID (/node/<id>)"));
    this.identity = Objects.requireNonNull(identity, "identity");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public byte[] sign(LinkStateAdvert advert) {
    if (!advert.origin().equals(localNodeId)) {
      throw new RoutingException(
          "advert origin " + advert.origin() + " is not this node " + localNodeId
              + "; a node signs only its own adverts");
    }
    NodeIdentity current = identity.get();
    byte[] envelope;
    try {
      envelope =
          SignedEnvelope.sign(
                  localId, advert.sequence(), clock.millis(), advert.encode(), current.privateKey())
              .encode();
    } catch (PqcException e) {
      throw new RoutingException("cannot sign advert of " + localId + ": " + e.getMessage(), e);
    }
    List<byte[]> chain = new ArrayList<>(current.certificateChain().size());
    for (X509Certificate certificate : current.certificateChain()) {
      try {
        chain.add(certificate.getEncoded());
      } catch (CertificateEncodingException e) {
        throw new RoutingException(
            "certificate " + certificate.getSubjectX500Principal() + " of " + localId
                + " cannot be encoded: " + e.getMessage(), e);
      }
    }
    return new SignedAdvertFrame(envelope, chain).encode();
  }
}
