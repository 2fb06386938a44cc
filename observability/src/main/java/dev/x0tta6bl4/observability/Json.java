package dev.x0tta6bl4.observability;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The module's shared Jackson mapper; configured once, thread-safe after construction. */
final class Json {
  static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}
}
