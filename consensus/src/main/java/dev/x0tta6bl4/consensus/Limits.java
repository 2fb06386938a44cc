package dev.x0tta6bl4.consensus;

import java.nio.charset.StandardCharsets;

/** Protocol limits shared by the value types and the codec. Values are part of format v1. */
final class Limits {
  static final int MAX_KEY_BYTES = 1024;
  /** Hard cap of the codec; the configured per-store limit is lower (default 1 MiB). */
  static final int MAX_VALUE_BYTES = 16 << 20;
  static final int MAX_OPS_PER_REQUEST = 10_000;
  static final int MAX_ID_BYTES = 256;
  static final int MAX_SPIFFE_BYTES = 2048;
  static final int MAX_ADDRESSES = 16;
  static final int MAX_ADDRESS_BYTES = 256;
  static final int MAX_ROLES = 16;
  static final int MAX_ROLE_BYTES = 64;
  static final int MAX_SETTING_NAME_BYTES = 256;
  static final int MAX_SETTING_VALUE_BYTES = 64 << 10;
  static final int MAX_MEMBERS = 100_000;
  static final int MAX_SETTINGS = 100_000;

  private Limits() {}

  static void checkKey(String key) {
    checkString("key", key, MAX_KEY_BYTES, false);
  }

  static void checkString(String what, String s, int maxBytes, boolean emptyOk) {
    if (s == null) {
      throw new IllegalArgumentException(what + " must not be null");
    }
    if (!emptyOk && s.isEmpty()) {
      throw new IllegalArgumentException(what + " must not be empty");
    }
    int n;
    try {
      n = StandardCharsets.UTF_8.newEncoder().encode(java.nio.CharBuffer.wrap(s)).remaining();
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new IllegalArgumentException(what + " is not encodable as UTF-8 (lone surrogate)");
    }
    if (n > maxBytes) {
      throw new IllegalArgumentException(what + " is " + n + " bytes in UTF-8, limit " + maxBytes);
    }
  }
}
