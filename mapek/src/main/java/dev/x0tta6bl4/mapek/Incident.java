package dev.x0tta6bl4.mapek;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An incident's mutable state, owned by the control loop's thread. Exposed only through
 * {@link #view()}.
 */
final class Incident {
  final long id;
  final String kind;
  final String subject;
  final Instant detectedAt;
  Instant firstSeen;
  Diagnosis diagnosis;
  IncidentState state = IncidentState.OPEN;
  final List<TimelineEvent> timeline = new ArrayList<>();
  /** Action keys that failed (or did not help) for this incident: not planned again for it. */
  final Set<String> failedActions = new HashSet<>();
  int failedAttempts;
  int absentTicks;
  /** The running or verifying action. */
  Action currentAction;
  Instant verifyDeadline;
  float[] features;
  /** Recall votes for {@link #recallFeatures}, valid while knowledge is at {@link #recallVersion}. */
  Map<String, Double> recallVotes;
  float[] recallFeatures;
  long recallVersion = -1;
  /** Last advice or block logged, so a repeated plan is not logged every tick. */
  String lastNote;
  Instant resolvedAt;
  String resolution;

  Incident(long id, Diagnosis diagnosis, Instant now) {
    this.id = id;
    this.kind = diagnosis.kind();
    this.subject = diagnosis.subject();
    this.diagnosis = diagnosis;
    this.detectedAt = now;
    this.firstSeen = earliest(diagnosis, now);
  }

  String key() {
    return kind + '/' + subject;
  }

  void update(Diagnosis latest) {
    this.diagnosis = latest;
    this.absentTicks = 0;
    Instant first = earliest(latest, firstSeen);
    if (first.isBefore(firstSeen)) {
      firstSeen = first;
    }
  }

  IncidentView view() {
    return new IncidentView(id, kind, subject, state, firstSeen, detectedAt, resolvedAt, resolution,
        diagnosis.symptoms(), timeline);
  }

  private static Instant earliest(Diagnosis d, Instant bound) {
    Instant min = bound;
    for (Symptom s : d.symptoms()) {
      if (s.firstSeen().isBefore(min)) {
        min = s.firstSeen();
      }
    }
    return min;
  }
}
