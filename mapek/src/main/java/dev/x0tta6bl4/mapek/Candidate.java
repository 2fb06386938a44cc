package dev.x0tta6bl4.mapek;

import java.util.Objects;

/**
 * An action a policy proposes for a diagnosis, with the policy's priority (0 to 100, higher
 * first, before knowledge adjusts it) and why.
 */
public record Candidate(Action action, int priority, String rationale) {
  public Candidate {
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(rationale, "rationale");
    if (priority < 0 || priority > 100) {
      throw new MapekException("candidate priority must be within [0, 100], got " + priority
          + " for " + action.key());
    }
  }
}
