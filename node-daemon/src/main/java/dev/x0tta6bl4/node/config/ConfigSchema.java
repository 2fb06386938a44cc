package dev.x0tta6bl4.node.config;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The shape of {@link NodeConfig}, read from its record components: which keys exist at each
 * level, which are leaves (values) and which are sections (nested records), the environment
 * variable of each leaf and a description of the values each key accepts. Deriving this from
 * the records means a new key needs no registration anywhere else.
 *
 * <p>Immutable; built once.
 */
final class ConfigSchema {
  static final String ENV_PREFIX = "MESHD_";

  /** A key: its dotted path, its Java type, and its section record class when it is one. */
  record Key(String path, Type type, Class<?> section) {
    boolean isLeaf() {
      return section == null;
    }

    String envName() {
      return ENV_PREFIX + path.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }
  }

  private static final PropertyNamingStrategies.KebabCaseStrategy KEBAB =
      new PropertyNamingStrategies.KebabCaseStrategy();

  static final ConfigSchema NODE_CONFIG = new ConfigSchema(NodeConfig.class);

  private final Map<String, Key> keys = new LinkedHashMap<>();
  private final Map<String, Key> leavesByEnv = new LinkedHashMap<>();

  private ConfigSchema(Class<?> root) {
    walk("", root);
    for (Key key : keys.values()) {
      if (key.isLeaf()) {
        Key clash = leavesByEnv.putIfAbsent(key.envName(), key);
        if (clash != null) {
          throw new IllegalStateException(
              "keys " + clash.path() + " and " + key.path() + " share " + key.envName());
        }
      }
    }
  }

  private void walk(String prefix, Class<?> record) {
    for (RecordComponent c : record.getRecordComponents()) {
      String path = prefix + KEBAB.translate(c.getName());
      Class<?> type = c.getType();
      boolean section = type.isRecord() && !ConfigJackson.isValueType(type);
      keys.put(path, new Key(path, c.getGenericType(), section ? type : null));
      if (section) {
        walk(path + ".", type);
      }
    }
  }

  /** Every leaf key, in declaration order. */
  List<Key> leaves() {
    return keys.values().stream().filter(Key::isLeaf).toList();
  }

  /** The leaf whose environment variable is {@code envName}. */
  Optional<Key> leafForEnv(String envName) {
    return Optional.ofNullable(leavesByEnv.get(envName));
  }

  /** The key at {@code path}, if it is a schema key (not an entry inside a map value). */
  Optional<Key> key(String path) {
    return Optional.ofNullable(keys.get(path));
  }

  /** The section record at {@code path} ("" is the root), if that path is a section. */
  Optional<Class<?>> section(String path) {
    if (path.isEmpty()) {
      return Optional.of(NodeConfig.class);
    }
    return key(path).map(Key::section);
  }

  /** The keys allowed directly under the section at {@code path}, comma separated. */
  String allowedKeys(String path) {
    String prefix = path.isEmpty() ? "" : path + ".";
    List<String> names = new ArrayList<>();
    for (String p : keys.keySet()) {
      if (p.startsWith(prefix) && p.indexOf('.', prefix.length()) < 0) {
        names.add(p.substring(prefix.length()));
      }
    }
    return String.join(", ", names);
  }

  /** What the value at {@code path} may be, for error messages. */
  String describe(String path) {
    Optional<Key> key = key(path);
    if (key.isPresent()) {
      Key k = key.get();
      return k.isLeaf() ? describeType(k.type()) : "a mapping with keys " + allowedKeys(path);
    }
    if (path.isEmpty()) {
      return "a mapping with keys " + allowedKeys("");
    }
    // An entry inside a map-valued key: describe the map's value type.
    int dot = path.lastIndexOf('.');
    while (dot > 0) {
      Optional<Key> parent = key(path.substring(0, dot));
      if (parent.isPresent() && parent.get().type() instanceof ParameterizedType p) {
        return describeType(p.getActualTypeArguments()[p.getActualTypeArguments().length - 1]);
      }
      dot = path.lastIndexOf('.', dot - 1);
    }
    return "nothing (unknown key)";
  }

  static String describeType(Type type) {
    if (type instanceof ParameterizedType p && p.getRawType() == Map.class) {
      return "a mapping of name to " + describeType(p.getActualTypeArguments()[1]);
    }
    if (type instanceof ParameterizedType p && p.getRawType() == List.class) {
      return "a list of: " + describeType(p.getActualTypeArguments()[0]);
    }
    if (type == Duration.class) {
      return Durations.ALLOWED;
    }
    if (type == DataSize.class) {
      return DataSize.ALLOWED;
    }
    if (type == HostPort.class) {
      return HostPort.ALLOWED;
    }
    if (type == VoterAddress.class) {
      return VoterAddress.ALLOWED;
    }
    if (type == LogLevel.class) {
      return LogLevel.ALLOWED;
    }
    if (type == LogFormat.class) {
      return LogFormat.ALLOWED;
    }
    if (type == Path.class) {
      return "a file system path";
    }
    if (type instanceof Class<?> c && c.isEnum()) {
      return ConfigJackson.enumAllowed(c);
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true | false";
    }
    if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
      return "a whole number";
    }
    if (type == Double.class || type == double.class) {
      return "a number";
    }
    return "a string";
  }
}
