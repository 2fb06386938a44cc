package dev.x0tta6bl4.node.membership;

/** Why a {@link DetectorOutput.Dead} event was emitted. */
public enum DeathReason {
  /**
   * The suspicion timeout expired, no evidence of life arrived, and at least one helper answered
   * that it could not reach the peer either (UNREACHABLE or UNKNOWN_TARGET).
   */
  PHI_TIMEOUT_CONFIRMED_BY_PROBES,
  /**
   * The suspicion timeout expired with no evidence of life, and no helper was available to ask or
   * none answered in time (a node with a single neighbour, or helpers that are down as well).
   */
  NO_PROBE_HELPERS_AND_TIMEOUT,
  /** The transport reported the link closed (socket closed, TLS failure, GOODBYE). */
  LINK_CLOSED,
  /**
   * The peer stayed alive only through helpers' probe answers while nothing arrived over the direct
   * link for {@link FailureDetectorSettings#directSilenceLimit()}: the node may be alive, but this
   * link carries nothing and is useless (for example a one-way partition).
   */
  DIRECT_LINK_SILENT
}
