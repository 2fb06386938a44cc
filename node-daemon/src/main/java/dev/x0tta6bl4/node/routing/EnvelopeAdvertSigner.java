package dev.x0tta6bl4.node.routing;

import dev.x0tta6bl4.pqc.NodeIdentity;
import dev.x0tta6bl4.pqc.SpiffeId;
import java.time.Clock;
import java.util.function.Supplier;

/**
 * Signs the local node's adverts with its SVID key through {@link EnvelopeSigner}: the envelope's
 * sequence is the advert's, its payload the advert body (see {@link SignedFrame}).
 *
 * <p>Called on the routing core's thread; holds no resources.
 */
public final class EnvelopeAdvertSigner implements AdvertSigner {
  private final EnvelopeSigner signer;

  /**
   * @param localId this node's SPIFFE ID ({@code spiffe://<trust-domain>/node/<id>})
   * @param identity the node's current key and chain (e.g. an {@code IdentitySource})
   * @param clock wall clock for the envelope timestamp
   */
  public EnvelopeAdvertSigner(SpiffeId localId, Supplier<NodeIdentity> identity, Clock clock) {
    this.signer = new EnvelopeSigner(localId, identity, clock);
  }

  @Override
  public byte[] sign(LinkStateAdvert advert) {
    if (!advert.origin().equals(signer.localNodeId())) {
      throw new RoutingException(
          "advert origin " + advert.origin() + " is not this node " + signer.localNodeId()
              + "; a node signs only its own adverts");
    }
    return signer.sign(advert.sequence(), advert.encode(), "advert");
  }
}
