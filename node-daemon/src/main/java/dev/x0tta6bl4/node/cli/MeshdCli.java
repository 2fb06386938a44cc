package dev.x0tta6bl4.node.cli;

import dev.x0tta6bl4.node.config.ConfigException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/**
 * The {@code meshd} command line: builds the picocli command tree and maps failures to
 * {@link ExitCodes}. The environment is passed in, so tests run commands in-process with
 * their own variables and capture the output.
 */
@Command(
    name = "meshd",
    mixinStandardHelpOptions = true,
    versionProvider = VersionCommand.Provider.class,
    description = "Self-healing, post-quantum secured mesh node daemon.",
    subcommands = {
      RunCommand.class,
      InitCommand.class,
      ConfigCommand.class,
      CaCommand.class,
      StatusCommand.class,
      PeersCommand.class,
      RoutesCommand.class,
      SendCommand.class,
      SubscribeCommand.class,
      KvCommand.class,
      ClusterCommand.class,
      SnapshotCommand.class,
      IncidentsCommand.class,
      VersionCommand.class,
      DemoCommand.class,
      picocli.CommandLine.HelpCommand.class
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success (also a clean shutdown after SIGTERM/SIGINT)",
      "1:failure (start-up, I/O, crypto self-test, an error answer of the local API,"
          + " a message not delivered)",
      "2:usage error",
      "69:the local API cannot be reached (the node is not running)",
      "78:invalid or unreadable configuration"
    })
public final class MeshdCli implements Callable<Integer> {
  private final Map<String, String> env;
  private final InputStream stdin;

  private MeshdCli(Map<String, String> env, InputStream stdin) {
    this.env = Map.copyOf(env);
    this.stdin = stdin;
  }

  /** A command line bound to {@code env}, printing to stdout and stderr. */
  public static CommandLine create(Map<String, String> env) {
    return create(env, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
  }

  /** A command line bound to {@code env}, printing to the given writers. */
  public static CommandLine create(Map<String, String> env, PrintWriter out, PrintWriter err) {
    return create(env, System.in, out, err);
  }

  /** A command line bound to {@code env}, reading {@code stdin} and printing to the writers. */
  public static CommandLine create(
      Map<String, String> env, InputStream stdin, PrintWriter out, PrintWriter err) {
    MeshdCli root = new MeshdCli(env, stdin);
    CommandLine commandLine = new CommandLine(root);
    commandLine.setOut(out);
    commandLine.setErr(err);
    commandLine.setExecutionExceptionHandler(MeshdCli::handleExecutionException);
    return commandLine;
  }

  /** The process environment the commands see. */
  Map<String, String> env() {
    return env;
  }

  /** Standard input of the commands ({@code meshd send} reads its payload from it). */
  InputStream stdin() {
    return stdin;
  }

  @Spec CommandLine.Model.CommandSpec spec;

  /** {@code meshd} without a command: a usage error that shows the commands. */
  @Override
  public Integer call() {
    spec.commandLine().getErr().println("meshd: missing command");
    spec.commandLine().usage(spec.commandLine().getErr());
    return ExitCodes.USAGE;
  }

  private static int handleExecutionException(
      Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult) {
    PrintWriter err = commandLine.getErr();
    if (e instanceof ConfigException) {
      err.println("meshd: configuration error: " + e.getMessage());
      return ExitCodes.CONFIG;
    }
    if (e instanceof LocalApiClient.Unreachable) {
      err.println("meshd: " + e.getMessage());
      return ExitCodes.UNAVAILABLE;
    }
    if (e instanceof LocalApiClient.ApiError api) {
      err.println("meshd: " + api.code + ": " + api.getMessage()
          + (api.retryAfter != null ? " (retry after " + api.retryAfter + " s)" : ""));
      return ExitCodes.FAILURE;
    }
    err.println("meshd: " + describe(e));
    return ExitCodes.FAILURE;
  }

  static String describe(Throwable e) {
    String message = e.getMessage();
    return message == null || message.isBlank() ? e.toString() : message;
  }
}
