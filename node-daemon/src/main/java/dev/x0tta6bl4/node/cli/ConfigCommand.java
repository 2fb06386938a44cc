package dev.x0tta6bl4.node.cli;

import dev.x0tta6bl4.node.config.ConfigLoader;
import dev.x0tta6bl4.node.config.NodeConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code meshd config ...}: work with configuration files without starting a node. */
@Command(
    name = "config",
    mixinStandardHelpOptions = true,
    description = "Check configuration files.",
    subcommands = {ConfigCommand.Check.class})
final class ConfigCommand implements Callable<Integer> {
  @ParentCommand MeshdCli root;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getErr().println("meshd config: missing command: check");
    spec.commandLine().usage(spec.commandLine().getErr());
    return ExitCodes.USAGE;
  }

  /** {@code meshd config check FILE}: validate, then print the effective configuration. */
  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description = {
        "Validate FILE strictly and print the effective configuration as YAML",
        "(defaults, then FILE, then MESHD_* environment overrides).",
        "Exits 78 with file:line:column and the key when the configuration is invalid."
      })
  static final class Check implements Callable<Integer> {
    @ParentCommand ConfigCommand config;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "The YAML configuration file to check.")
    Path file;

    @Override
    public Integer call() {
      NodeConfig effective = ConfigLoader.forEnvironment(config.root.env()).load(file);
      spec.commandLine().getOut().print(ConfigLoader.toYaml(effective));
      spec.commandLine().getOut().flush();
      return ExitCodes.OK;
    }
  }
}
