package dev.x0tta6bl4.observability;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Enforces the naming convention of meshd's own meters: {@code meshd.<area>.<name>}, lower case,
 * dot separated, in base units (seconds, bytes) with no unit or {@code total} suffix in the name;
 * the Prometheus naming convention appends them when rendering.
 *
 * <p>Installed as a {@link MeterFilter} by {@link MeshdMetrics#create(String)}; it throws at
 * registration time, on the registering thread, so a misnamed meter fails the first test that
 * creates it instead of reaching a dashboard. Meters of libraries (jvm, process, netty, ...) are
 * not touched. Stateless and thread-safe.
 */
final class MeterNaming implements MeterFilter {
  /** {@code meshd.} followed by at least two lower-case segments. */
  static final Pattern MESHD_NAME =
      Pattern.compile("meshd(\\.[a-z][a-z0-9_]*){2,}");

  private static final Pattern SEGMENT = Pattern.compile("[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*");

  /** Suffixes that say a meter is not in base units, or duplicate what rendering appends. */
  private static final List<String> FORBIDDEN_SUFFIXES =
      List.of(
          "total", "ms", "millis", "milliseconds", "us", "micros", "microseconds", "ns", "nanos",
          "nanoseconds", "minutes", "hours", "kb", "kib", "mb", "mib", "gb", "gib");

  @Override
  public Meter.Id map(Meter.Id id) {
    String name = id.getName();
    if (name.toLowerCase(Locale.ROOT).startsWith("meshd")) {
      check(name);
    }
    return id;
  }

  /** Throws when {@code name} starts with meshd but breaks the convention. */
  static void check(String name) {
    if (!MESHD_NAME.matcher(name).matches()) {
      throw new ObservabilityException(
          "meter name '" + name + "' breaks the meshd naming convention: expected"
              + " meshd.<area>.<name> with lower-case, dot-separated segments such as"
              + " 'meshd.link.frames.sent'");
    }
    String last = name.substring(name.lastIndexOf('.') + 1);
    for (String suffix : FORBIDDEN_SUFFIXES) {
      if (last.equals(suffix) || last.endsWith("_" + suffix)) {
        throw new ObservabilityException(
            "meter name '" + name + "' ends with '" + suffix + "': expected a name in base"
                + " units without unit or total suffix (set baseUnit; Prometheus rendering"
                + " appends _seconds, _bytes and _total)");
      }
    }
  }

  /** Builds and validates {@code meshd.<area>.<name>}. */
  static String name(String area, String name) {
    if (area == null || !SEGMENT.matcher(area).matches() || area.contains(".")) {
      throw new ObservabilityException(
          "meter area '" + area + "' is invalid: expected one lower-case word such as 'link'");
    }
    if (name == null || !SEGMENT.matcher(name).matches()) {
      throw new ObservabilityException(
          "meter name '" + name + "' in area '" + area
              + "' is invalid: expected lower-case, dot-separated words such as 'frames.sent'");
    }
    String full = "meshd." + area + "." + name;
    check(full);
    return full;
  }
}
