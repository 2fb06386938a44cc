package dev.x0tta6bl4.load;

import java.time.Duration;

/** Option values shared by the load drivers' command lines; bad values throw with the option. */
final class LoadArgs {
  private LoadArgs() {}

  /** {@code value} as an int of at least 1. */
  static int positive(String option, String value) {
    int v;
    try {
      v = Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + " '" + value + "' is not a whole number");
    }
    if (v < 1) {
      throw new IllegalArgumentException(option + " " + v + " is invalid; expected at least 1");
    }
    return v;
  }

  /** Seconds, with or without a trailing {@code s} ({@code 5}, {@code 2.5s}). */
  static Duration seconds(String value) {
    String s = value.endsWith("s") ? value.substring(0, value.length() - 1) : value;
    return Duration.ofMillis(Math.round(Double.parseDouble(s) * 1000));
  }
}
