package dev.x0tta6bl4.node.cli;

import dev.x0tta6bl4.node.NodeRunner;
import dev.x0tta6bl4.node.config.NodeConfig;
import dev.x0tta6bl4.observability.LogFormat;
import dev.x0tta6bl4.observability.LogSetup;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code meshd run}: run a node in the foreground until SIGTERM or SIGINT. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Run a mesh node in the foreground until SIGTERM or SIGINT, then shut down in order.",
      "Without --config (or MESHD_CONFIG) the node runs on the embedded defaults:",
      "state in ./meshd-data, /metrics and /health on 127.0.0.1:9464."
    })
final class RunCommand implements Callable<Integer> {
  @ParentCommand MeshdCli root;

  @Mixin ConfigOption config;

  @Option(
      names = "--log-format",
      paramLabel = "FORMAT",
      description = "json (one object per line, the default) or text; overrides logging.format.")
  String logFormat;

  @Override
  public Integer call() {
    Map<String, String> env = root.env();
    NodeConfig nodeConfig = config.load(env);
    LogSetup.configure(
        logFormat != null ? parseFormat(logFormat) : toLogFormat(nodeConfig.logging().format()),
        nodeConfig.logging().level().name(),
        nodeConfig.logging().levels().entrySet().stream()
            .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().name())));
    return NodeRunner.run(nodeConfig, env);
  }

  private static LogFormat toLogFormat(dev.x0tta6bl4.node.config.LogFormat format) {
    return LogFormat.valueOf(format.name());
  }

  private static LogFormat parseFormat(String text) {
    try {
      return LogFormat.valueOf(text.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new picocli.CommandLine.ParameterException(
          new picocli.CommandLine(new RunCommand()),
          "--log-format must be json or text, got '" + text + "'");
    }
  }
}
