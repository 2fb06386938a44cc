package dev.x0tta6bl4.node.config;

import java.time.Duration;
import java.util.List;

/**
 * Parses and prints human durations such as {@code 250ms}, {@code 10s}, {@code 5m}, {@code 1h}
 * and {@code 2d}: a whole number followed directly by one unit ({@code ns}, {@code us},
 * {@code ms}, {@code s}, {@code m}, {@code h}, {@code d}). Durations range from zero to {@link
 * Long#MAX_VALUE} nanoseconds (about 292 years).
 *
 * <p>Stateless and thread-safe.
 */
public final class Durations {
  /** What a duration may look like, for error messages. */
  public static final String ALLOWED =
      "a whole number followed by ns, us, ms, s, m, h or d, e.g. 250ms, 10s, 5m, 1h, 2d";

  private record Unit(String suffix, long nanos) {}

  /** Largest first, so printing picks the largest unit that divides exactly. */
  private static final List<Unit> UNITS =
      List.of(
          new Unit("d", 86_400_000_000_000L),
          new Unit("h", 3_600_000_000_000L),
          new Unit("m", 60_000_000_000L),
          new Unit("s", 1_000_000_000L),
          new Unit("ms", 1_000_000L),
          new Unit("us", 1_000L),
          new Unit("ns", 1L));

  private Durations() {}

  /**
   * Parses {@code text}.
   *
   * @throws ConfigException if the text is not a number with a known unit, is negative or does
   *     not fit in a {@code long} count of nanoseconds
   */
  public static Duration parse(String text) {
    if (text == null || text.isEmpty()) {
      throw ConfigException.invalidValue("empty duration", ALLOWED);
    }
    int digits = 0;
    while (digits < text.length() && isAsciiDigit(text.charAt(digits))) {
      digits++;
    }
    if (digits == 0) {
      String problem =
          text.startsWith("-")
              ? ConfigException.quote(text) + " is negative"
              : ConfigException.quote(text) + " does not start with a whole number";
      throw ConfigException.invalidValue(problem, ALLOWED);
    }
    String suffix = text.substring(digits);
    if (suffix.isEmpty()) {
      throw ConfigException.invalidValue(ConfigException.quote(text) + " has no unit", ALLOWED);
    }
    Unit unit = UNITS.stream().filter(u -> u.suffix().equals(suffix)).findFirst().orElse(null);
    if (unit == null) {
      throw ConfigException.invalidValue(
          ConfigException.quote(text) + " has unknown unit " + ConfigException.quote(suffix),
          ALLOWED);
    }
    try {
      long count = Long.parseLong(text.substring(0, digits));
      return Duration.ofNanos(Math.multiplyExact(count, unit.nanos()));
    } catch (NumberFormatException | ArithmeticException e) {
      throw ConfigException.invalidValue(
          ConfigException.quote(text) + " is too large", "at most " + format(maxValue()));
    }
  }

  /**
   * Prints {@code duration} with the largest unit that represents it exactly, e.g. {@code 90s},
   * {@code 5m}, {@code 1500ms}.
   *
   * @throws ConfigException if the duration is negative or longer than {@link Long#MAX_VALUE}
   *     nanoseconds
   */
  public static String format(Duration duration) {
    if (duration.isNegative()) {
      throw ConfigException.invalidValue(
          "negative duration " + duration, "zero or more, " + ALLOWED);
    }
    long nanos;
    try {
      nanos = duration.toNanos();
    } catch (ArithmeticException e) {
      throw ConfigException.invalidValue(
          "duration " + duration + " is too large", "at most " + maxValue());
    }
    if (nanos == 0) {
      return "0s";
    }
    for (Unit unit : UNITS) {
      if (nanos % unit.nanos() == 0) {
        return (nanos / unit.nanos()) + unit.suffix();
      }
    }
    throw new AssertionError("1ns divides every duration");
  }

  /** The longest duration that can be parsed and printed. */
  public static Duration maxValue() {
    return Duration.ofNanos(Long.MAX_VALUE);
  }

  private static boolean isAsciiDigit(char c) {
    return c >= '0' && c <= '9';
  }
}
