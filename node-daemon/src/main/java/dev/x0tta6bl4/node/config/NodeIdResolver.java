package dev.x0tta6bl4.node.config;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides this node's id: {@code node.id} when configured; else the id persisted in {@code
 * <state-dir>/node-id}; else one derived from the host name (lower-cased, characters outside
 * {@code [a-z0-9._-]} replaced by '-', trimmed to {@link NodeConfig.Node#ID_PATTERN}) or, if
 * that gives nothing valid, {@code node-} and 8 random hex digits. A derived id is written
 * atomically to {@code <state-dir>/node-id}, so it stays the same across restarts even if the
 * host is renamed.
 *
 * <p>Stateless apart from its injected host-name source and random generator; called once at
 * start-up by the composition root.
 */
public final class NodeIdResolver {
  /** The file in the state directory that holds the persisted id. */
  public static final String FILE_NAME = "node-id";

  private static final Logger LOG = LoggerFactory.getLogger(NodeIdResolver.class);
  private static final int MAX_ID_LENGTH = 63;
  private static final Path PROC_HOSTNAME = Path.of("/proc/sys/kernel/hostname");

  private final Supplier<String> hostName;
  private final RandomGenerator random;

  /**
   * @param hostName supplies the host name; may return null or throw when it is unknown
   * @param random source of the random suffix when the host name gives no valid id
   */
  public NodeIdResolver(Supplier<String> hostName, RandomGenerator random) {
    if (hostName == null || random == null) {
      throw new IllegalArgumentException("hostName and random must not be null");
    }
    this.hostName = hostName;
    this.random = random;
  }

  /** A resolver reading the kernel's host name and using a {@link SecureRandom}. */
  public static NodeIdResolver forSystem() {
    return new NodeIdResolver(NodeIdResolver::systemHostName, new SecureRandom());
  }

  /**
   * The id of this node; see the class comment for the order. {@code stateDir} must exist
   * (see {@link StateDirectory#prepare(Path)}).
   *
   * @throws ConfigException if the persisted id is invalid or cannot be read or written
   */
  public String resolve(NodeConfig.Node node, Path stateDir) {
    if (node.id() != null) {
      return node.id();
    }
    Path file = stateDir.resolve(FILE_NAME);
    Optional<String> persisted = readPersisted(file);
    if (persisted.isPresent()) {
      return persisted.get();
    }
    String id = fromHostName(safeHostName()).orElseGet(this::randomId);
    persist(file, id);
    return id;
  }

  /** The id a host name gives, if any: see the class comment. */
  static Optional<String> fromHostName(String hostName) {
    if (hostName == null) {
      return Optional.empty();
    }
    String id = hostName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "-");
    id = id.replaceAll("^[^a-z0-9]+", "");
    if (id.length() > MAX_ID_LENGTH) {
      id = id.substring(0, MAX_ID_LENGTH);
    }
    id = id.replaceAll("[^a-z0-9]+$", "");
    return NodeConfig.Node.ID_PATTERN.matcher(id).matches() ? Optional.of(id) : Optional.empty();
  }

  private String randomId() {
    byte[] bytes = new byte[4];
    random.nextBytes(bytes);
    return "node-" + HexFormat.of().formatHex(bytes);
  }

  private String safeHostName() {
    try {
      return hostName.get();
    } catch (RuntimeException e) {
      LOG.warn("cannot read the host name, using a random node id", e);
      return null;
    }
  }

  private static Optional<String> readPersisted(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read the persisted node id: " + e);
    }
    String id;
    try {
      id = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      id = new String(bytes, StandardCharsets.ISO_8859_1);
    }
    id = id.strip();
    if (!NodeConfig.Node.ID_PATTERN.matcher(id).matches()) {
      throw new ConfigException(
          file + ": persisted node id " + ConfigException.quote(id) + " is not valid; allowed: "
              + NodeConfig.Node.ID_ALLOWED + " (fix the file, delete it to derive a new id, or"
              + " set node.id)");
    }
    return Optional.of(id);
  }

  /** Writes a temporary file, forces it to disk, then renames it over {@code file}. */
  private static void persist(Path file, String id) {
    Path dir = file.getParent();
    Path tmp = null;
    try {
      tmp = Files.createTempFile(dir, FILE_NAME + ".", ".tmp");
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ch.write(StandardCharsets.UTF_8.encode(id + "\n"));
        ch.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      tmp = null;
      syncDirectory(dir);
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot persist the node id: " + e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException e) {
          LOG.warn("cannot delete temporary file {}", tmp, e);
        }
      }
    }
  }

  private static void syncDirectory(Path dir) {
    // Makes the rename durable on Linux; other systems cannot open a directory, which is fine.
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // Best effort: the file content itself is already on disk.
      LOG.debug("cannot sync directory {}", dir, e);
    }
  }

  private static String systemHostName() {
    try {
      if (Files.isReadable(PROC_HOSTNAME)) {
        return Files.readString(PROC_HOSTNAME).strip();
      }
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      LOG.warn("cannot read the host name", e);
      return null;
    }
  }
}
