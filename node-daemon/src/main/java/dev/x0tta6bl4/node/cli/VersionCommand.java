package dev.x0tta6bl4.node.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/** {@code meshd version}: the meshd version and the runtime it runs on. */
@Command(
    name = "version",
    mixinStandardHelpOptions = true,
    description = "Print the meshd version and the Java runtime.")
final class VersionCommand implements Callable<Integer> {
  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    lines().forEach(spec.commandLine().getOut()::println);
    spec.commandLine().getOut().flush();
    return ExitCodes.OK;
  }

  static List<String> lines() {
    return List.of(
        "meshd " + BuildInfo.version(),
        "java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name")
            + ", " + System.getProperty("java.vendor") + ")",
        "os " + System.getProperty("os.name") + " " + System.getProperty("os.arch"));
  }

  /** Answers {@code meshd --version} with the same lines. */
  static final class Provider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return lines().toArray(String[]::new);
    }
  }
}
