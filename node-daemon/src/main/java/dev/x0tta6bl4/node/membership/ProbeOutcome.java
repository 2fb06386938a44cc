package dev.x0tta6bl4.node.membership;

/** A helper's answer to an indirect probe request. */
public enum ProbeOutcome {
  /** The helper heard from the target recently or within its probe timeout. */
  ALIVE,
  /** The helper did not hear from the target within its probe timeout (or already holds it dead). */
  UNREACHABLE,
  /** The helper has no link to the target, so it cannot tell. */
  UNKNOWN_TARGET
}
