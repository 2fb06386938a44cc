package dev.x0tta6bl4.mapek;

import java.util.List;
import java.util.Objects;
import java.util.function.BiFunction;

/**
 * Maps a diagnosis to candidate actions. Called on the loop thread for every incident that needs
 * a plan; a policy that throws is counted and logged and the others still run.
 */
public interface Policy {
  String name();

  List<Candidate> propose(Diagnosis diagnosis, Snapshot snapshot);

  /** A policy from a name and a function. */
  static Policy of(String name, BiFunction<Diagnosis, Snapshot, List<Candidate>> propose) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(propose, "propose");
    return new Policy() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public List<Candidate> propose(Diagnosis diagnosis, Snapshot snapshot) {
        return propose.apply(diagnosis, snapshot);
      }
    };
  }
}
