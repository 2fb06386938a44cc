package dev.x0tta6bl4.node.delivery;

import java.util.Arrays;
import java.util.Optional;

/**
 * One broadcast as it is flooded over the mesh. Every node delivers it once and forwards it to
 * all neighbours except the one it came from while {@code ttl > 1}.
 *
 * <p>The payload array is not copied (see {@link DataMessage}). Immutable once built; any thread.
 *
 * @param id origin, origin boot and origin sequence
 * @param ttl hops this copy may still travel, 1..255
 * @param topic 0..64 printable ASCII characters, no spaces ("" for none)
 * @param traceparent W3C trace context, "" when absent, else 55..128 printable ASCII characters
 * @param payload application bytes
 */
public record BroadcastMessage(
    BroadcastId id, int ttl, String topic, String traceparent, byte[] payload) {
  /** Checks every field; a {@code null} traceparent means absent. */
  public BroadcastMessage {
    if (id == null) {
      throw new DeliveryException("id is null; expected a BroadcastId");
    }
    Fields.ttl(ttl);
    Fields.topic(topic);
    traceparent = Fields.traceparent(traceparent);
    Fields.payload(payload);
  }

  /** The node that broadcast this message. */
  public String origin() {
    return id.origin();
  }

  /** The origin's sequence number of this broadcast. */
  public long sequence() {
    return id.sequence();
  }

  /** The trace context, when the origin supplied one. */
  public Optional<String> traceContext() {
    return traceparent.isEmpty() ? Optional.empty() : Optional.of(traceparent);
  }

  /** The same broadcast with another TTL (the payload array is shared). */
  public BroadcastMessage withTtl(int newTtl) {
    return new BroadcastMessage(id, newTtl, topic, traceparent, payload);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BroadcastMessage m
        && id.equals(m.id)
        && ttl == m.ttl
        && topic.equals(m.topic)
        && traceparent.equals(m.traceparent)
        && Arrays.equals(payload, m.payload);
  }

  @Override
  public int hashCode() {
    return (id.hashCode() * 31 + ttl) * 31 + Arrays.hashCode(payload);
  }

  @Override
  public String toString() {
    return "BroadcastMessage[" + id + " ttl=" + ttl + " topic=" + topic + " payload="
        + payload.length + "B" + (traceparent.isEmpty() ? "" : " traceparent=" + traceparent)
        + "]";
  }
}
