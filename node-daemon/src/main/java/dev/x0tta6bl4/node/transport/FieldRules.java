package dev.x0tta6bl4.node.transport;

import dev.x0tta6bl4.node.config.HostPort;
import dev.x0tta6bl4.pqc.SpiffeId;
import io.netty.buffer.ByteBufUtil;

/**
 * Validation of frame field values, shared by the {@link Frame} records (so nothing invalid is
 * ever encoded) and, through them, by the decoder. Every failure is an {@link
 * IllegalArgumentException} naming the field, the value and the rule. Stateless.
 */
final class FieldRules {
  private static final int QUOTE_LIMIT = 80;

  private FieldRules() {}

  /** Node ids: 1..63 of {@code [a-z0-9._-]}, first and last a letter or digit. */
  static String nodeId(String field, String value) {
    requireNonNull(field, value);
    int n = value.length();
    boolean ok = n >= 1 && n <= FrameFormat.MAX_NODE_ID_BYTES;
    for (int i = 0; ok && i < n; i++) {
      char c = value.charAt(i);
      boolean alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
      ok = alnum || ((c == '.' || c == '_' || c == '-') && i > 0 && i < n - 1);
    }
    if (!ok) {
      throw new IllegalArgumentException(
          field + " " + quote(value) + " is not a node id; expected 1..63 characters of a-z,"
              + " 0-9, '.', '_', '-', starting and ending with a letter or digit");
    }
    return value;
  }

  static String spiffeId(String field, String value) {
    requireNonNull(field, value);
    try {
      SpiffeId.parse(value);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(field + " is not a valid SPIFFE ID: " + e.getMessage());
    }
    return value;
  }

  /** A {@code host:port} (IPv6 in brackets) with port 1..65535. */
  static String listenAddress(String field, String value) {
    requireNonNull(field, value);
    if (value.length() > FrameFormat.MAX_LISTEN_ADDRESS_BYTES) {
      throw new IllegalArgumentException(
          field + " is " + value.length() + " characters; at most "
              + FrameFormat.MAX_LISTEN_ADDRESS_BYTES + " are allowed");
    }
    HostPort hostPort;
    try {
      hostPort = HostPort.parse(value);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          field + " " + quote(value) + " is not host:port: " + e.getMessage());
    }
    if (hostPort.port() == 0) {
      throw new IllegalArgumentException(
          field + " " + quote(value) + " has port 0; expected the port actually listened on,"
              + " 1..65535");
    }
    return value;
  }

  /** Free text: well-formed UTF-16 (no lone surrogate) of at most {@code maxBytes} in UTF-8. */
  static String text(String field, String value, int maxBytes) {
    requireNonNull(field, value);
    int lone = loneSurrogateIndex(value);
    if (lone >= 0) {
      throw new IllegalArgumentException(
          field + " has an unpaired surrogate at index " + lone + "; it cannot be sent as UTF-8");
    }
    int bytes = ByteBufUtil.utf8Bytes(value);
    if (bytes > maxBytes) {
      throw new IllegalArgumentException(
          field + " is " + bytes + " UTF-8 bytes; at most " + maxBytes + " are allowed");
    }
    return value;
  }

  static int unsignedByte(String field, int value, int min) {
    if (value < min || value > 0xFF) {
      throw new IllegalArgumentException(
          field + " " + value + " is out of range; expected " + min + "..255");
    }
    return value;
  }

  static <T> T notNull(String field, T value) {
    if (value == null) {
      throw new IllegalArgumentException(field + " must not be null");
    }
    return value;
  }

  /** Index of the first unpaired surrogate in {@code s}, or -1. */
  static int loneSurrogateIndex(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
        } else {
          return i;
        }
      } else if (Character.isLowSurrogate(c)) {
        return i;
      }
    }
    return -1;
  }

  /** The value in quotes, control characters escaped and cut to a readable length. */
  static String quote(String value) {
    StringBuilder b = new StringBuilder(Math.min(value.length(), QUOTE_LIMIT) + 8).append('\'');
    for (int i = 0; i < value.length() && i < QUOTE_LIMIT; i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c == 0x7F || c == '\'' || c == '\\') {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    if (value.length() > QUOTE_LIMIT) {
      b.append("...");
    }
    return b.append('\'').toString();
  }

  private static void requireNonNull(String field, String value) {
    if (value == null) {
      throw new IllegalArgumentException(field + " must not be null");
    }
  }
}
