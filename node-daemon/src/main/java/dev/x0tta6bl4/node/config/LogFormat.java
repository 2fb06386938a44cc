package dev.x0tta6bl4.node.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How log lines are written to stdout: one JSON object per line, or human-readable text. */
public enum LogFormat {
  /** One JSON object per line (for journald and log shippers). */
  JSON,
  /** Human-readable lines for a terminal. */
  TEXT;

  /** The allowed spellings, for error messages. */
  public static final String ALLOWED =
      Arrays.stream(values()).map(LogFormat::configName).collect(Collectors.joining(" | "));

  /**
   * Parses a format name, ignoring case.
   *
   * @throws ConfigException if the name is not a known format
   */
  public static LogFormat parse(String text) {
    for (LogFormat f : values()) {
      if (f.name().equalsIgnoreCase(text)) {
        return f;
      }
    }
    throw ConfigException.invalidValue(
        "unknown log format " + ConfigException.quote(text), ALLOWED);
  }

  /** The name used in configuration files, lower-case. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
