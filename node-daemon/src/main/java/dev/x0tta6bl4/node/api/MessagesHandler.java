package dev.x0tta6bl4.node.api;

import dev.x0tta6bl4.node.mesh.MeshService;
import dev.x0tta6bl4.observability.HttpRequest;
import dev.x0tta6bl4.observability.HttpResponse;
import dev.x0tta6bl4.observability.TracedSpan;
import dev.x0tta6bl4.observability.Tracing;
import io.opentelemetry.api.trace.SpanKind;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * {@code POST /v1/messages}: parses a {@link SendRequest}, hands it to the mesh and answers:
 *
 * <ul>
 *   <li>202 {@code "status": "accepted"} when not waiting (and always for broadcasts);
 *   <li>200 {@code "status": "delivered"} (attempts, round trip) or {@code "failed"} (failure
 *       reason) when waiting and the outcome came within the wait;
 *   <li>202 {@code "status": "pending"} when the wait ended first (the message is still in
 *       flight and may yet be delivered);
 *   <li>429 {@code overloaded} with {@code Retry-After} when {@link SendAdmission} refuses it
 *       (checked before the body is parsed, so a shed request costs little);
 *   <li>an error (see {@link ApiResponses}) when the message was refused.
 * </ul>
 *
 * Runs on event loops and never blocks: the outcome and the wait timer complete the response
 * from the mesh's thread or the scheduler. Stateless apart from metrics and the admission
 * controller's figures (response time of each admitted request, admission to acknowledgement of
 * each admitted unicast).
 *
 * <p>Tracing: each request is a span {@code meshd.api.send} (kind SERVER) that continues a valid
 * {@code traceparent} request header, else the body's {@code traceparent}, else starts a trace
 * sampled at the configured ratio; the message carries the span's context (or, unsampled, the
 * caller's context unchanged). The span ends when the response is ready.
 */
final class MessagesHandler {
  private final MeshService mesh;
  private final BooleanSupplier ready;
  private final ScheduledExecutorService scheduler;
  private final Duration maxWait;
  private final Duration meshTimeout;
  private final ApiMetrics metrics;
  private final Tracing tracing;
  private final SendAdmission admission;

  MessagesHandler(MeshService mesh, BooleanSupplier ready, ScheduledExecutorService scheduler,
      Duration maxWait, Duration meshTimeout, ApiMetrics metrics, Tracing tracing,
      SendAdmission admission) {
    this.tracing = tracing;
    this.admission = admission;
    this.mesh = mesh;
    this.ready = ready;
    this.scheduler = scheduler;
    this.maxWait = maxWait;
    this.meshTimeout = meshTimeout;
    this.metrics = metrics;
  }

  CompletionStage<HttpResponse> handle(HttpRequest request) {
    if (!ready.getAsBoolean()) {
      return CompletableFuture.completedFuture(ApiResponses.notReady());
    }
    try {
      requireJson(request);
    } catch (ApiException e) {
      return CompletableFuture.completedFuture(e.toResponse());
    }
    long retryAfterNanos = admission.tryAdmit();
    if (retryAfterNanos > 0) {
      return CompletableFuture.completedFuture(
          ApiResponses.overloaded(retryAfterNanos, admission.currentLimit()));
    }
    long admittedAt = admission.now();
    return admitted(request, admittedAt)
        .whenComplete((response, error) -> admission.responded(admittedAt));
  }

  private CompletionStage<HttpResponse> admitted(HttpRequest request, long admittedAt) {
    SendRequest send;
    try {
      send = SendRequest.parse(request.body(), maxWait);
    } catch (ApiException e) {
      return CompletableFuture.completedFuture(e.toResponse());
    }
    if (tracing.enabled()) {
      return traced(request, send, admittedAt);
    }
    return forward(send, send.traceparent(), admittedAt);
  }

