package dev.x0tta6bl4.node.membership;

/** What the local {@link FailureDetector} currently believes about one neighbour. */
public enum PeerStatus {
  /** Heard from recently enough; heartbeats flow normally. */
  ALIVE,
  /** Silent for too long; indirect probes are out and the suspicion timeout runs. */
  SUSPECT,
  /** Declared dead; stays so until the link is closed or comes up again. */
  DEAD
}
