package dev.x0tta6bl4.consensus;

/** How fresh a read must be. */
public enum ReadConsistency {
  /** Read index through the leader: sees every write acknowledged before the read started. */
  LINEARIZABLE,
  /** This node's applied state, possibly behind the leader; works without a quorum. */
  STALE
}
