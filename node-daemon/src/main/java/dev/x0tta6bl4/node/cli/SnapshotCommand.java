package dev.x0tta6bl4.node.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code meshd snapshot}: a snapshot of the replicated store now ({@code POST
 * /v1/cluster/snapshot}).
 */
@Command(
    name = "snapshot",
    mixinStandardHelpOptions = true,
    description = {
      "Take a snapshot of the running node's replicated store now and print its log index.",
      "The Raft log is purged behind it (see consensus.snapshot-* in the configuration)."
    })
final class SnapshotCommand implements Callable<Integer> {
  @ParentCommand MeshdCli root;
  @Spec CommandLine.Model.CommandSpec spec;
  @Mixin ApiOptions api;

  @Override
  public Integer call() {
    LocalApiClient.Answer answer = api.client(root.env(), spec.commandLine())
        .post("/v1/cluster/snapshot", "", Duration.ZERO);
    PrintWriter out = spec.commandLine().getOut();
    out.println(api.json ? answer.body()
        : "snapshot taken at index " + answer.json().path("index").asLong());
    out.flush();
    return ExitCodes.OK;
  }
}