  private CompletionStage<HttpResponse> traced(HttpRequest request, SendRequest send,
      long admittedAt) {
    String incoming = request.header(Tracing.TRACEPARENT).filter(Tracing::valid)
        .orElse(send.traceparent());
    TracedSpan span = tracing.startSpan("meshd.api.send", SpanKind.SERVER, incoming)
        .attribute("meshd.destination", send.destination())
        .attribute("meshd.topic", send.topic())
        .attribute("meshd.broadcast", String.valueOf(send.broadcast()));
    CompletionStage<HttpResponse> response;
    try (TracedSpan.Activation ignored = span.activate()) {
      response = forward(send, span.recording() ? span.traceparent() : incoming, admittedAt);
    }
    return response.whenComplete((r, error) -> {
      if (r != null) {
        span.attribute("http.response.status_code", r.status());
        if (r.status() >= 400) {
          span.error(String.valueOf(r.status()));
        }
      }
      span.end();
    });
  }

  private CompletionStage<HttpResponse> forward(SendRequest send, String traceparent,
      long admittedAt) {
    CompletableFuture<MeshService.Accepted> accepted =
        send.broadcast()
            ? mesh.broadcast(send.topic(), send.payload(), traceparent)
            : mesh.send(send.destination(), send.topic(), send.payload(), traceparent);
    return ApiResponses.within(accepted, meshTimeout, scheduler,
            "the mesh (send)")
        .thenCompose(a -> {
          metrics.message(send.broadcast(), "accepted");
          if (!send.broadcast()) {
            admission.accepted();
            a.outcome().whenComplete((outcome, error) ->
                admission.outcome(admittedAt, error == null && outcome.delivered()));
          }
          return send.waitTimeout().isPresent()
              ? awaitOutcome(send, a, send.waitTimeout().get())
              : CompletableFuture.completedFuture(
                  ApiResponses.json(202, body(send, a.messageId(), "accepted")));
        })
        .exceptionally(error -> {
          metrics.message(send.broadcast(), ApiResponses.codeOf(error));
          return ApiResponses.fromFailure(error);
        });
  }

  private CompletableFuture<HttpResponse> awaitOutcome(SendRequest send,
      MeshService.Accepted accepted, Duration wait) {
    CompletableFuture<HttpResponse> response = new CompletableFuture<>();
    ScheduledFuture<?> timer = scheduler.schedule(() -> {
      if (response.complete(pending(send, accepted.messageId(), wait))) {
        metrics.outcome("pending");
      }
    }, wait.toMillis(), TimeUnit.MILLISECONDS);
    accepted.outcome().whenComplete((outcome, error) -> {
      timer.cancel(false);
      if (error != null) {
        response.complete(ApiResponses.fromFailure(error));
        return;
      }
      if (response.complete(outcome(send, accepted.messageId(), outcome))) {
        metrics.outcome(outcome.delivered() ? "delivered" : "failed");
      }
    });
    return response;
  }

  private static HttpResponse outcome(SendRequest send, String id, MeshService.Outcome outcome) {
    Map<String, Object> body = body(send, id, outcome.delivered() ? "delivered" : "failed");
    body.put("attempts", outcome.attempts());
    if (outcome.delivered()) {
      body.put("round_trip_ms", MeshStateHandlers.millis(outcome.roundTrip()));
    } else {
      body.put("failure", outcome.failure().orElse("unknown"));
    }
    return ApiResponses.json(200, body);
  }

  private static HttpResponse pending(SendRequest send, String id, Duration waited) {
    Map<String, Object> body = body(send, id, "pending");
    body.put("waited_ms", waited.toMillis());
    return ApiResponses.json(202, body);
  }

  private static Map<String, Object> body(SendRequest send, String id, String status) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("message_id", id);
    body.put("destination", send.destination());
    body.put("broadcast", send.broadcast());
    body.put("status", status);
    return body;
  }

  private static void requireJson(HttpRequest request) {
    String type = request.header("content-type").orElse("application/json");
    String media = type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    if (!media.equals("application/json")
        && !(media.startsWith("application/") && media.endsWith("+json"))) {
      throw new ApiException(415, "unsupported_media_type",
          "content type '" + type + "' is not supported; send Content-Type: application/json"
              + " (curl: -H 'content-type: application/json')");
    }
  }
}
