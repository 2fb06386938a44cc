package dev.x0tta6bl4.observability;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One server-sent event as written on an {@link EventStream} (the {@code text/event-stream}
 * format of the HTML standard):
 *
 * <pre>
 * id: &lt;id&gt;          (only when id is not null)
 * event: &lt;event&gt;    (only when event is not null)
 * data: &lt;line 1&gt;    (one data line per line of data)
 * data: &lt;line 2&gt;
 * (empty line)
 * </pre>
 *
 * Immutable value.
 *
 * @param event the event type, or null for the default type {@code message}; no line breaks
 * @param id the event id, or null; no line breaks and no NUL
 * @param data the payload; line breaks (CR, LF or CRLF) split it into several data lines
 */
public record ServerSentEvent(String event, String id, String data) {

  /** Validates the fields. */
  public ServerSentEvent {
    requireSingleLine("event", event);
    requireSingleLine("id", id);
    if (id != null && id.indexOf('\0') >= 0) {
      throw new ObservabilityException("server-sent event id contains NUL: not allowed");
    }
    Objects.requireNonNull(data, "data");
  }

  /** An event of type {@code event} with {@code data} and no id. */
  public static ServerSentEvent of(String event, String data) {
    return new ServerSentEvent(event, null, data);
  }

  /** The event in wire format, UTF-8, ending with the blank line that dispatches it. */
  public byte[] encode() {
    StringBuilder out = new StringBuilder(data.length() + 32);
    if (id != null) {
      out.append("id: ").append(id).append('\n');
    }
    if (event != null) {
      out.append("event: ").append(event).append('\n');
    }
    int start = 0;
    int n = data.length();
    for (int i = 0; i < n; i++) {
      char c = data.charAt(i);
      if (c == '\r' || c == '\n') {
        out.append("data: ").append(data, start, i).append('\n');
        if (c == '\r' && i + 1 < n && data.charAt(i + 1) == '\n') {
          i++;
        }
        start = i + 1;
      }
    }
    out.append("data: ").append(data, start, n).append("\n\n");
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void requireSingleLine(String field, String value) {
    if (value != null && (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0)) {
      throw new ObservabilityException(
          "server-sent event " + field + " '" + value.replace("\n", "\\n").replace("\r", "\\r")
              + "' contains a line break: expected a single line");
    }
  }
}
