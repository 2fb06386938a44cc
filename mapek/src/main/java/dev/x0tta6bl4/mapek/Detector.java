package dev.x0tta6bl4.mapek;

import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Turns a snapshot into detections. Called on the loop thread; pure functions of the snapshot
 * (plus the detector's own state, e.g. hysteresis) are easiest to test. A detector that throws is
 * counted and logged; the loop goes on with the other detectors.
 */
public interface Detector {
  String name();

  List<Detection> detect(Snapshot snapshot);

  /** A detector from a name and a function. */
  static Detector of(String name, Function<Snapshot, List<Detection>> detect) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(detect, "detect");
    return new Detector() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public List<Detection> detect(Snapshot snapshot) {
        return detect.apply(snapshot);
      }
    };
  }
}
