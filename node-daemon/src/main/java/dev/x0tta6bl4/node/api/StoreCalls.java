package dev.x0tta6bl4.node.api;

import dev.x0tta6bl4.consensus.ReplicatedStore;
import dev.x0tta6bl4.observability.HttpRequest;
import dev.x0tta6bl4.observability.HttpResponse;
import dev.x0tta6bl4.observability.TracedSpan;
import dev.x0tta6bl4.observability.Tracing;
import io.opentelemetry.api.trace.SpanKind;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BooleanSupplier;

/**
 * The common frame of every KV and cluster request: 503 {@code not_ready} while the node starts
 * or stops, 503 {@code consensus_disabled} without a store, the store fetched from {@link
 * ConsensusAccess} for this request only, the API's own deadline (the store's request timeout
 * plus a second), failures mapped by {@link ConsensusResponses}, and one count in {@code
 * meshd.api.consensus.requests} per answer. With tracing on, each request is a {@code
 * meshd.raft.<kind>} span (a child of the request's {@code traceparent} header when it has one)
 * from arrival to answer, with the answer's status and error code. Stateless apart from metrics;
 * runs on event loops.
 */
final class StoreCalls {
  /** The work of one request once the store is at hand; may throw {@link ApiException}. */
  @FunctionalInterface
  interface Work {
    CompletableFuture<HttpResponse> apply(ReplicatedStore store);
  }

  private final ConsensusAccess consensus;
  private final BooleanSupplier ready;
  private final ScheduledExecutorService scheduler;
  private final ApiMetrics metrics;
  private final Tracing tracing;

  StoreCalls(ConsensusAccess consensus, BooleanSupplier ready,
      ScheduledExecutorService scheduler, ApiMetrics metrics, Tracing tracing) {
    this.consensus = consensus;
    this.ready = ready;
    this.scheduler = scheduler;
    this.metrics = metrics;
    this.tracing = tracing;
  }

  ConsensusAccess consensus() {
    return consensus;
  }

  /** Runs {@code work} as request {@code kind} (a {@link ApiMetrics#CONSENSUS_KINDS} value). */
  CompletionStage<HttpResponse> call(String kind, HttpRequest request, Work work) {
    if (!tracing.enabled()) {
      return call(kind, work);
    }
    TracedSpan span = tracing.startSpan("meshd.raft." + kind, SpanKind.SERVER,
        request.header(Tracing.TRACEPARENT).orElse(null));
    CompletionStage<HttpResponse> response;
    try (TracedSpan.Activation ignored = span.activate()) {
      response = call(kind, work);
    }
    return response.whenComplete((r, error) -> {
      if (r != null) {
        span.attribute("http.response.status_code", r.status());
        if (r.status() >= 400) {
          span.attribute("meshd.error_code", errorCode(r)).error(String.valueOf(r.status()));
        }
      }
      span.end();
    });
  }

  private CompletionStage<HttpResponse> call(String kind, Work work) {
    if (!ready.getAsBoolean()) {
      return CompletableFuture.completedFuture(ApiResponses.notReady());
    }
    if (!consensus.enabled()) {
      metrics.consensusRequest(kind, "consensus_disabled");
      return CompletableFuture.completedFuture(ConsensusResponses.disabled());
    }
    ReplicatedStore store = null;
    try {
      store = consensus.store();
      ReplicatedStore s = store;
      Duration wait = s.config().requestTimeout().plusSeconds(1);
      return ApiResponses.within(work.apply(s), wait, scheduler, "the Raft group")
          .exceptionally(error -> ConsensusResponses.fromFailure(error, s))
          .thenApply(response -> count(kind, response));
    } catch (ApiException e) {
      return CompletableFuture.completedFuture(count(kind, e.toResponse()));
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(
          count(kind, ConsensusResponses.fromFailure(e, store)));
    }
  }

  private HttpResponse count(String kind, HttpResponse response) {
    metrics.consensusRequest(kind, response.status() / 100 == 2 ? "ok" : errorCode(response));
    return response;
  }

  /** The {@code error.code} of an error response (read back from its JSON). */
  static String errorCode(HttpResponse response) {
    try {
      return ApiResponses.JSON.readTree(response.body()).path("error").path("code")
          .asText("http_" + response.status());
    } catch (java.io.IOException e) {
      return "http_" + response.status();
    }
  }
}
