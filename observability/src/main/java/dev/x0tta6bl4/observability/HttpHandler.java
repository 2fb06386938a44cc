package dev.x0tta6bl4.observability;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Handles requests of one route of an {@link HttpServer}.
 *
 * <p>Called on the connection's Netty event loop, so it must never block. Fast work (render a
 * small JSON document, scrape the meter registry) may complete inline: return {@link
 * CompletableFuture#completedFuture}. Slow work (Raft writes, disk) must run elsewhere and complete
 * the stage later; the server writes the response when it completes, from any thread. A thrown
 * exception or a failed stage becomes a 500 {@code internal_error} response and a log line.
 */
@FunctionalInterface
public interface HttpHandler {
  /** Produces the response for {@code request}. */
  CompletionStage<HttpResponse> handle(HttpRequest request);

  /** Adapts a fast, non-blocking function that answers inline. */
  static HttpHandler inline(Function<HttpRequest, HttpResponse> function) {
    return request -> CompletableFuture.completedFuture(function.apply(request));
  }
}
