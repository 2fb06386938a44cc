package dev.x0tta6bl4.node.config;

import java.util.Optional;

/**
 * A configuration value, file or environment variable that cannot be used.
 *
 * <p>The message is always one line. When the problem comes from a file or the environment it
 * reads {@code <source>: <key path>: <what is wrong>; allowed: <what is allowed>}, where source
 * is {@code <file>:<line>:<column>} or {@code environment MESHD_X}. The CLI prints the message
 * as is and exits with status 78 (EX_CONFIG).
 *
 * <p>Immutable; thrown on the thread that loads or builds the configuration.
 */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private static final int MAX_QUOTED = 80;

  private final String key;
  private final String problem;
  private final String allowed;

  private ConfigException(String message, String key, String problem, String allowed) {
    super(oneLine(message));
    this.key = key;
    this.problem = problem;
    this.allowed = allowed;
  }

  /** A problem not tied to one key, e.g. an unreadable file; {@code message} names the subject. */
  public ConfigException(String message) {
    this(message, null, message, null);
  }

  /** A bad value for {@code key} (a dotted key path, or {@code null} when not known yet). */
  static ConfigException invalid(String key, String problem, String allowed) {
    return new ConfigException(format(key, problem, allowed), key, problem, allowed);
  }

  /** A bad value whose key is filled in by the caller that knows where the value was read. */
  static ConfigException invalidValue(String problem, String allowed) {
    return invalid(null, problem, allowed);
  }

  /** The dotted key path this problem is about, when it is about one key. */
  public Optional<String> key() {
    return Optional.ofNullable(key);
  }

  String problem() {
    return problem;
  }

  String allowed() {
    return allowed;
  }

  /** The same problem, about {@code keyPath}, prefixed with where the value came from. */
  ConfigException locatedAt(String source, String keyPath) {
    String k = keyPath != null ? keyPath : key;
    return new ConfigException(source + ": " + format(k, problem, allowed), k, problem, allowed);
  }

  private static String format(String key, String problem, String allowed) {
    StringBuilder sb = new StringBuilder();
    if (key != null && !key.isEmpty()) {
      sb.append(key).append(": ");
    }
    sb.append(problem);
    if (allowed != null) {
      sb.append("; allowed: ").append(allowed);
    }
    return sb.toString();
  }

  /** Quotes a user-supplied value for a message: one line, bounded length. */
  static String quote(String value) {
    if (value == null) {
      return "null";
    }
    String shown = value.length() > MAX_QUOTED ? value.substring(0, MAX_QUOTED) + "..." : value;
    StringBuilder sb = new StringBuilder("'");
    for (int i = 0; i < shown.length(); i++) {
      char c = shown.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        sb.append(String.format("\\x%02x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.append('\'').toString();
  }

  private static String oneLine(String s) {
    return s == null ? "" : s.replaceAll("[\\r\\n]+\\s*", " ").strip();
  }
}
