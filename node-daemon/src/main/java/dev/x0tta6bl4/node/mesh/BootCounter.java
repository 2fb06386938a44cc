package dev.x0tta6bl4.node.mesh;

import dev.x0tta6bl4.node.config.ConfigException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A number that grows with every start of the node, persisted in {@code <state-dir>/boot-id}:
 * message ids carry it so that receivers can tell a restarted sender's new messages from
 * replays of its old ones. Written atomically (temp file, fsync, rename).
 */
public final class BootCounter {
  static final String FILE_NAME = "boot-id";

  private BootCounter() {}

  /** Reads the last boot id (0 if none), stores and returns the next one. */
  public static long next(Path stateDir) {
    Path file = stateDir.resolve(FILE_NAME);
    long previous = 0;
    try {
      if (Files.exists(file)) {
        String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
        try {
          previous = Long.parseLong(text);
        } catch (NumberFormatException e) {
          throw new ConfigException(file + ": boot id '" + text + "' is not a number; delete the"
              + " file only if no other node holds messages from this one");
        }
        if (previous < 0) {
          throw new ConfigException(file + ": boot id " + previous + " is negative");
        }
      }
      long next = previous + 1;
      Path tmp = stateDir.resolve(FILE_NAME + ".tmp");
      Files.writeString(tmp, Long.toString(next) + "\n", StandardCharsets.US_ASCII);
      try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        channel.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return next;
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot update the boot id: " + e.getMessage());
    }
  }
}
