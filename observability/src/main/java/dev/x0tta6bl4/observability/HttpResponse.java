package dev.x0tta6bl4.observability;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * An HTTP response produced by a route handler. The server adds {@code Content-Length}, {@code
 * Content-Type} and {@code Connection}. Immutable value; the body array is copied in and out.
 *
 * <p>A response with a {@code stream} is a server-sent event stream ({@link #eventStream}): the
 * server writes the head with chunked transfer encoding and {@code Connection: close}, then hands
 * an open {@link EventStream} to the spec's callback; the body array is empty.
 *
 * @param status the status code, 100 to 599
 * @param contentType the {@code Content-Type} header value
 * @param body the body bytes (sent for every method but HEAD)
 * @param headers extra headers (names lower case), e.g. {@code allow} or {@code cache-control}
 * @param stream the event stream to open instead of a body, or null for a plain response
 */
public record HttpResponse(
    int status,
    String contentType,
    byte[] body,
    Map<String, String> headers,
    EventStream.Spec stream) {
  /** Content type of JSON bodies. */
  public static final String JSON = "application/json; charset=utf-8";

  /** Content type of server-sent event streams. */
  public static final String EVENT_STREAM = "text/event-stream; charset=utf-8";

  /** Copies and validates the fields. */
  public HttpResponse {
    if (status < 100 || status > 599) {
      throw new ObservabilityException(
          "HTTP status " + status + " is invalid: expected 100 to 599");
    }
    Objects.requireNonNull(contentType, "contentType");
    body = Objects.requireNonNull(body, "body").clone();
    Map<String, String> copy = new LinkedHashMap<>();
    Objects.requireNonNull(headers, "headers")
        .forEach((k, v) -> copy.put(k.toLowerCase(Locale.ROOT), Objects.requireNonNull(v, k)));
    headers = Collections.unmodifiableMap(copy);
    if (stream != null && body.length > 0) {
      throw new ObservabilityException("an event-stream response cannot also have a body");
    }
  }

  /** A plain response (no event stream). */
  public HttpResponse(int status, String contentType, byte[] body, Map<String, String> headers) {
    this(status, contentType, body, headers, null);
  }

  /** Returns a copy of the body. */
  @Override
  public byte[] body() {
    return body.clone();
  }

  /** A response with a JSON document that is already serialized. */
  public static HttpResponse json(int status, String json) {
    return new HttpResponse(status, JSON, json.getBytes(StandardCharsets.UTF_8), Map.of());
  }

  /** A response with {@code value} serialized to JSON by Jackson (records, maps, lists...). */
  public static HttpResponse jsonOf(int status, Object value) {
    try {
      return new HttpResponse(status, JSON, Json.MAPPER.writeValueAsBytes(value), Map.of());
    } catch (JsonProcessingException e) {
      throw new ObservabilityException(
          "cannot serialize " + value.getClass().getName() + " to JSON: " + e.getMessage(), e);
    }
  }

  /** A response with a text body, e.g. {@code text(200, "text/plain; charset=utf-8", "ok")}. */
  public static HttpResponse text(int status, String contentType, String body) {
    return new HttpResponse(status, contentType, body.getBytes(StandardCharsets.UTF_8), Map.of());
  }

  /**
   * An error response {@code {"error":{"code":code,"message":message}}}, the shape of every error
   * of meshd's HTTP servers. {@code code} is stable (clients branch on it); {@code message} is for
   * people.
   */
  public static HttpResponse error(int status, String code, String message) {
    return error(status, code, message, Map.of());
  }

  /**
   * An error response whose {@code error} object carries {@code extra} fields after code and
   * message, e.g. {@code retry_after_ms}.
   */
  public static HttpResponse error(
      int status, String code, String message, Map<String, ?> extra) {
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("code", Objects.requireNonNull(code, "code"));
    error.put("message", Objects.requireNonNull(message, "message"));
    error.putAll(extra);
    return jsonOf(status, Map.of("error", error));
  }

  /**
   * A 200 {@code text/event-stream} response: once the head is written, {@code onOpen} receives
   * the open stream (see {@link EventStream}).
   *
   * @param bufferEvents events that may wait to be written before new ones are dropped
   */
  public static HttpResponse eventStream(int bufferEvents, Consumer<EventStream> onOpen) {
    return new HttpResponse(200, EVENT_STREAM, new byte[0], Map.of("cache-control", "no-store"),
        new EventStream.Spec(bufferEvents, onOpen));
  }

  /** Whether this response opens an event stream. */
  public boolean isEventStream() {
    return stream != null;
  }

  /** A copy of this response with one more header. */
  public HttpResponse withHeader(String name, String value) {
    Map<String, String> more = new LinkedHashMap<>(headers);
    more.put(name.toLowerCase(Locale.ROOT), value);
    return new HttpResponse(status, contentType, body, more, stream);
  }
}
