package dev.x0tta6bl4.mapek;

import java.util.List;
import java.util.Objects;

/**
 * A likely root cause named by the correlator, with the symptoms it explains. One open incident
 * exists per diagnosis key ({@code kind/subject}); when the correlator finds nothing to join, a
 * symptom is its own diagnosis.
 */
public record Diagnosis(String kind, String subject, List<Symptom> symptoms, String reason) {
  public Diagnosis {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(reason, "reason");
    symptoms = List.copyOf(symptoms);
    if (symptoms.isEmpty()) {
      throw new MapekException("diagnosis " + kind + "/" + subject + " explains no symptom");
    }
  }

  /** A diagnosis that is just the symptom itself. */
  public static Diagnosis of(Symptom symptom) {
    return new Diagnosis(symptom.kind(), symptom.subject(), List.of(symptom), "single symptom");
  }

  public String key() {
    return kind + '/' + subject;
  }

  public Severity severity() {
    Severity worst = Severity.INFO;
    for (Symptom s : symptoms) {
      worst = worst.max(s.severity());
    }
    return worst;
  }
}
