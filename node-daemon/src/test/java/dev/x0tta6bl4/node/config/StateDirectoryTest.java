package dev.x0tta6bl4.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateDirectoryTest {
  @TempDir Path dir;

  private static NodeConfig.Node nodeWithStateDir(Path stateDir) {
    return new NodeConfig.Node(null, stateDir, Duration.ofSeconds(10));
  }

  @Test
  void resolve_configured_winsOverSystemd() {
    Path configured = dir.resolve("configured");

    Path resolved =
        StateDirectory.resolve(
            nodeWithStateDir(configured), Map.of("STATE_DIRECTORY", "/var/lib/meshd"));

    assertThat(resolved).isEqualTo(configured);
  }

  @Test
  void resolve_unsetWithSystemd_usesFirstSystemdDirectory() {
    Path resolved =
        StateDirectory.resolve(
            NodeConfig.Node.defaults(), Map.of("STATE_DIRECTORY", "/var/lib/meshd:/var/lib/other"));

    assertThat(resolved).isEqualTo(Path.of("/var/lib/meshd"));
  }

  @Test
  void resolve_nothingSet_usesMeshdDataInWorkingDirectory() {
    Path resolved = StateDirectory.resolve(NodeConfig.Node.defaults(), Map.of());

    assertThat(resolved).isEqualTo(Path.of("meshd-data").toAbsolutePath());
  }

  @Test
  void prepare_missing_createsWithOwnerOnlyPermissions() throws IOException {
    Path state = dir.resolve("a/b/state");

    Path prepared = StateDirectory.prepare(state);

    assertThat(prepared).isDirectory().isEqualTo(state.toAbsolutePath());
    assertThat(Files.getPosixFilePermissions(state))
        .isEqualTo(PosixFilePermissions.fromString("rwx------"));
  }

  @Test
  void prepare_existingDirectory_isKept() throws IOException {
    Path state = Files.createDirectory(dir.resolve("state"));
    Files.writeString(state.resolve("keep"), "x");

    StateDirectory.prepare(state);

    assertThat(state.resolve("keep")).hasContent("x");
  }

  @Test
  void prepare_regularFile_isClearError() throws IOException {
    Path file = Files.writeString(dir.resolve("state"), "not a dir");

    assertThatThrownBy(() -> StateDirectory.prepare(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("state directory " + file + ": exists and is not a directory");
  }

  @Test
  void prepare_parentIsFile_isClearError() throws IOException {
    Path file = Files.writeString(dir.resolve("file"), "x");

    assertThatThrownBy(() -> StateDirectory.prepare(file.resolve("state")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("state directory " + file.resolve("state") + ": ");
  }

  @Test
  void prepare_readOnlyDirectory_isClearError() throws IOException {
    assumeFalse(
        "root".equals(System.getProperty("user.name")),
        "root may write to a 0500 directory, so read-only cannot be tested as root");
    Path state = Files.createDirectory(dir.resolve("ro"));
    Files.setPosixFilePermissions(
        state, Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_EXECUTE));
    try {
      assertThatThrownBy(() -> StateDirectory.prepare(state))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("not writable");
    } finally {
      Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwx------"));
    }
  }
}
