package dev.x0tta6bl4.node.routing;

import java.util.Optional;

/**
 * Reads and authenticates the signed wire form of adverts from other nodes. Split in two steps
 * so the router can drop duplicates and old sequence numbers after the cheap {@link #parse}
 * without paying for signature checks. The production implementation is {@link
 * EnvelopeAdvertVerifier}; a simulator plugs in a cheap deterministic fake.
 *
 * <p>Called only on the routing core's thread.
 */
public interface AdvertVerifier {

  /**
   * Decodes the advert that {@code wire} claims to carry, without checking who signed it.
   *
   * @throws RoutingCodecException if {@code wire} is malformed (the only exception allowed)
   */
  LinkStateAdvert parse(byte[] wire);

  /**
   * Checks that {@code wire} is signed by {@code claimed.origin()} and carries exactly {@code
   * claimed} (the result of {@link #parse} on the same bytes).
   *
   * @return empty when authentic, else why not; never throws for hostile input
   */
  Optional<AdvertRejection> verify(byte[] wire, LinkStateAdvert claimed);
}
