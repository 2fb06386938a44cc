package dev.x0tta6bl4.node.cli;

import dev.x0tta6bl4.node.config.ConfigLoader;
import dev.x0tta6bl4.node.config.NodeConfig;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/** The {@code --config FILE} option shared by commands that act on a node's configuration. */
final class ConfigOption {
  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "YAML configuration file (default: $MESHD_CONFIG, else none).")
  Path file;

  /** Defaults, then the file (from --config or MESHD_CONFIG), then MESHD_* overrides. */
  NodeConfig load(Map<String, String> env) {
    ConfigLoader loader = ConfigLoader.forEnvironment(env);
    Path chosen = file;
    if (chosen == null && env.containsKey(ConfigLoader.CONFIG_FILE_VARIABLE)) {
      chosen = Path.of(env.get(ConfigLoader.CONFIG_FILE_VARIABLE));
    }
    return chosen == null ? loader.loadWithoutFile() : loader.load(chosen);
  }
}
