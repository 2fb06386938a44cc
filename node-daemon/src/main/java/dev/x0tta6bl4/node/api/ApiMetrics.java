package dev.x0tta6bl4.node.api;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Meters of the local API beyond the per-request ones of the HTTP server ({@code
 * meshd.http.requests{server="api"}}, {@code meshd.http.request.duration}) and of its event
 * streams ({@code meshd.http.stream.events}):
 *
 * <ul>
 *   <li>{@code meshd.api.subscribers}: open subscriptions ({@code GET /v1/subscribe});
 *   <li>{@code meshd.api.messages{kind, result}}: messages handed to the API, {@code kind}
 *       unicast or broadcast, {@code result} accepted or the error code of the refusal;
 *   <li>{@code meshd.api.message.outcomes{result}}: outcomes reported to clients that waited,
 *       {@code delivered}, {@code failed} or {@code pending} (the wait ended first);
 *   <li>{@code meshd.api.consensus.requests{kind, result}}: KV and cluster requests, {@code
 *       kind} one of {@link #CONSENSUS_KINDS}, {@code result} {@code ok} or the stable error code
 *       of the answer ({@code not_found}, {@code version_mismatch}, {@code no_quorum}, ...).
 * </ul>
 *
 * Tags are bounded (fixed sets). Thread-safe.
 */
final class ApiMetrics {
  /** The {@code kind} tag values of {@code meshd.api.consensus.requests}. */
  static final java.util.List<String> CONSENSUS_KINDS = java.util.List.of("kv_get", "kv_put",
      "kv_cas", "kv_delete", "cluster_status", "cluster_snapshot", "cluster_add_voter",
      "cluster_remove_voter");

  private final MeterRegistry registry;
  private final AtomicInteger subscribers = new AtomicInteger();

  ApiMetrics(MeterRegistry registry) {
    this.registry = registry;
    Gauge.builder("meshd.api.subscribers", subscribers, AtomicInteger::get)
        .description("Open event-stream subscriptions of the local API")
        .register(registry);
    // The usual series exist at zero from the start, so rates and alerts see them at once.
    for (boolean broadcast : new boolean[] {false, true}) {
      messages(broadcast, "accepted");
    }
    for (String result : new String[] {"delivered", "failed", "pending"}) {
      outcomes(result);
    }
    for (String kind : CONSENSUS_KINDS) {
      consensusRequests(kind, "ok");
    }
  }

  /** Counts one KV or cluster request by kind and outcome ({@code ok} or an error code). */
  void consensusRequest(String kind, String result) {
    consensusRequests(kind, result).increment();
  }

  private Counter consensusRequests(String kind, String result) {
    return Counter.builder("meshd.api.consensus.requests")
        .description("KV and cluster requests to the local API, by kind and result")
        .tags("kind", kind, "result", result)
        .register(registry);
  }

  /** The live count of subscribers; the subscribe handler reserves and releases through it. */
  AtomicInteger subscribers() {
    return subscribers;
  }

  void message(boolean broadcast, String result) {
    messages(broadcast, result).increment();
  }

  void outcome(String result) {
    outcomes(result).increment();
  }

  private Counter messages(boolean broadcast, String result) {
    return Counter.builder("meshd.api.messages")
        .description("Messages posted to the local API, by kind and result")
        .tags("kind", broadcast ? "broadcast" : "unicast", "result", result)
        .register(registry);
  }

  private Counter outcomes(String result) {
    return Counter.builder("meshd.api.message.outcomes")
        .description("Delivery outcomes reported to API clients that waited")
        .tag("result", result)
        .register(registry);
  }
}
