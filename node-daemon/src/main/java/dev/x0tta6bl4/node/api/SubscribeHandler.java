package dev.x0tta6bl4.node.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.x0tta6bl4.node.mesh.MeshService;
import dev.x0tta6bl4.observability.EventStream;
import dev.x0tta6bl4.observability.HttpRequest;
import dev.x0tta6bl4.observability.HttpResponse;
import dev.x0tta6bl4.observability.ServerSentEvent;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * {@code GET /v1/subscribe?topic=T&encoding=auto|base64}: a server-sent event stream of the
 * messages this node delivers for topic {@code T} (every topic when the parameter is absent or
 * {@code *}). The stream starts with a {@code subscribed} event once the subscription is in place;
 * each message is a {@code message} event whose id is the message id and whose data is one JSON
 * object: {@code message_id}, {@code source}, {@code topic}, {@code broadcast}, {@code encoding},
 * {@code payload} and, when present, {@code traceparent}. With {@code encoding=auto} (default) a
 * payload that is valid UTF-8 is sent as text ({@code "encoding": "utf8"}), any other as base64;
 * {@code encoding=base64} always sends base64.
 *
 * <p>At most {@code api.max-subscribers} streams are open at once (429 {@code
 * too_many_subscribers} beyond); each buffers {@code api.subscriber-buffer} events for a slow
 * reader (see {@link EventStream}). The mesh calls the listener on its own thread; it only encodes
 * and queues.
 */
final class SubscribeHandler {
  private static final Set<String> PARAMETERS = Set.of("topic", "encoding");
  private static final int MAX_TOPIC = 64;

  private final MeshService mesh;
  private final BooleanSupplier ready;
  private final int maxSubscribers;
  private final int bufferEvents;
  private final AtomicInteger subscribers;

  SubscribeHandler(MeshService mesh, BooleanSupplier ready, int maxSubscribers, int bufferEvents,
      ApiMetrics metrics) {
    this.mesh = mesh;
    this.ready = ready;
    this.maxSubscribers = maxSubscribers;
    this.bufferEvents = bufferEvents;
    this.subscribers = metrics.subscribers();
  }

  HttpResponse handle(HttpRequest request) {
    if (!ready.getAsBoolean()) {
      return ApiResponses.notReady();
    }
    String topic;
    boolean forceBase64;
    try {
      for (String name : request.query().keySet()) {
        if (!PARAMETERS.contains(name)) {
          throw ApiException.invalidArgument(
              "unknown query parameter '" + name + "'; allowed: topic, encoding");
        }
      }
      topic = checkTopic(request.queryParameter("topic").orElse("*"));
      forceBase64 = encoding(request.queryParameter("encoding").orElse("auto"));
    } catch (ApiException e) {
      return e.toResponse();
    }
    if (subscribers.get() >= maxSubscribers) {
      return tooMany();
    }
    return HttpResponse.eventStream(bufferEvents, stream -> open(stream, topic, forceBase64));
  }

  private void open(EventStream stream, String topic, boolean forceBase64) {
    if (subscribers.incrementAndGet() > maxSubscribers) {
      // Lost a race with other subscribers after the check in handle(): say so and end.
      subscribers.decrementAndGet();
      stream.send(ServerSentEvent.of("error",
          json(Map.of("error", Map.of("code", "too_many_subscribers",
              "message", maxSubscribers + " subscribers are open (api.max-subscribers)")))));
      stream.close();
      return;
    }
    MeshService.Subscription subscription =
        mesh.subscribe(topic, message -> stream.send(event(message, forceBase64)));
    stream.onClose(() -> {
      subscription.close();
      subscribers.decrementAndGet();
    });
    Map<String, Object> hello = new LinkedHashMap<>();
    hello.put("node_id", mesh.localNodeId());
    hello.put("topic", topic);
    stream.send(ServerSentEvent.of("subscribed", json(hello)));
  }

  private HttpResponse tooMany() {
    return HttpResponse.error(429, "too_many_subscribers",
            maxSubscribers + " subscribers are open (api.max-subscribers); close one or retry"
                + " later")
        .withHeader("retry-after", "5");
  }

  static ServerSentEvent event(MeshService.InboundMessage m, boolean forceBase64) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("message_id", m.messageId());
    data.put("source", m.source());
    data.put("topic", m.topic());
    data.put("broadcast", m.broadcast());
    String text = forceBase64 ? null : utf8(m.payload());
    data.put("encoding", text != null ? "utf8" : "base64");
    data.put("payload", text != null ? text : Base64.getEncoder().encodeToString(m.payload()));
    m.traceparent().filter(t -> !t.isEmpty()).ifPresent(t -> data.put("traceparent", t));
    return new ServerSentEvent("message", m.messageId(), json(data));
  }

  private static String checkTopic(String topic) {
    if (topic.equals("*")) {
      return topic;
    }
    boolean ok = topic.length() <= MAX_TOPIC;
    for (int i = 0; ok && i < topic.length(); i++) {
      char c = topic.charAt(i);
      ok = c > 0x20 && c < 0x7f;
    }
    if (!ok) {
      throw ApiException.invalidArgument("topic '" + topic + "' is invalid; allowed: \"*\" (every"
          + " topic) or 0..64 printable ASCII characters without spaces");
    }
    return topic;
  }

  private static boolean encoding(String encoding) {
    switch (encoding) {
      case "auto":
        return false;
      case "base64":
        return true;
      default:
        throw ApiException.invalidArgument(
            "encoding '" + encoding + "' is not supported; allowed: auto, base64");
    }
  }

  /** The payload as text if it is well-formed UTF-8, else null. */
  private static String utf8(byte[] payload) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(payload))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  private static String json(Object value) {
    try {
      return ApiResponses.JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode an API event as JSON", e);
    }
  }
}
