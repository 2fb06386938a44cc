package dev.x0tta6bl4.node.routing;

/**
 * Turns the local node's own advert into its signed wire form. The production implementation is
 * {@link EnvelopeAdvertSigner}; a simulator plugs in a cheap deterministic fake.
 *
 * <p>Called only on the routing core's thread, once per originated advert.
 */
public interface AdvertSigner {

  /**
   * The wire form of {@code advert}, which a matching {@link AdvertVerifier} accepts.
   *
   * @throws RoutingException if the advert's origin is not the node this signer holds keys for
   */
  byte[] sign(LinkStateAdvert advert);
}
