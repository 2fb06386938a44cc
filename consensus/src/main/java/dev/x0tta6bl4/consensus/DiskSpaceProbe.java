package dev.x0tta6bl4.consensus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reports the space left to this process on the file system holding a directory. The
 * {@link ConsensusSupervisor} asks it on every check; tests give a fake.
 */
@FunctionalInterface
public interface DiskSpaceProbe {

  /** Bytes still usable by this process on the file system of {@code dir}. */
  long usableBytes(Path dir) throws IOException;

  /** The real file system, through {@link java.nio.file.FileStore#getUsableSpace()}. */
  static DiskSpaceProbe fileStore() {
    return dir -> Files.getFileStore(dir).getUsableSpace();
  }
}
