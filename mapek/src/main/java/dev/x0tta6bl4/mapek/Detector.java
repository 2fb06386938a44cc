package dev.x0tta6bl4.mapek;

import java.util.List;

/**
 * Turns a snapshot into detections. Called on the loop thread; pure functions of the snapshot
 * (plus the detector's own state, e.g. hysteresis) are easiest to test. A detector that throws is
 * counted and logged; the loop goes on with the other detectors.
 */
public interface Detector {
  String name();

  List<Detection> detect(Snapshot snapshot);
}
