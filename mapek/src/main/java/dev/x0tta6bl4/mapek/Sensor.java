package dev.x0tta6bl4.mapek;

import java.util.List;

/**
 * Produces readings once per tick. Called on the loop thread, so it must be cheap and must not
 * block (read counters or a value another thread already published). A sensor that throws is
 * counted, logged and skipped for that tick; its name appears in {@link Snapshot#failedSensors()}.
 */
public interface Sensor {
  /** A stable name for logs and metrics. */
  String name();

  List<Reading> read();
}
