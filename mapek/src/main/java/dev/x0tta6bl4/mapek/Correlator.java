package dev.x0tta6bl4.mapek;

import java.util.List;

/**
 * Groups the symptoms of one tick into diagnoses (likely root causes). Every symptom should end up
 * in exactly one diagnosis; the loop adds any symptom the correlator dropped as its own diagnosis.
 * If the correlator throws, each symptom becomes its own diagnosis for that tick.
 */
public interface Correlator {
  List<Diagnosis> correlate(List<Symptom> symptoms, Snapshot snapshot);

  /** No correlation: each symptom is its own diagnosis. */
  static Correlator none() {
    return (symptoms, snapshot) -> symptoms.stream().map(Diagnosis::of).toList();
  }
}
