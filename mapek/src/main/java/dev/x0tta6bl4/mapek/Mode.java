package dev.x0tta6bl4.mapek;

import java.util.Arrays;
import java.util.Locale;

/**
 * What the control loop is allowed to do. {@link #AUTO} plans and acts, {@link #ADVISE} plans and
 * logs the plan but never starts an action, {@link #OFF} does nothing at all (no sensor is read).
 */
public enum Mode {
  AUTO,
  ADVISE,
  OFF;

  /** Parses {@code auto}, {@code advise} or {@code off} (any case); anything else is a clear error. */
  public static Mode parse(String text) {
    if (text != null) {
      for (Mode mode : values()) {
        if (mode.name().equalsIgnoreCase(text.trim())) {
          return mode;
        }
      }
    }
    throw new MapekException("mapek mode '" + text + "' is not one of "
        + Arrays.toString(values()).toLowerCase(Locale.ROOT));
  }

  /** The lower-case name used in configuration, logs and metrics. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
