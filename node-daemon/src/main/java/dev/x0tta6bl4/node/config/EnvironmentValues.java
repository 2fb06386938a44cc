package dev.x0tta6bl4.node.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.List;
import java.util.Map;

/**
 * Turns the text of a {@code MESHD_*} variable into the JSON value the key expects, so the
 * environment goes through the same binding and validation as the file. An empty value means
 * null (unset) for a plain key and an empty mapping for a map key; a map key is written
 * {@code name=value,name=value}.
 *
 * <p>Stateless.
 */
final class EnvironmentValues {
  static final String MAP_ALLOWED =
      "name=value pairs separated by commas, e.g. io.netty=warn,dev.x0tta6bl4=debug";

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private EnvironmentValues() {}

  static JsonNode toNode(Type type, String text) {
    if (type instanceof ParameterizedType p && p.getRawType() == Map.class) {
      return toMap(text);
    }
    if (type instanceof ParameterizedType p && p.getRawType() == List.class) {
      return toList(text);
    }
    if (text.isEmpty()) {
      return NODES.nullNode();
    }
    if (type == boolean.class || type == Boolean.class) {
      if (text.equals("true") || text.equals("false")) {
        return NODES.booleanNode(Boolean.parseBoolean(text));
      }
      return NODES.textNode(text);
    }
    if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
      try {
        return NODES.numberNode(Long.parseLong(text));
      } catch (NumberFormatException e) {
        return NODES.textNode(text);
      }
    }
    if (type == double.class || type == Double.class) {
      try {
        return NODES.numberNode(Double.parseDouble(text));
      } catch (NumberFormatException e) {
        return NODES.textNode(text);
      }
    }
    return NODES.textNode(text);
  }

  /** {@code a,b , c} is a list of three strings; an empty value is an empty list. */
  private static ArrayNode toList(String text) {
    ArrayNode list = NODES.arrayNode();
    if (text.isBlank()) {
      return list;
    }
    for (String entry : text.split(",", -1)) {
      list.add(entry.strip());
    }
    return list;
  }

  private static ObjectNode toMap(String text) {
    ObjectNode map = NODES.objectNode();
    if (text.isBlank()) {
      return map;
    }
    for (String entry : text.split(",", -1)) {
      String trimmed = entry.strip();
      int eq = trimmed.indexOf('=');
      if (eq <= 0) {
        throw ConfigException.invalidValue(
            "entry " + ConfigException.quote(trimmed) + " is not name=value", MAP_ALLOWED);
      }
      String name = trimmed.substring(0, eq).strip();
      if (map.has(name)) {
        throw ConfigException.invalidValue(
            "name " + ConfigException.quote(name) + " appears twice", MAP_ALLOWED);
      }
      map.put(name, trimmed.substring(eq + 1).strip());
    }
    return map;
  }
}
