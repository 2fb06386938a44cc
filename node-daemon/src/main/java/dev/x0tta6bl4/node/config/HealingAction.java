package dev.x0tta6bl4.node.config;

import java.util.Locale;

/**
 * The kinds of action the node's self-healing areas can take, as configuration names them (in
 * {@code mapek.raft.voter-affecting-actions}). Each constant's {@link #kind()} is the action kind
 * of one actuator of {@code dev.x0tta6bl4.node.heal}; a test there checks that this list and the
 * node's actuators agree, so a kind cannot be configured that no area carries out.
 */
public enum HealingAction {
  /** Mesh: close a silent link and dial another neighbour. */
  DROP_LINK,
  /** Mesh: multiply a degraded link's advertised cost. */
  RAISE_LINK_COST,
  /** Mesh: return a re-costed link to its measured cost. */
  RESTORE_LINK_COST,
  /** Mesh: close a misbehaving peer's link and refuse it for a period. */
  QUARANTINE_PEER,
  /** Mesh: redial known peers now. */
  RECONNECT,
  /** Any area: a log line and a counter for an operator. */
  ALERT,
  /** Raft: move leadership to the healthiest follower. */
  TRANSFER_LEADERSHIP,
  /** Raft: take a snapshot and purge the log behind it. */
  SNAPSHOT_AND_PURGE,
  /** Raft: rebuild this member's Raft server. */
  REBUILD_RAFT,
  /** Node: issue a fresh SVID now. */
  ROTATE_CERT,
  /** Load: lower the send path's admission limit. */
  SHED_LOAD,
  /** Load: raise or restore the admission limit. */
  RESTORE_LOAD;

  /** The action kind, e.g. {@code transfer-leadership}. */
  public String kind() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
