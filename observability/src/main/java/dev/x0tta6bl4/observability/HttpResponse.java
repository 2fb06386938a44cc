package dev.x0tta6bl4.observability;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * An HTTP response produced by a route handler. The server adds {@code Content-Length}, {@code
 * Content-Type} and {@code Connection}. Immutable value; the body array is copied in and out.
 *
 * @param status the status code, 100 to 599
 * @param contentType the {@code Content-Type} header value
 * @param body the body bytes (sent for every method but HEAD)
 * @param headers extra headers (names lower case), e.g. {@code allow} or {@code cache-control}
 */
public record HttpResponse(
    int status, String contentType, byte[] body, Map<String, String> headers) {
  /** Content type of JSON bodies. */
  public static final String JSON = "application/json; charset=utf-8";

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

  /** An error response {@code {"code":code,"message":message}}, the shape of every API error. */
  public static HttpResponse error(int status, String code, String message) {
    Map<String, String> body = new LinkedHashMap<>();
    body.put("code", code);
    body.put("message", message);
    return jsonOf(status, body);
  }

  /** A copy of this response with one more header. */
  public HttpResponse withHeader(String name, String value) {
    Map<String, String> more = new LinkedHashMap<>(headers);
    more.put(name.toLowerCase(Locale.ROOT), value);
    return new HttpResponse(status, contentType, body, more);
  }
}
