package dev.x0tta6bl4.node.api;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.x0tta6bl4.node.config.NodeConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Iterator;
import java.util.Optional;
import java.util.Set;

/**
 * A parsed and checked {@code POST /v1/messages} body:
 *
 * <pre>
 * {"destination": "n2" | "*", "topic": "chat", "payload": "hello", "encoding": "utf8" | "base64",
 *  "wait": false, "wait_timeout_ms": 5000, "traceparent": "00-..."}
 * </pre>
 *
 * Only {@code destination} is required; {@code topic} defaults to "" (the empty topic), {@code
 * payload} to "", {@code encoding} to {@code utf8}, {@code wait} to false. Unknown fields, wrong
 * types and duplicate keys are errors naming the field, never ignored.
 *
 * @param destination a node id, or "*" to broadcast
 * @param topic the topic (the mesh checks its characters; "*" is reserved for subscribing)
 * @param payload the decoded payload bytes
 * @param waitTimeout how long to wait for the delivery outcome, empty when not waiting
 * @param traceparent W3C trace context to carry, or null
 */
record SendRequest(
    String destination, String topic, byte[] payload, Optional<Duration> waitTimeout,
    String traceparent) {
  static final String BROADCAST = "*";

  private static final Set<String> FIELDS =
      Set.of("destination", "topic", "payload", "encoding", "wait", "wait_timeout_ms",
          "traceparent");

  boolean broadcast() {
    return BROADCAST.equals(destination);
  }

  /**
   * Parses {@code body}.
   *
   * @param maxWait the upper bound and default of {@code wait_timeout_ms}
   * @throws ApiException {@code bad_json} or {@code invalid_argument}, naming what is wrong
   */
  static SendRequest parse(byte[] body, Duration maxWait) {
    JsonNode root = readObject(body);
    for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FIELDS.contains(name)) {
        throw ApiException.invalidArgument("unknown field '" + name + "'; allowed: destination,"
            + " topic, payload, encoding, wait, wait_timeout_ms, traceparent");
      }
    }
    String destination = text(root, "destination", null);
    if (destination == null) {
      throw ApiException.invalidArgument(
          "field 'destination' is required: a node id, or \"*\" to broadcast");
    }
    if (!destination.equals(BROADCAST)
        && !NodeConfig.Node.ID_PATTERN.matcher(destination).matches()) {
      throw ApiException.invalidArgument("destination '" + destination + "' is not a node id;"
          + " allowed: \"*\" or " + NodeConfig.Node.ID_ALLOWED);
    }
    String topic = text(root, "topic", "");
    if (topic.equals(BROADCAST)) {
      throw ApiException.invalidArgument(
          "topic \"*\" is reserved for subscribing to every topic; choose another topic");
    }
    byte[] payload = decode(text(root, "payload", ""), text(root, "encoding", "utf8"));
    Optional<Duration> wait = waitTimeout(root, maxWait, destination.equals(BROADCAST));
    String traceparent = text(root, "traceparent", null);
    return new SendRequest(destination, topic, payload, wait, traceparent);
  }

  static JsonNode readObject(byte[] body) {
    if (body.length == 0) {
      throw ApiException.badJson("the request body is empty: expected a JSON object");
    }
    JsonNode root;
    try {
      root = ApiResponses.JSON.readTree(body);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      throw ApiException.badJson("malformed JSON"
          + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr())
          + ": " + e.getOriginalMessage());
    } catch (IOException e) {
      throw ApiException.badJson("unreadable JSON: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw ApiException.badJson("the body is JSON but not an object: expected {\"destination\":"
          + " ..., \"payload\": ...}");
    }
    return root;
  }

  private static String text(JsonNode root, String field, String fallback) {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      return fallback;
    }
    if (!node.isTextual()) {
      throw ApiException.invalidArgument("field '" + field + "' must be a string, got "
          + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
    }
    return node.textValue();
  }

  private static byte[] decode(String payload, String encoding) {
    switch (encoding) {
      case "utf8":
        return payload.getBytes(StandardCharsets.UTF_8);
      case "base64":
        try {
          return Base64.getDecoder().decode(payload);
        } catch (IllegalArgumentException e) {
          throw ApiException.invalidArgument(
              "payload is not valid base64 (RFC 4648, standard alphabet): " + e.getMessage());
        }
      default:
        throw ApiException.invalidArgument(
            "encoding '" + encoding + "' is not supported; allowed: utf8, base64");
    }
  }

  private static Optional<Duration> waitTimeout(JsonNode root, Duration maxWait,
      boolean broadcast) {
    JsonNode wait = root.get("wait");
    if (wait != null && !wait.isNull() && !wait.isBoolean()) {
      throw ApiException.invalidArgument("field 'wait' must be true or false");
    }
    boolean waiting = wait != null && wait.booleanValue();
    JsonNode timeout = root.get("wait_timeout_ms");
    boolean hasTimeout = timeout != null && !timeout.isNull();
    if (hasTimeout && !waiting) {
      throw ApiException.invalidArgument("field 'wait_timeout_ms' needs \"wait\": true");
    }
    if (!waiting) {
      return Optional.empty();
    }
    if (broadcast) {
      throw ApiException.invalidArgument(
          "\"wait\" is not supported for broadcasts: they are not acknowledged");
    }
    if (!hasTimeout) {
      return Optional.of(maxWait);
    }
    long max = maxWait.toMillis();
    if (!timeout.isIntegralNumber() || !timeout.canConvertToLong()
        || timeout.longValue() < 1 || timeout.longValue() > max) {
      throw ApiException.invalidArgument("field 'wait_timeout_ms' must be a whole number of"
          + " milliseconds in 1.." + max + " (api.max-wait), got " + timeout);
    }
    return Optional.of(Duration.ofMillis(timeout.longValue()));
  }
}
