package dev.x0tta6bl4.mapek;

import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Produces readings once per tick. Called on the loop thread, so it must be cheap and must not
 * block (read counters or a value another thread already published). A sensor that throws is
 * counted, logged and skipped for that tick; its name appears in {@link Snapshot#failedSensors()}.
 */
public interface Sensor {
  /** A stable name for logs and metrics. */
  String name();

  List<Reading> read();

  /** A sensor from a name and a function. */
  static Sensor of(String name, Supplier<List<Reading>> read) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(read, "read");
    return new Sensor() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public List<Reading> read() {
        return read.get();
      }
    };
  }
}
