package dev.x0tta6bl4.mapek;

import java.time.Instant;
import java.util.Objects;

/**
 * A detection the loop has been tracking: {@code firstSeen} stays fixed while the detection
 * repeats on consecutive ticks (the onset the detector gave, or the first tick that saw it).
 */
public record Symptom(String kind, String subject, Severity severity, String evidence, Instant firstSeen) {
  public Symptom {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(evidence, "evidence");
    Objects.requireNonNull(firstSeen, "firstSeen");
  }

  /** {@code kind/subject}: identifies the symptom across ticks. */
  public String key() {
    return kind + '/' + subject;
  }
}
