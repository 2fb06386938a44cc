package dev.x0tta6bl4.mapek;

import java.time.Instant;
import java.util.Objects;

/** One step in an incident's life, in the order it happened. */
public record TimelineEvent(Instant at, Type type, String detail) {
  /** The steps an incident goes through; each one is logged as one structured line. */
  public enum Type {
    DETECTED,
    PLANNED,
    ADVISED,
    BLOCKED,
    ACTION_STARTED,
    ACTION_SUCCEEDED,
    ACTION_FAILED,
    ACTION_TIMED_OUT,
    VERIFIED,
    VERIFICATION_FAILED,
    ESCALATED,
    RESOLVED
  }

  public TimelineEvent {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(detail, "detail");
  }
}
