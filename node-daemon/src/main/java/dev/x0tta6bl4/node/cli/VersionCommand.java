package dev.x0tta6bl4.node.cli;

import dev.x0tta6bl4.pqc.BcVersionLock;
import dev.x0tta6bl4.pqc.CryptoProviders;
import dev.x0tta6bl4.pqc.CryptoSelfTest;
import dev.x0tta6bl4.pqc.CryptoStackException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/** {@code meshd version}: the meshd version and the runtime it runs on. */
@Command(
    name = "version",
    mixinStandardHelpOptions = true,
    description = {
      "Print the meshd and Java versions, the Bouncy Castle jar versions and the result of",
      "the cryptographic known-answer self-test. Exits 1 if the crypto stack fails."})
final class VersionCommand implements Callable<Integer> {
  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    lines().forEach(spec.commandLine().getOut()::println);
    CryptoSelfTest.Report report;
    try {
      spec.commandLine().getOut().println("bouncy castle " + BcVersionLock.readJarVersions());
      report = CryptoSelfTest.run(CryptoProviders.install());
    } catch (CryptoStackException e) {
      spec.commandLine().getOut().println("crypto FAILED: " + e.getMessage());
      spec.commandLine().getOut().flush();
      return ExitCodes.FAILURE;
    }
    spec.commandLine().getOut().println("crypto " + report.summary());
    spec.commandLine().getOut().flush();
    return report.passed() ? ExitCodes.OK : ExitCodes.FAILURE;
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
