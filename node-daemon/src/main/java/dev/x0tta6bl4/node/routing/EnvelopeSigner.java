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
 * Signs the local node's control data with its SVID key: a {@link SignedEnvelope} (origin = the
 * node's SPIFFE ID, the caller's sequence, timestamp = the injected wall clock) around the
 * caller's payload, followed by the node's certificate chain ({@link SignedFrame}). Adverts
 * ({@link EnvelopeAdvertSigner}) and quarantine notices share it; {@link EnvelopeChainVerifier}
 * is its counterpart. The identity is read from its supplier on every call, so a renewed
 * certificate is used at once.
 *
 * <p>Stateless apart from its fixed inputs: callable from any thread. Holds no resources.
 */
public final class EnvelopeSigner {
  private final SpiffeId localId;
  private final String localNodeId;
  private final Supplier<NodeIdentity> identity;
  private final Clock clock;

  /**
   * @param localId this node's SPIFFE ID ({@code spiffe://<trust-domain>/node/<id>})
   * @param identity the node's current key and chain (e.g. an {@code IdentitySource})
   * @param clock wall clock for the envelope timestamp
   * @throws RoutingException if {@code localId} is not a node ID
   */
  public EnvelopeSigner(SpiffeId localId, Supplier<NodeIdentity> identity, Clock clock) {
    this.localId = Objects.requireNonNull(localId, "localId");
    this.localNodeId =
        localId.nodeId()
            .orElseThrow(
                () -> new RoutingException("SPIFFE ID " + localId + " is not a node ID (/node/<id>)"));
    this.identity = Objects.requireNonNull(identity, "identity");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The node id in the signer's SPIFFE ID. */
  public String localNodeId() {
    return localNodeId;
  }

  /** The wall clock that stamps envelopes. */
  public Clock clock() {
    return clock;
  }

  /**
   * The {@link SignedFrame} wire form of {@code payload} signed now with {@code sequence}.
   *
   * @param what names the payload in error messages ("advert", "quarantine notice")
   * @throws RoutingException if the key cannot sign or a certificate cannot be encoded
   */
  public byte[] sign(long sequence, byte[] payload, String what) {
    NodeIdentity current = identity.get();
    byte[] envelope;
    try {
      envelope =
          SignedEnvelope.sign(localId, sequence, clock.millis(), payload, current.privateKey())
              .encode();
    } catch (PqcException e) {
      throw new RoutingException("cannot sign " + what + " of " + localId + ": " + e.getMessage(), e);
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
    return new SignedFrame(envelope, chain).encode();
  }
}
