package dev.x0tta6bl4.node.mesh;

import dev.x0tta6bl4.node.delivery.BroadcastMessage;
import dev.x0tta6bl4.node.delivery.DataMessage;
import dev.x0tta6bl4.node.delivery.MessageId;
import dev.x0tta6bl4.observability.TracedSpan;
import dev.x0tta6bl4.observability.Tracing;
import io.opentelemetry.api.trace.SpanKind;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The spans of {@link MeshRouter}: which ones exist, their names and attributes. Only messages
 * that carry a sampled W3C {@code traceparent} are traced; the router never starts a trace of its
 * own (the local API, or whoever calls {@link MeshService#send}, decides). With tracing off or an
 * unsampled message every method returns {@link TracedSpan#NOOP} after a branch or two and
 * allocates nothing.
 *
 * <pre>
 *   meshd.api.send (n0, SERVER)          the local API request
 *   └ meshd.send (n0, PRODUCER)          until the ack or the failure; its context in the frame
 *     └ meshd.forward (n1, INTERNAL)     each relay; rewrites the frame's context to itself
 *       └ meshd.forward (n2, INTERNAL)
 *         └ meshd.deliver (n3, CONSUMER) the destination hands the message to subscribers
 * </pre>
 *
 * A broadcast has {@code meshd.broadcast} at its origin and one {@code meshd.deliver} per
 * delivering node, each a child of the origin's span (relays of a flood do not rewrite it).
 *
 * <p>Used on the router's owner loop only; stateless apart from its settings.
 */
final class MeshTracing {
  static final String MESSAGE_ID = "meshd.message.id";
  static final String SOURCE = "meshd.source";
  static final String DESTINATION = "meshd.destination";
  static final String NODE = "meshd.node";
  static final String NEXT_HOP = "meshd.next_hop";
  static final String TTL = "meshd.ttl";
  static final String TOPIC = "meshd.topic";
  static final String BROADCAST = "meshd.broadcast";
  static final String ATTEMPTS = "meshd.attempts";

  private final Tracing tracing;
  private final boolean enabled;
  private final String node;

  MeshTracing(Tracing tracing, String node) {
    this.tracing = tracing;
    this.enabled = tracing.enabled();
    this.node = node;
  }

  /** Whether a forwarded copy is a sampled message this node relays (not one it sent itself). */
  boolean relaying(DataMessage m) {
    return enabled && Tracing.sampled(m.traceparent()) && !node.equals(m.source());
  }

  /** The source's span of a unicast send, continuing the caller's context. */
  TracedSpan send(String destination, String topic, String traceparent) {
    if (!enabled || !Tracing.sampled(traceparent)) {
      return TracedSpan.NOOP;
    }
    return tracing.continueTrace("meshd.send", SpanKind.PRODUCER, traceparent)
        .attribute(SOURCE, node)
        .attribute(DESTINATION, destination)
        .attribute(NODE, node)
        .attribute(TOPIC, topic == null ? "" : topic);
  }

  /** A relay's span for one forwarded copy ({@code m} already carries the decremented TTL). */
  TracedSpan forward(DataMessage m, String nextHop) {
    return tracing.continueTrace("meshd.forward", SpanKind.INTERNAL, m.traceparent())
        .attribute(MESSAGE_ID, m.id().toString())
        .attribute(SOURCE, m.source())
        .attribute(DESTINATION, m.destination())
        .attribute(NODE, node)
        .attribute(NEXT_HOP, nextHop)
        .attribute(TTL, m.ttl())
        .attribute(TOPIC, m.topic());
  }

  /** The destination's span while the message is handed to subscribers. */
  TracedSpan deliver(DataMessage m) {
    if (!enabled || !Tracing.sampled(m.traceparent())) {
      return TracedSpan.NOOP;
    }
    return tracing.continueTrace("meshd.deliver", SpanKind.CONSUMER, m.traceparent())
        .attribute(MESSAGE_ID, m.id().toString())
        .attribute(SOURCE, m.source())
        .attribute(DESTINATION, m.destination())
        .attribute(NODE, node)
        .attribute(TTL, m.ttl())
        .attribute(TOPIC, m.topic());
  }

  /** The origin's span of a broadcast. */
  TracedSpan broadcast(String topic, String traceparent) {
    if (!enabled || !Tracing.sampled(traceparent)) {
      return TracedSpan.NOOP;
    }
    return tracing.continueTrace("meshd.broadcast", SpanKind.PRODUCER, traceparent)
        .attribute(SOURCE, node)
        .attribute(NODE, node)
        .attribute(TOPIC, topic == null ? "" : topic);
  }

  /** A delivering node's span of a broadcast. */
  TracedSpan deliverBroadcast(BroadcastMessage m) {
    if (!enabled || !Tracing.sampled(m.traceparent())) {
      return TracedSpan.NOOP;
    }
    return tracing.continueTrace("meshd.deliver", SpanKind.CONSUMER, m.traceparent())
        .attribute(MESSAGE_ID, m.id().toString())
        .attribute(SOURCE, m.origin())
        .attribute(NODE, node)
        .attribute(BROADCAST, "true")
        .attribute(TTL, m.ttl())
        .attribute(TOPIC, m.topic());
  }

  /** The context subscribers see: the delivery span when it records, else the frame's. */
  static Optional<String> context(TracedSpan span, Optional<String> carried) {
    return span.recording() ? Optional.of(span.traceparent()) : carried;
  }

  /** Ends a send span when the message is acknowledged or fails (on the owner loop). */
  static void endWithOutcome(TracedSpan span, MessageId id,
      CompletableFuture<MeshService.Outcome> outcome) {
    span.attribute(MESSAGE_ID, id.toString());
    outcome.whenComplete((o, error) -> {
      if (error != null) {
        span.error(error.toString());
      } else {
        span.attribute(ATTEMPTS, o.attempts());
        if (!o.delivered()) {
          span.error(o.failure().orElse("failed"));
        }
      }
      span.end();
    });
  }
}
