package dev.x0tta6bl4.node.config;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;

/**
 * Finds and prepares the directory where a node keeps its state (node id, keys, Raft log):
 * {@code node.state-dir} when configured, else {@code $STATE_DIRECTORY} (set by systemd's
 * {@code StateDirectory=}; the first entry when it lists several), else {@code ./meshd-data}
 * relative to the working directory.
 *
 * <p>Stateless; called once by the composition root at start-up.
 */
public final class StateDirectory {
  /** The variable systemd sets for {@code StateDirectory=}. */
  public static final String SYSTEMD_VARIABLE = "STATE_DIRECTORY";

  /** Used when neither the configuration nor systemd names a directory. */
  public static final Path DEFAULT = Path.of("meshd-data");

  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rwx------");

  private StateDirectory() {}

  /**
   * The state directory for {@code node}, as an absolute path; does not touch the disk.
   *
   * @throws ConfigException if {@code $STATE_DIRECTORY} is set but not a valid path
   */
  public static Path resolve(NodeConfig.Node node, Map<String, String> env) {
    if (node.stateDir() != null) {
      return node.stateDir().toAbsolutePath();
    }
    String systemd = env.get(SYSTEMD_VARIABLE);
    if (systemd != null && !systemd.isEmpty()) {
      String first = systemd.split(":", 2)[0];
      try {
        return Path.of(first).toAbsolutePath();
      } catch (InvalidPathException e) {
        throw new ConfigException(
            "environment " + SYSTEMD_VARIABLE + ": " + ConfigException.quote(first)
                + " is not a valid path; allowed: a directory path");
      }
    }
    return DEFAULT.toAbsolutePath();
  }

  /**
   * Creates {@code dir} (and missing parents) with mode 0700 if it does not exist, and checks
   * that it is a writable directory.
   *
   * @return {@code dir} as an absolute path
   * @throws ConfigException naming the directory and the reason if it cannot be used
   */
  public static Path prepare(Path dir) {
    Path abs = dir.toAbsolutePath();
    if (!Files.exists(abs)) {
      try {
        if (abs.getFileSystem().supportedFileAttributeViews().contains("posix")) {
          Files.createDirectories(abs, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } else {
          Files.createDirectories(abs);
        }
      } catch (FileAlreadyExistsException e) {
        throw new ConfigException(
            "state directory " + abs + ": " + e.getFile() + " exists and is not a directory");
      } catch (IOException e) {
        throw new ConfigException("state directory " + abs + ": cannot create it: " + e);
      }
    }
    if (!Files.isDirectory(abs)) {
      throw new ConfigException(
          "state directory " + abs + ": exists and is not a directory; allowed: a directory"
              + " the node can write, or a path that does not exist yet");
    }
    if (!Files.isWritable(abs) || !Files.isExecutable(abs)) {
      throw new ConfigException(
          "state directory " + abs + ": not writable by this user; allowed: a directory the"
              + " node can write");
    }
    return abs;
  }
}
