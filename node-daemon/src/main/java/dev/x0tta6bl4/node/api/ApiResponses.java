package dev.x0tta6bl4.node.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.x0tta6bl4.node.mesh.MeshRejectedException;
import dev.x0tta6bl4.observability.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local API's JSON mapper and its mapping of failures to error responses. Every error has
 * the shape {@code {"error":{"code":...,"message":...}}}; the codes are stable (see {@code
 * docs/api.md}):
 *
 * <ul>
 *   <li>{@link ApiException}: its own status and code;
 *   <li>{@link MeshRejectedException}: {@code QUEUE_FULL} 429 {@code queue_full} with {@code
 *       Retry-After} (whole seconds, at least 1) and {@code retry_after_ms}; {@code NO_ROUTE} 404
 *       {@code unknown_node}; {@code PAYLOAD_TOO_LARGE} 413 {@code payload_too_large}; {@code
 *       INVALID_ARGUMENT} 400 {@code invalid_argument}; {@code SHUTTING_DOWN} 503 {@code
 *       shutting_down};
 *   <li>{@link #overloaded}: 429 {@code overloaded} (admission control sheds load), with {@code
 *       Retry-After} and {@code retry_after_ms} like {@code queue_full} and {@code
 *       admission_limit} (messages per second);
 *   <li>a {@link TimeoutException} (the mesh did not answer in time): 503 {@code unavailable};
 *   <li>anything else: 500 {@code internal_error} and a log line.
 * </ul>
 *
 * Stateless; thread-safe.
 */
final class ApiResponses {
  private static final Logger log = LoggerFactory.getLogger(ApiResponses.class);

  /** Strict: duplicate keys and trailing tokens are errors (readers reject unknown fields). */
  static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private ApiResponses() {}

  /** A JSON body with {@code Cache-Control: no-store} (the answers describe the moment). */
  static HttpResponse json(int status, Object value) {
    return HttpResponse.jsonOf(status, value).withHeader("cache-control", "no-store");
  }

  /** 503 {@code not_ready}: the node is starting or stopping. */
  static HttpResponse notReady() {
    return HttpResponse.error(503, "not_ready",
            "the node is not ready (starting or stopping); retry shortly")
        .withHeader("retry-after", "1");
  }

  /**
   * 429 {@code overloaded}: {@link SendAdmission} refused a send because the node is shedding
   * load; a token is available again in {@code retryAfterNanos}.
   */
  static HttpResponse overloaded(long retryAfterNanos, double limitPerSecond) {
    long millis = Math.max(1, (retryAfterNanos + 999_999) / 1_000_000);
    long seconds = Math.max(1, (millis + 999) / 1000);
    String limit = String.format(java.util.Locale.ROOT, "%.1f", limitPerSecond);
    return HttpResponse.error(429, "overloaded",
            "the node is shedding load: sends are admitted at " + limit
                + " messages/s; retry after " + millis + " ms",
            Map.of("retry_after_ms", millis, "admission_limit", limitPerSecond))
        .withHeader("retry-after", Long.toString(seconds));
  }

  /** The error response for {@code failure}, unwrapping completion wrappers. */
  static HttpResponse fromFailure(Throwable failure) {
    Throwable cause = unwrap(failure);
    if (cause instanceof ApiException api) {
      return api.toResponse();
    }
    String code = codeOf(cause);
    String message = cause.getMessage() == null ? code : cause.getMessage();
    switch (code) {
      case "queue_full": {
        Duration hint =
            ((MeshRejectedException) cause).retryAfter().orElse(Duration.ofSeconds(1));
        long seconds = Math.max(1, (hint.toMillis() + 999) / 1000);
        return HttpResponse.error(429, code, message,
                Map.of("retry_after_ms", Math.max(1, hint.toMillis())))
            .withHeader("retry-after", Long.toString(seconds));
      }
      case "unknown_node":
        return HttpResponse.error(404, code, message);
      case "payload_too_large":
        return HttpResponse.error(413, code, message);
      case "invalid_argument":
        return HttpResponse.error(400, code, message);
      case "shutting_down":
      case "unavailable":
        return HttpResponse.error(503, code, message);
      default:
        log.error("local API request failed", cause);
        return HttpResponse.error(500, "internal_error",
            "internal error: " + cause.getClass().getSimpleName());
    }
  }

  /** The stable error code {@link #fromFailure} answers {@code failure} with. */
  static String codeOf(Throwable failure) {
    Throwable cause = unwrap(failure);
    if (cause instanceof ApiException api) {
      return api.code();
    }
    if (cause instanceof TimeoutException) {
      return "unavailable";
    }
    if (cause instanceof MeshRejectedException rejected) {
      switch (rejected.reason()) {
        case QUEUE_FULL:
          return "queue_full";
        case NO_ROUTE:
          return "unknown_node";
        case PAYLOAD_TOO_LARGE:
          return "payload_too_large";
        case INVALID_ARGUMENT:
          return "invalid_argument";
        case SHUTTING_DOWN:
          return "shutting_down";
        default:
          return "internal_error";
      }
    }
    return "internal_error";
  }

  static Throwable unwrap(Throwable failure) {
    Throwable t = failure;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /**
   * {@code future}, or a failure with {@link TimeoutException} naming {@code what} if it has not
   * completed within {@code timeout}. The original future is left alone.
   */
  static <T> CompletableFuture<T> within(CompletableFuture<T> future, Duration timeout,
      ScheduledExecutorService scheduler, String what) {
    CompletableFuture<T> result = new CompletableFuture<>();
    ScheduledFuture<?> timer = scheduler.schedule(
        () -> result.completeExceptionally(new TimeoutException(
            what + " did not answer within " + timeout.toMillis() + " ms")),
        timeout.toMillis(), TimeUnit.MILLISECONDS);
    future.whenComplete((value, error) -> {
      timer.cancel(false);
      if (error != null) {
        result.completeExceptionally(error);
      } else {
        result.complete(value);
      }
    });
    return result;
  }
}
