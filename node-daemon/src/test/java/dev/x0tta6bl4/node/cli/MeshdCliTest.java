package dev.x0tta6bl4.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MeshdCliTest {
  @TempDir Path tmp;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int meshd(Map<String, String> env, String... args) {
    return MeshdCli.create(env, new PrintWriter(out, true), new PrintWriter(err, true))
        .execute(args);
  }

  private int meshd(String... args) {
    return meshd(Map.of(), args);
  }

  private Path write(String name, String yaml) throws IOException {
    return Files.writeString(tmp.resolve(name), yaml);
  }

  /** A configuration error is exactly one line on stderr, naming file:line:column and key. */
  private void assertConfigError(int exit, String fileName, int line, int column, String key) {
    assertThat(exit).isEqualTo(ExitCodes.CONFIG);
    String message = err.toString();
    assertThat(message.lines()).as("one line: %s", message).hasSize(1);
    assertThat(message)
        .startsWith("meshd: configuration error: ")
        .contains(fileName + ":" + line + ":" + column + ": ")
        .contains(key);
  }

  @Test
  void configCheck_validFile_printsEffectiveConfigurationAndExitsZero() throws IOException {
    Path file = write("ok.yaml", "metrics:\n  bind: 127.0.0.1:9999\n");

    int exit = meshd("config", "check", file.toString());

    assertThat(exit).isZero();
    assertThat(out.toString()).contains("bind: 127.0.0.1:9999").contains("shutdown-timeout");
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void configCheck_unknownKey_exits78NamingLineColumnAndKey() throws IOException {
    Path file = write("unknown.yaml", "metrics:\n  bind: 127.0.0.1:9464\n  bnid: x\n");

    assertConfigError(meshd("config", "check", file.toString()), "unknown.yaml", 3, 3, "metrics.bnid");
  }

  @Test
  void configCheck_wrongType_exits78NamingLineColumnAndKey() throws IOException {
    Path file = write("type.yaml", "node:\n  shutdown-timeout: [1, 2]\n");

    assertConfigError(
        meshd("config", "check", file.toString()), "type.yaml", 2, 21, "node.shutdown-timeout");
  }

  @Test
  void configCheck_portOutOfRange_exits78NamingLineColumnAndKey() throws IOException {
    Path file = write("port.yaml", "metrics:\n  bind: 127.0.0.1:70000\n");

    assertConfigError(meshd("config", "check", file.toString()), "port.yaml", 2, 9, "metrics.bind");
  }

  @Test
  void configCheck_missingFile_exits78NamingTheFile() {
    Path file = tmp.resolve("absent.yaml");

    int exit = meshd("config", "check", file.toString());

    assertThat(exit).isEqualTo(ExitCodes.CONFIG);
    assertThat(err.toString().lines()).hasSize(1);
    assertThat(err.toString()).contains(file.toString());
  }

  @Test
  void configCheck_unreadableFile_exits78NamingTheFile() throws IOException {
    // A directory cannot be read as a file, even by root (which CI runs as).
    Path dir = Files.createDirectory(tmp.resolve("dir.yaml"));

    int exit = meshd("config", "check", dir.toString());

    assertThat(exit).isEqualTo(ExitCodes.CONFIG);
    assertThat(err.toString().lines()).hasSize(1);
    assertThat(err.toString()).contains(dir.toString());
  }

  @Test
  void run_badEnvironmentOverride_exits78BeforeStarting() {
    int exit = meshd(Map.of("MESHD_METRICS_BIND", "127.0.0.1:99999"), "run");

    assertThat(exit).isEqualTo(ExitCodes.CONFIG);
    assertThat(err.toString()).contains("MESHD_METRICS_BIND").contains("metrics.bind");
  }

  @Test
  void noCommand_isUsageError() {
    assertThat(meshd()).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("missing command").contains("run");
  }

  @Test
  void unknownOption_isUsageError() {
    assertThat(meshd("run", "--no-such-option")).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("--no-such-option");
  }

  @Test
  void version_printsMeshdAndJavaVersions() {
    assertThat(meshd("version")).isZero();
    assertThat(out.toString()).startsWith("meshd ").contains("java " + System.getProperty("java.version"));
  }

  @Test
  void help_everyCommandHasHelp() {
    for (String[] args : new String[][] {
        {"--help"}, {"run", "--help"}, {"config", "--help"}, {"config", "check", "--help"},
        {"version", "--help"}}) {
      out.getBuffer().setLength(0);
      assertThat(meshd(args)).as(String.join(" ", args)).isZero();
      assertThat(out.toString()).as(String.join(" ", args)).contains("Usage: meshd");
    }
  }
}
