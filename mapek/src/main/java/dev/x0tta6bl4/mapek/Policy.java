package dev.x0tta6bl4.mapek;

import java.util.List;

/**
 * Maps a diagnosis to candidate actions. Called on the loop thread for every incident that needs
 * a plan; a policy that throws is counted and logged and the others still run.
 */
public interface Policy {
  String name();

  List<Candidate> propose(Diagnosis diagnosis, Snapshot snapshot);
}
