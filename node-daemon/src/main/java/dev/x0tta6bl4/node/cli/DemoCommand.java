package dev.x0tta6bl4.node.cli;

import dev.x0tta6bl4.node.cluster.MeshDemo;
import dev.x0tta6bl4.observability.LogFormat;
import dev.x0tta6bl4.observability.LogSetup;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code meshd demo}: a scripted mesh on loopback that shows reroute and recovery. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Start a small mesh of real nodes on 127.0.0.1 (post-quantum TLS, one process), send",
      "acknowledged traffic across it, cut a link and crash a node on the path, and print what",
      "happened and how long delivery took to recover. Ends by itself; exit 0 when the mesh",
      "recovered from both faults without losing or duplicating an acknowledged message."})
final class DemoCommand implements Callable<Integer> {
  @Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--nodes", defaultValue = "5", description = "Nodes in the ring, 4..16 (default: ${DEFAULT-VALUE}).")
  int nodes;

  @Option(names = "--time-limit", defaultValue = "60s",
      description = "Upper bound on the whole demo, e.g. 60s, 2m (default: ${DEFAULT-VALUE}).")
  String timeLimit;

  @Option(names = "--interval", defaultValue = "20ms",
      description = "Time between two messages of the traffic (default: ${DEFAULT-VALUE}).")
  String interval;

  @Option(names = "--verbose", description = "Show the nodes' own warnings and errors too.")
  boolean verbose;

  @Override
  public Integer call() throws Exception {
    MeshDemo.Settings settings;
    try {
      settings = new MeshDemo.Settings(nodes, parse("--time-limit", timeLimit),
          parse("--interval", interval), 1L);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    LogSetup.configure(LogFormat.TEXT, verbose ? "WARN" : "OFF", Map.of());
    return MeshDemo.run(settings, spec.commandLine().getOut()) ? ExitCodes.OK : ExitCodes.FAILURE;
  }

  private Duration parse(String option, String value) {
    try {
      return dev.x0tta6bl4.node.config.Durations.parse(value);
    } catch (RuntimeException e) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          option + " '" + value + "' is not a duration; expected e.g. 250ms, 30s, 2m");
    }
  }
}
