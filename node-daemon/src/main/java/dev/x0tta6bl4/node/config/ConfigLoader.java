package dev.x0tta6bl4.node.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Loads the meshd configuration: {@link NodeConfig#defaults()}, overlaid by one YAML file,
 * overlaid by {@code MESHD_<KEY_PATH>} environment variables. Parsing is strict: an unknown
 * key, a wrong type, a bad or out-of-range value, a YAML syntax error or an unknown {@code
 * MESHD_*} variable is a {@link ConfigException} whose one-line message says where ({@code
 * file:line:column} or {@code environment MESHD_X}), which key, what is wrong and what is
 * allowed.
 *
 * <p>Immutable and thread-safe; holds only a copy of the {@code MESHD_*} variables. Nothing to
 * close.
 */
public final class ConfigLoader {
  /** The file read when the command line names none. */
  public static final Path DEFAULT_FILE = Path.of("/etc/meshd/meshd.yaml");

  /** Environment variable naming the configuration file (read by the launcher and CLI). */
  public static final String CONFIG_FILE_VARIABLE = "MESHD_CONFIG";

  /** {@code MESHD_*} variables that belong to the launcher and are not configuration keys. */
  public static final Set<String> LAUNCHER_VARIABLES =
      Set.of("MESHD_OPTS", "MESHD_HOME", CONFIG_FILE_VARIABLE);

  private static final ConfigSchema SCHEMA = ConfigSchema.NODE_CONFIG;
  private static final String DEFAULTS_SOURCE = "defaults";

  private final Map<String, String> env;

  private ConfigLoader(Map<String, String> env) {
    this.env = env;
  }

  /** A loader applying the {@code MESHD_*} entries of {@code env}, e.g. {@code System.getenv()}. */
  public static ConfigLoader forEnvironment(Map<String, String> env) {
    Map<String, String> meshd = new TreeMap<>();
    env.forEach(
        (k, v) -> {
          if (k.startsWith(ConfigSchema.ENV_PREFIX)) {
            meshd.put(k, v);
          }
        });
    return new ConfigLoader(Map.copyOf(meshd));
  }

  /**
   * Loads {@code file} over the defaults, then applies the environment. An empty file means
   * all defaults.
   *
   * @throws ConfigException if the file cannot be read or any value is invalid
   */
  public NodeConfig load(Path file) {
    return loadText(YamlSource.readText(file), file.toString());
  }

  /** Loads YAML {@code text} as if read from a file called {@code name}. */
  NodeConfig loadText(String text, String name) {
    SourceLocations locations = new SourceLocations(name);
    ObjectNode fileTree = YamlSource.parse(text, name, locations);
    return build(fileTree, locations);
  }

  /**
   * The defaults with the environment applied, for a node started without a file.
   *
   * @throws ConfigException if an environment variable is unknown or invalid
   */
  public NodeConfig loadWithoutFile() {
    return build(ConfigJackson.MAPPER.createObjectNode(), new SourceLocations(DEFAULTS_SOURCE));
  }

  /** The YAML form of {@code config}; {@link #load(Path)} reads it back to an equal config. */
  public static String toYaml(NodeConfig config) {
    try {
      return ConfigJackson.MAPPER.writeValueAsString(config);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot print configuration", e);
    }
  }

  /** Every configurable leaf key as a dotted path, e.g. {@code metrics.bind}, in schema order. */
  public static List<String> keyPaths() {
    return SCHEMA.leaves().stream().map(ConfigSchema.Key::path).toList();
  }

  /**
   * The environment variable that overrides {@code keyPath}, e.g. {@code MESHD_METRICS_BIND}.
   *
   * @throws ConfigException if {@code keyPath} is not a leaf key
   */
  public static String envName(String keyPath) {
    return SCHEMA
        .key(keyPath)
        .filter(ConfigSchema.Key::isLeaf)
        .map(ConfigSchema.Key::envName)
        .orElseThrow(
            () ->
                ConfigException.invalid(
                    keyPath, "not a configuration key", String.join(", ", keyPaths())));
  }

  private NodeConfig build(ObjectNode fileTree, SourceLocations locations) {
    ObjectNode merged = ConfigJackson.MAPPER.valueToTree(NodeConfig.defaults());
    merge(merged, fileTree, "");
    merge(merged, environmentTree(locations), "");
    try {
      return ConfigJackson.MAPPER.readerFor(NodeConfig.class).readValue(merged);
    } catch (JsonMappingException e) {
      throw translate(e, merged, locations);
    } catch (ConfigException e) {
      throw e.locatedAt(locations.valueSource(e.key().orElse("")), null);
    } catch (IOException e) {
      throw new ConfigException(locations.keySource("") + ": cannot bind configuration: " + e);
    }
  }

  /** Overlays {@code overlay} onto {@code target}; sections merge key by key, values replace. */
  private static void merge(ObjectNode target, ObjectNode overlay, String path) {
    for (Map.Entry<String, JsonNode> field : overlay.properties()) {
      String name = field.getKey();
      String sub = path.isEmpty() ? name : path + "." + name;
      boolean section = SCHEMA.section(sub).isPresent();
      if (section
          && target.get(name) instanceof ObjectNode existing
          && field.getValue() instanceof ObjectNode value) {
        merge(existing, value, sub);
      } else {
        target.set(name, field.getValue().deepCopy());
      }
    }
  }

  private ObjectNode environmentTree(SourceLocations locations) {
    ObjectNode root = ConfigJackson.MAPPER.createObjectNode();
    for (Map.Entry<String, String> e : env.entrySet()) {
      String name = e.getKey();
      if (LAUNCHER_VARIABLES.contains(name)) {
        continue;
      }
      ConfigSchema.Key key = SCHEMA.leafForEnv(name).orElseThrow(() -> unknownVariable(name));
      String source = "environment " + name;
      JsonNode value;
      try {
        value = EnvironmentValues.toNode(key.type(), e.getValue());
      } catch (ConfigException ex) {
        throw ex.locatedAt(source, key.path());
      }
      ObjectNode parent = root;
      String[] segments = key.path().split("\\.");
      for (int i = 0; i < segments.length - 1; i++) {
        parent =
            parent.has(segments[i])
                ? (ObjectNode) parent.get(segments[i])
                : parent.putObject(segments[i]);
      }
      parent.set(segments[segments.length - 1], value);
      locations.override(key.path(), source);
    }
    return root;
  }

  private static ConfigException unknownVariable(String name) {
    List<String> known = new ArrayList<>();
    SCHEMA.leaves().forEach(k -> known.add(k.envName()));
    return new ConfigException(
        "environment " + name + ": unknown MESHD_ variable; allowed: " + String.join(", ", known)
            + " (and the launcher's " + String.join(", ", new TreeSet<>(LAUNCHER_VARIABLES))
            + ")");
  }

  private static ConfigException translate(
      JsonMappingException e, JsonNode merged, SourceLocations locations) {
    List<String> segments = new ArrayList<>();
    for (JsonMappingException.Reference ref : e.getPath()) {
      segments.add(ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]");
    }
    String path = String.join(".", segments);
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof ConfigException ce) {
        String key = ce.key().orElse(path);
        return ce.locatedAt(locations.valueSource(key), key);
      }
    }
    if (e instanceof UnrecognizedPropertyException) {
      String parent = String.join(".", segments.subList(0, Math.max(0, segments.size() - 1)));
      return ConfigException.invalid(path, "unknown key", SCHEMA.allowedKeys(parent))
          .locatedAt(locations.keySource(path), path);
    }
    JsonNode actual = merged;
    for (String s : segments) {
      actual = actual == null ? null : actual.get(s);
    }
    return ConfigException.invalid(
            path, "wrong type: got " + describeNode(actual), SCHEMA.describe(path))
        .locatedAt(locations.valueSource(path), path);
  }

  private static String describeNode(JsonNode node) {
    if (node == null || node.isMissingNode()) {
      return "nothing";
    }
    return switch (node.getNodeType()) {
      case OBJECT -> "a mapping";
      case ARRAY -> "a list";
      case STRING -> "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case NULL -> "null";
      default -> node.getNodeType().toString().toLowerCase(Locale.ROOT);
    };
  }
}
