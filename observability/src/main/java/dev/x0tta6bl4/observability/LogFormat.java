package dev.x0tta6bl4.observability;

/** How {@link LogSetup} renders log events on stdout. */
public enum LogFormat {
  /**
   * One JSON object per line (for journald and log shippers): {@code @timestamp} (ISO-8601),
   * {@code level}, {@code logger_name}, {@code thread_name}, {@code message}, MDC keys such as
   * {@code trace_id} at top level, {@code stack_trace} as one string.
   */
  JSON,
  /** A readable line per event for people at a terminal. */
  TEXT
}
