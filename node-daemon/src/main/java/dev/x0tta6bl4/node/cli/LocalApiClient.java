package dev.x0tta6bl4.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The CLI's client of a node's local API ({@code docs/api.md}), on the JDK HTTP client. Errors
 * become exceptions the CLI maps to exit codes: {@link Unreachable} (nothing listens: the node is
 * not running) and {@link ApiError} (the API answered with its error JSON). Used by one command on
 * one thread.
 */
final class LocalApiClient {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);

  private final URI base;
  private final HttpClient http;

  LocalApiClient(URI base) {
    String text = base.toString();
    this.base = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(CONNECT_TIMEOUT).build();
  }

  URI base() {
    return base;
  }

  /** The API could not be reached at all. */
  static final class Unreachable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unreachable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** The API answered with an error. */
  static final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;
    final String code;
    final String retryAfter;
    /** The {@code error} object of the answer (code, message and any extra fields), or null. */
    final transient JsonNode error;

    ApiError(int status, String code, String message, String retryAfter) {
      this(status, code, message, retryAfter, null);
    }

    ApiError(int status, String code, String message, String retryAfter, JsonNode error) {
      super(message);
      this.status = status;
      this.code = code;
      this.retryAfter = retryAfter;
      this.error = error;
    }
  }

  /** A response whose status is 2xx, with its JSON body. */
  record Answer(int status, String body, JsonNode json) {}

  Answer get(String path) {
    return exchange(HttpRequest.newBuilder(base.resolve(base.getPath() + path))
        .timeout(REQUEST_TIMEOUT).GET().build());
  }

  Answer post(String path, String json, Duration extraWait) {
    return exchange(HttpRequest.newBuilder(base.resolve(base.getPath() + path))
        .timeout(REQUEST_TIMEOUT.plus(extraWait))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)).build());
  }

  /** A 2xx response with its raw body and headers (the KV endpoints answer raw values). */
  record RawAnswer(int status, byte[] body, java.net.http.HttpHeaders headers) {
    JsonNode json() {
      return parse(new String(body, StandardCharsets.UTF_8));
    }
  }

  /**
   * {@code method} on {@code path} with a raw {@code body} (null for none) and header name/value
   * pairs; a non-2xx answer becomes an {@link ApiError}.
   */
  RawAnswer raw(String method, String path, byte[] body, String... headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(base.getPath() + path))
        .timeout(REQUEST_TIMEOUT)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(body));
    if (headers.length > 0) {
      request.headers(headers);
    }
    HttpResponse<byte[]> response = send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    check(response.statusCode(), new String(response.body(), StandardCharsets.UTF_8), response);
    return new RawAnswer(response.statusCode(), response.body(), response.headers());
  }

  private Answer exchange(HttpRequest request) {
    HttpResponse<String> response = send(request,
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    check(response.statusCode(), response.body(), response);
    return new Answer(response.statusCode(), response.body(), parse(response.body()));
  }

  /**
   * Opens {@code path} as an event stream and returns its lines; the caller closes the stream,
   * which closes the connection.
   */
  Stream<String> events(String path) {
    HttpRequest request = HttpRequest.newBuilder(base.resolve(base.getPath() + path))
        .header("accept", "text/event-stream").GET().build();
    HttpResponse<Stream<String>> response = send(request, HttpResponse.BodyHandlers.ofLines());
    if (response.statusCode() / 100 != 2) {
      String body;
      try (Stream<String> lines = response.body()) {
        body = lines.collect(Collectors.joining("\n"));
      }
      check(response.statusCode(), body, response);
    }
    return response.body();
  }

  private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
    try {
      return http.send(request, handler);
    } catch (ConnectException | HttpConnectTimeoutException e) {
      throw new Unreachable("cannot reach the local API at " + base + ": "
          + (e.getMessage() == null ? "connection refused" : e.getMessage())
          + ". Is the node running? Start it with 'meshd run', or point --api at its api.bind"
          + " address.", e);
    } catch (IOException e) {
      throw new Unreachable("request to the local API at " + base + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Unreachable("interrupted while talking to " + base, e);
    }
  }

  private static void check(int status, String body, HttpResponse<?> response) {
    if (status / 100 == 2) {
      return;
    }
    JsonNode error = parseOrNull(body);
    JsonNode e = error == null ? null : error.get("error");
    String code = e != null && e.hasNonNull("code") ? e.get("code").asText() : "http_" + status;
    String message = e != null && e.hasNonNull("message") ? e.get("message").asText()
        : "HTTP " + status + (body.isBlank() ? "" : ": " + body.strip());
    throw new ApiError(status, code, message,
        response.headers().firstValue("retry-after").orElse(null), e);
  }

  private static JsonNode parse(String body) {
    JsonNode node = parseOrNull(body);
    if (node == null) {
      throw new ApiError(200, "bad_response", "the local API answered with something that is not"
          + " JSON: " + abbreviate(body), null);
    }
    return node;
  }

  private static JsonNode parseOrNull(String body) {
    try {
      return body.isBlank() ? null : JSON.readTree(body);
    } catch (IOException e) {
      return null;
    }
  }

  private static String abbreviate(String text) {
    return text.length() <= 200 ? text : text.substring(0, 200) + "...";
  }

  /** One server-sent event: its type ({@code message} when unnamed) and data. */
  record Event(String type, String data) {}

  /**
   * Groups SSE lines into events (comments and ids skipped); ends when the lines end. Lazily:
   * each {@code next()} reads only as far as the next event.
   */
  static Iterator<Event> parseEvents(Iterator<String> lines) {
    return new Iterator<>() {
      private Event next;

      @Override
      public boolean hasNext() {
        if (next == null) {
          next = read();
        }
        return next != null;
      }

      @Override
      public Event next() {
        if (!hasNext()) {
          throw new java.util.NoSuchElementException();
        }
        Event e = next;
        next = null;
        return e;
      }

      private Event read() {
        String type = null;
        StringBuilder data = null;
        while (lines.hasNext()) {
          String line = lines.next();
          if (line.isEmpty()) {
            if (data != null) {
              return new Event(type == null ? "message" : type, data.toString());
            }
            type = null;
            continue;
          }
          if (line.startsWith(":")) {
            continue;
          }
          int colon = line.indexOf(':');
          String field = colon < 0 ? line : line.substring(0, colon);
          String value = colon < 0 ? "" : line.substring(colon + 1);
          if (value.startsWith(" ")) {
            value = value.substring(1);
          }
          if (field.equals("event")) {
            type = value;
          } else if (field.equals("data")) {
            data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
          }
        }
        return null;
      }
    };
  }
}
