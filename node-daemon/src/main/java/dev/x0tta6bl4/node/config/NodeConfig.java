package dev.x0tta6bl4.node.config;

import dev.x0tta6bl4.pqc.PqcException;
import dev.x0tta6bl4.pqc.SignatureAlgorithm;
import dev.x0tta6bl4.pqc.SpiffeId;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The effective meshd configuration: defaults, overlaid by the YAML file, overlaid by {@code
 * MESHD_*} environment variables (see {@link ConfigLoader} and {@code docs/configuration.md}).
 *
 * <p>Immutable and thread-safe. Every section validates its values when constructed, so a
 * {@code NodeConfig} that exists is valid; the constructors throw {@link ConfigException}
 * naming the key path.
 *
 * <p>To add a section: add a nested record with a {@code defaults()} factory, add it as a
 * component here and to {@link #defaults()}, and add a row per key to {@code
 * docs/configuration.md}. Keys, environment variable names and docs checks derive from the
 * record components (camelCase components become kebab-case keys).
 *
 * @param node identity, state directory and shutdown
 * @param metrics the {@code /metrics} and {@code /health/*} HTTP endpoint
 * @param logging log format and levels
 * @param identity where the node's X.509-SVID comes from and how it is rotated
 */
public record NodeConfig(Node node, Metrics metrics, Logging logging, Identity identity) {
  /** Validates that no section is null. */
  public NodeConfig {
    requireSection("node", node);
    requireSection("metrics", metrics);
    requireSection("logging", logging);
    requireSection("identity", identity);
  }

  /** The configuration of a single node with no file and no environment overrides. */
  public static NodeConfig defaults() {
    return new NodeConfig(
        Node.defaults(), Metrics.defaults(), Logging.defaults(), Identity.defaults());
  }

  /** A copy with {@code node} replaced. */
  public NodeConfig withNode(Node node) {
    return new NodeConfig(node, metrics, logging, identity);
  }

  /** A copy with {@code metrics} replaced. */
  public NodeConfig withMetrics(Metrics metrics) {
    return new NodeConfig(node, metrics, logging, identity);
  }

  /** A copy with {@code logging} replaced. */
  public NodeConfig withLogging(Logging logging) {
    return new NodeConfig(node, metrics, logging, identity);
  }

  /** A copy with {@code identity} replaced. */
  public NodeConfig withIdentity(Identity identity) {
    return new NodeConfig(node, metrics, logging, identity);
  }

  /** Where a node's identity files come from. */
  public enum IdentitySourceKind {
    /**
     * The built-in mesh CA: on first start the node creates a local CA in {@code ca-dir} and
     * issues its own SVID into {@code dir}; it renews the SVID before expiry.
     */
    MESH_CA,
    /**
     * Files written by someone else ({@code meshd ca issue} on another machine, SPIRE's
     * helper, cert-manager) into {@code dir}; re-read when they change.
     */
    FILES
  }

  /**
   * The node's X.509-SVID and trust bundle.
   *
   * @param trustDomain the SPIFFE trust domain of the mesh, e.g. {@code meshd.local}
   * @param source where identity files come from
   * @param dir directory holding node-key.pem, node-chain.pem and trust-bundle.pem, or {@code
   *     null} for {@code <state-dir>/identity}
   * @param caDir the local mesh CA (source mesh-ca only), or {@code null} for {@code
   *     <state-dir>/ca}
   * @param algorithm signature algorithm of a CA and SVID that the node creates itself
   * @param svidLifetime lifetime of an SVID the node issues itself, 10m..30d; renewed when a
   *     third of it is left
   * @param reloadInterval how often the files are checked for changes, 1s..1h
   */
  public record Identity(
      String trustDomain,
      IdentitySourceKind source,
      Path dir,
      Path caDir,
      SignatureAlgorithm algorithm,
      Duration svidLifetime,
      Duration reloadInterval) {
    static final Duration MIN_SVID_LIFETIME = Duration.ofMinutes(10);
    static final Duration MAX_SVID_LIFETIME = Duration.ofDays(30);
    static final Duration MIN_RELOAD = Duration.ofSeconds(1);
    static final Duration MAX_RELOAD = Duration.ofHours(1);

    /** Validates the values. */
    public Identity {
      requireValue("identity.trust-domain", trustDomain, "a SPIFFE trust domain");
      try {
        SpiffeId.requireValidTrustDomain(trustDomain);
      } catch (PqcException e) {
        throw ConfigException.invalid(
            "identity.trust-domain",
            e.getMessage(),
            "lower-case letters, digits, '.', '-', '_' (a SPIFFE trust domain), e.g. meshd.local");
      }
      requireValue("identity.source", source, ConfigJackson.enumAllowed(IdentitySourceKind.class));
      requireValue(
          "identity.algorithm", algorithm, ConfigJackson.enumAllowed(SignatureAlgorithm.class));
      requireRange("identity.svid-lifetime", svidLifetime, MIN_SVID_LIFETIME, MAX_SVID_LIFETIME);
      requireRange("identity.reload-interval", reloadInterval, MIN_RELOAD, MAX_RELOAD);
    }

    /** Built-in mesh CA in the state directory, Ed25519, 24 h SVIDs checked every 30 s. */
    public static Identity defaults() {
      return new Identity(
          "meshd.local",
          IdentitySourceKind.MESH_CA,
          null,
          null,
          SignatureAlgorithm.ED25519,
          Duration.ofHours(24),
          Duration.ofSeconds(30));
    }

    /** The identity directory: configured, or {@code <stateDir>/identity}. */
    public Path dirIn(Path stateDir) {
      return dir != null ? dir : stateDir.resolve("identity");
    }

    /** The local CA directory: configured, or {@code <stateDir>/ca}. */
    public Path caDirIn(Path stateDir) {
      return caDir != null ? caDir : stateDir.resolve("ca");
    }
  }

  /**
   * Identity and lifecycle of this node.
   *
   * @param id the node id, or {@code null} to use the persisted or derived one (see {@link
   *     NodeIdResolver}); it becomes a SPIFFE path segment, so it matches {@link #ID_PATTERN}
   * @param stateDir where the node keeps its state, or {@code null} for {@code
   *     $STATE_DIRECTORY} or {@code ./meshd-data} (see {@link StateDirectory})
   * @param shutdownTimeout bound on an orderly shutdown, 1s..5m
   */
  public record Node(String id, Path stateDir, Duration shutdownTimeout) {
    /** What a node id looks like: lower-case letters, digits, '.', '_', '-'; 1..63 chars. */
    public static final Pattern ID_PATTERN =
        Pattern.compile("[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?");

    /** {@link #ID_PATTERN} in words, for error messages. */
    public static final String ID_ALLOWED =
        "1..63 characters of a-z, 0-9, '.', '_', '-', starting and ending with a letter or digit";

    static final Duration MIN_SHUTDOWN_TIMEOUT = Duration.ofSeconds(1);
    static final Duration MAX_SHUTDOWN_TIMEOUT = Duration.ofMinutes(5);

    /** Validates the values. */
    public Node {
      if (id != null && !ID_PATTERN.matcher(id).matches()) {
        throw ConfigException.invalid(
            "node.id", ConfigException.quote(id) + " is not a valid node id", ID_ALLOWED);
      }
      if (stateDir != null && stateDir.toString().isEmpty()) {
        throw ConfigException.invalid(
            "node.state-dir", "empty path", "a directory path, or null for the default");
      }
      requireRange(
          "node.shutdown-timeout", shutdownTimeout, MIN_SHUTDOWN_TIMEOUT, MAX_SHUTDOWN_TIMEOUT);
    }

    /** No fixed id, default state directory, 10 s shutdown bound. */
    public static Node defaults() {
      return new Node(null, null, Duration.ofSeconds(10));
    }

    /** The configured id, if one is set. */
    public Optional<String> configuredId() {
      return Optional.ofNullable(id);
    }

    /** The configured state directory, if one is set. */
    public Optional<Path> configuredStateDir() {
      return Optional.ofNullable(stateDir);
    }
  }

  /**
   * The HTTP endpoint serving {@code /metrics}, {@code /health/live} and {@code /health/ready}.
   *
   * @param bind address and port to listen on (port 0 picks a free port)
   * @param maxHeaderSize bound on an HTTP request line plus headers, 1KiB..1MiB
   */
  public record Metrics(HostPort bind, DataSize maxHeaderSize) {
    static final DataSize MIN_HEADER_SIZE = DataSize.ofKibibytes(1);
    static final DataSize MAX_HEADER_SIZE = DataSize.ofMebibytes(1);

    /** Validates the values. */
    public Metrics {
      requireValue("metrics.bind", bind, HostPort.ALLOWED);
      requireRange("metrics.max-header-size", maxHeaderSize, MIN_HEADER_SIZE, MAX_HEADER_SIZE);
    }

    /** Loopback port 9464, 8 KiB of headers. */
    public static Metrics defaults() {
      return new Metrics(new HostPort("127.0.0.1", 9464), DataSize.ofKibibytes(8));
    }
  }

  /**
   * Logging to stdout.
   *
   * @param format line format
   * @param level the root logger's level
   * @param levels levels of individual loggers by name (e.g. {@code io.netty}); an unmodifiable
   *     map sorted by name
   */
  public record Logging(LogFormat format, LogLevel level, Map<String, LogLevel> levels) {
    /** Validates the values and copies {@code levels}. */
    public Logging {
      requireValue("logging.format", format, LogFormat.ALLOWED);
      requireValue("logging.level", level, LogLevel.ALLOWED);
      requireValue("logging.levels", levels, "a mapping of logger name to level");
      TreeMap<String, LogLevel> copy = new TreeMap<>();
      for (Map.Entry<String, LogLevel> e : levels.entrySet()) {
        String name = e.getKey();
        if (name == null || name.isEmpty() || !name.codePoints().allMatch(Logging::nameChar)) {
          throw ConfigException.invalid(
              "logging.levels",
              "logger name " + ConfigException.quote(name) + " is not valid",
              "a non-empty logger name without spaces or control characters, e.g. io.netty");
        }
        requireValue("logging.levels." + name, e.getValue(), LogLevel.ALLOWED);
        copy.put(name, e.getValue());
      }
      levels = Collections.unmodifiableMap(copy);
    }

    /** JSON lines at info, no per-logger levels. */
    public static Logging defaults() {
      return new Logging(LogFormat.JSON, LogLevel.INFO, Map.of());
    }

    private static boolean nameChar(int cp) {
      return !Character.isWhitespace(cp) && !Character.isISOControl(cp) && cp != '=' && cp != ',';
    }
  }

  private static void requireSection(String key, Object section) {
    if (section == null) {
      throw ConfigException.invalid(
          key, "is null", "a mapping of its keys (leave the section out to use the defaults)");
    }
  }

  private static void requireValue(String key, Object value, String allowed) {
    if (value == null) {
      throw ConfigException.invalid(key, "is null", allowed);
    }
  }

  private static <T extends Comparable<? super T>> void requireRange(
      String key, T value, T min, T max) {
    String allowed = print(min) + ".." + print(max);
    requireValue(key, value, allowed);
    if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      throw ConfigException.invalid(key, print(value) + " is out of range", allowed);
    }
  }

  private static String print(Object value) {
    return value instanceof Duration d ? Durations.format(d) : String.valueOf(value);
  }
}
