package dev.x0tta6bl4.node.routing;

/**
 * Why a received advert was not used. Counted per relaying neighbour (see {@link
 * NeighbourAdvertStats}) so a later quarantine policy can score peers; only the first four point
 * at a misbehaving or broken relay, {@link #STALE} also happens in normal flooding races.
 */
public enum RejectReason {
  /** The bytes do not decode as a signed advert. */
  MALFORMED,
  /** The signature does not verify with the origin's key: altered in transit or forged. */
  BAD_SIGNATURE,
  /** The signer is not the node named as the advert's origin. */
  ORIGIN_MISMATCH,
  /** The origin's certificate chain does not validate against the trust bundle. */
  UNTRUSTED_ORIGIN,
  /** Older than the advert held (or recently aged out) for that origin: a replay or a late copy. */
  STALE,
  /** The database already holds adverts from the maximum number of origins. */
  DATABASE_FULL
}
