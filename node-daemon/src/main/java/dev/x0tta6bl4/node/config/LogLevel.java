package dev.x0tta6bl4.node.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** A logger threshold; {@link #OFF} silences a logger. */
public enum LogLevel {
  TRACE,
  DEBUG,
  INFO,
  WARN,
  ERROR,
  OFF;

  /** The allowed spellings, for error messages. */
  public static final String ALLOWED =
      Arrays.stream(values()).map(LogLevel::configName).collect(Collectors.joining(" | "))
          + " (any case)";

  /**
   * Parses a level name, ignoring case.
   *
   * @throws ConfigException if the name is not a known level
   */
  public static LogLevel parse(String text) {
    for (LogLevel level : values()) {
      if (level.name().equalsIgnoreCase(text)) {
        return level;
      }
    }
    throw ConfigException.invalidValue("unknown log level " + ConfigException.quote(text), ALLOWED);
  }

  /** The name used in configuration files, lower-case. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
