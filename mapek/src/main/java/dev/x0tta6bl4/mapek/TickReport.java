package dev.x0tta6bl4.mapek;

import java.util.List;
import java.util.Optional;

/**
 * What one tick saw and decided, for tests and benchmarks. In {@link Mode#OFF} nothing is read:
 * there is no snapshot and no plan.
 */
public record TickReport(long tick, Mode mode, Snapshot snapshot, List<Diagnosis> diagnoses, Plan plan) {
  public TickReport {
    diagnoses = List.copyOf(diagnoses);
  }

  public Optional<Snapshot> snapshotIfRead() {
    return Optional.ofNullable(snapshot);
  }

  public Optional<Plan> planIfMade() {
    return Optional.ofNullable(plan);
  }
}
