package dev.x0tta6bl4.node.delivery;

import java.util.Arrays;
import java.util.Optional;

/**
 * One unicast message as it travels hop by hop from its source to its destination.
 *
 * <p>The payload array is not copied: whoever builds a message hands the array over and must not
 * change it afterwards (this keeps the hot path free of copies). Equality compares payload
 * contents.
 *
 * <p>Immutable once built; any thread.
 *
 * @param id source, destination, boot and sequence number
 * @param ttl hops this copy may still travel, 1..255; each relay forwards with {@code ttl - 1}
 * @param topic 0..64 printable ASCII characters, no spaces ("" for none)
 * @param traceparent W3C trace context, "" when absent, else 55..128 printable ASCII characters
 * @param payload application bytes (the size cap is {@link DeliverySettings#maxPayloadBytes()})
 */
public record DataMessage(MessageId id, int ttl, String topic, String traceparent, byte[] payload) {
  /** Checks every field; a {@code null} traceparent means absent. */
  public DataMessage {
    if (id == null) {
      throw new DeliveryException("id is null; expected a MessageId");
    }
    Fields.ttl(ttl);
    Fields.topic(topic);
    traceparent = Fields.traceparent(traceparent);
    Fields.payload(payload);
  }

  /** The node that sent this message. */
  public String source() {
    return id.source();
  }

  /** The node this message is for. */
  public String destination() {
    return id.destination();
  }

  /** The trace context, when the sender supplied one. */
  public Optional<String> traceContext() {
    return traceparent.isEmpty() ? Optional.empty() : Optional.of(traceparent);
  }

  /** The same message with another TTL (the payload array is shared). */
  public DataMessage withTtl(int newTtl) {
    return new DataMessage(id, newTtl, topic, traceparent, payload);
  }

  /**
   * The same message carrying another trace context: a relay that records a span puts its own
   * span here, so the next hop's span is its child (the payload array is shared).
   */
  public DataMessage withTraceparent(String newTraceparent) {
    return new DataMessage(id, ttl, topic, newTraceparent, payload);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DataMessage m
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
    return "DataMessage[" + id + " ttl=" + ttl + " topic=" + topic + " payload=" + payload.length
        + "B" + (traceparent.isEmpty() ? "" : " traceparent=" + traceparent) + "]";
  }
}
