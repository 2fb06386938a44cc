package dev.x0tta6bl4.mapek;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What a detector reports: a symptom kind about a subject, with severity and human-readable
 * evidence. {@code since} is when the condition began if the detector knows it (e.g. the last
 * heartbeat of a silent peer); it may be null, and then the loop uses the tick's time.
 */
public record Detection(String kind, String subject, Severity severity, String evidence, Instant since) {
  public Detection {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(evidence, "evidence");
  }

  public static Detection of(String kind, String subject, Severity severity, String evidence) {
    return new Detection(kind, subject, severity, evidence, null);
  }

  public Optional<Instant> onset() {
    return Optional.ofNullable(since);
  }
}
