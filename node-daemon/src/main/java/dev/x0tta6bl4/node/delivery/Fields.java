package dev.x0tta6bl4.node.delivery;

/** Checks of the fields shared by the message records and the codec; allocation-free. */
final class Fields {
  /** Longest node id, as in {@code NodeConfig.Node.ID_PATTERN}. */
  static final int MAX_NODE_ID = 63;

  static final int MAX_TOPIC = 64;
  static final int MIN_TRACEPARENT = 55;
  static final int MAX_TRACEPARENT = 128;
  static final int MAX_TTL = 255;

  static final String NODE_ID_ALLOWED =
      "1..63 characters of a-z, 0-9, '.', '_', '-', starting and ending with a letter or digit";
  static final String TOPIC_ALLOWED =
      "0..64 printable ASCII characters without spaces, not \"*\" (the subscribe-to-all wildcard)";
  static final String TRACEPARENT_ALLOWED =
      "empty, or 55..128 printable ASCII characters without spaces (W3C traceparent)";

  private Fields() {}

  static String nodeId(String what, String id) {
    if (id == null) {
      throw new DeliveryException(what + " is null; expected a node id: " + NODE_ID_ALLOWED);
    }
    int n = id.length();
    boolean ok = n >= 1 && n <= MAX_NODE_ID;
    for (int i = 0; ok && i < n; i++) {
      char c = id.charAt(i);
      boolean alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
      ok = alnum || ((c == '.' || c == '_' || c == '-') && i != 0 && i != n - 1);
    }
    if (!ok) {
      throw new DeliveryException(
          what + " " + quote(id) + " is not a node id; allowed: " + NODE_ID_ALLOWED);
    }
    return id;
  }

  static String topic(String topic) {
    if (topic == null || topic.length() > MAX_TOPIC || !visibleAscii(topic) || topic.equals("*")) {
      throw new DeliveryException("topic " + quote(topic) + " is invalid; allowed: " + TOPIC_ALLOWED);
    }
    return topic;
  }

  /** Returns the traceparent, with {@code null} meaning absent (""). */
  static String traceparent(String traceparent) {
    if (traceparent == null || traceparent.isEmpty()) {
      return "";
    }
    int n = traceparent.length();
    if (n < MIN_TRACEPARENT || n > MAX_TRACEPARENT || !visibleAscii(traceparent)) {
      throw new DeliveryException(
          "traceparent " + quote(traceparent) + " is invalid; allowed: " + TRACEPARENT_ALLOWED);
    }
    return traceparent;
  }

  static int ttl(int ttl) {
    if (ttl < 1 || ttl > MAX_TTL) {
      throw new DeliveryException("ttl " + ttl + " is out of range; allowed: 1..255");
    }
    return ttl;
  }

  static long positive(String what, long value) {
    if (value <= 0) {
      throw new DeliveryException(what + " " + value + " is invalid; allowed: 1.." + Long.MAX_VALUE);
    }
    return value;
  }

  static byte[] payload(byte[] payload) {
    if (payload == null) {
      throw new DeliveryException("payload is null; expected a byte array (possibly empty)");
    }
    return payload;
  }

  private static boolean visibleAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        return false;
      }
    }
    return true;
  }

  static String quote(String value) {
    if (value == null) {
      return "null";
    }
    String shown = value.length() > 80 ? value.substring(0, 80) + "..." : value;
    StringBuilder sb = new StringBuilder("'");
    for (int i = 0; i < shown.length(); i++) {
      char c = shown.charAt(i);
      if (c < 0x20 || c >= 0x7f) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.append('\'').toString();
  }
}
