package dev.x0tta6bl4.mapek;

import java.time.Instant;
import java.util.List;

/**
 * An immutable copy of an incident for exposure (API, CLI, tests). {@code resolvedAt} and
 * {@code resolution} are null while the incident is open.
 */
public record IncidentView(long id, String kind, String subject, IncidentState state,
    Instant firstSeen, Instant detectedAt, Instant resolvedAt, String resolution,
    List<Symptom> symptoms, List<TimelineEvent> timeline) {
  public IncidentView {
    symptoms = List.copyOf(symptoms);
    timeline = List.copyOf(timeline);
  }

  public boolean open() {
    return state != IncidentState.RESOLVED;
  }
}
