package dev.x0tta6bl4.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code meshd cluster}: the Raft group as the running node sees it ({@code GET /v1/cluster}), and
 * {@code meshd cluster add-voter|remove-voter} to change its voters one at a time.
 */
@Command(
    name = "cluster",
    mixinStandardHelpOptions = true,
    description = {
      "Show the replicated store's Raft group as the running node sees it: its role, the",
      "leader, term, commit and applied index, newest snapshot, and each voter with its",
      "replication lag (known on the leader)."
    },
    subcommands = {ClusterCommand.AddVoter.class, ClusterCommand.RemoveVoter.class})
final class ClusterCommand implements Callable<Integer> {
  @ParentCommand MeshdCli root;
  @Spec CommandLine.Model.CommandSpec spec;
  @Mixin ApiOptions api;

  @Override
  public Integer call() {
    LocalApiClient.Answer answer = api.client(root.env(), spec.commandLine()).get("/v1/cluster");
    PrintWriter out = spec.commandLine().getOut();
    if (api.json) {
      out.println(answer.body());
      out.flush();
      return ExitCodes.OK;
    }
    JsonNode c = answer.json();
    out.println("node       " + c.path("node_id").asText() + " (" + c.path("role").asText()
        + ")");
    out.println("leader     " + (c.path("leader").isNull() ? "none" : c.path("leader").asText()));
    out.println("term       " + c.path("term").asLong());
    out.println("commit     " + c.path("commit_index").asLong());
    out.println("applied    " + c.path("applied_index").asLong());
    JsonNode snapshot = c.path("last_snapshot");
    out.println("snapshot   " + (snapshot.isObject()
        ? "index " + snapshot.path("index").asLong() + ", "
            + StatusCommand.human(Duration.ofMillis(snapshot.path("age_ms").asLong())) + " ago"
        : "none"));
    out.println("state      " + c.path("server_state").asText());
    if (!c.path("log_failure").isNull()) {
      out.println("log error  " + c.path("log_failure").asText());
    }
    JsonNode sup = c.path("supervisor");
    if (sup.isObject()) {
      out.println("health     " + sup.path("health").asText()
          + (sup.path("writes_refused").asBoolean() ? " (writes refused)" : "")
          + ", " + sup.path("rebuilds").asLong() + " rebuilds"
          + (sup.path("disk_free_bytes").isNumber()
              ? ", " + (sup.path("disk_free_bytes").asLong() >> 20) + " MiB free" : ""));
    }
    out.println();
    Map<String, JsonNode> lag = new HashMap<>();
    c.path("followers").forEach(f -> lag.put(f.path("id").asText(), f));
    Table table = new Table("VOTER", "ADDRESS", "ROLE", "COMMIT", "LAG");
    for (JsonNode v : c.path("voters")) {
      String id = v.path("id").asText();
      JsonNode follower = lag.get(id);
      String role = v.path("leader").asBoolean() ? "leader" : "follower";
      boolean self = id.equals(c.path("node_id").asText());
      table.row(id + (self ? " *" : ""), v.path("address").asText(), role,
          follower == null ? null : follower.path("commit_index").asLong(),
          follower == null ? null : follower.path("lag").asLong());
    }
    table.print(out);
    out.flush();
    return ExitCodes.OK;
  }

  /**
   * The subcommand's API options, or these when only {@code meshd cluster --api ... add-voter}
   * named them, so an option given before the subcommand is not silently ignored.
   */
  ApiOptions inherit(ApiOptions own) {
    boolean ownSet = own.api != null || own.config.file != null || own.json;
    return ownSet ? own : api;
  }

  /** {@code meshd cluster add-voter ID HOST:PORT}. */
  @Command(name = "add-voter", mixinStandardHelpOptions = true,
      description = {"Add the node ID, whose Raft server listens on HOST:PORT, as a voter. Start",
          "that node first with consensus.join: true; it catches up from the leader."})
  static final class AddVoter implements Callable<Integer> {
    @ParentCommand ClusterCommand cluster;
    @Spec CommandLine.Model.CommandSpec spec;
    @Mixin ApiOptions api;

    @Parameters(index = "0", paramLabel = "ID", description = "The new voter's node id.")
    String id;

    @Parameters(index = "1", paramLabel = "HOST:PORT",
        description = "The new voter's Raft address (its consensus.bind).")
    String address;

    @Override
    public Integer call() {
      ObjectNode body = LocalApiClient.JSON.createObjectNode().put("id", id)
          .put("address", address);
      ApiOptions options = cluster.inherit(api);
      LocalApiClient.Answer answer = options.client(cluster.root.env(), spec.commandLine())
          .post("/v1/cluster/voters", body.toString(), Duration.ZERO);
      return printVoters(spec, options, answer, "added " + id);
    }
  }

  /** {@code meshd cluster remove-voter ID}. */
  @Command(name = "remove-voter", mixinStandardHelpOptions = true,
      description = {"Remove the voter ID from the group (the leader too: it steps down).",
          "Stop that node afterwards."})
  static final class RemoveVoter implements Callable<Integer> {
    @ParentCommand ClusterCommand cluster;
    @Spec CommandLine.Model.CommandSpec spec;
    @Mixin ApiOptions api;

    @Parameters(index = "0", paramLabel = "ID", description = "The voter's node id.")
    String id;

    @Override
    public Integer call() {
      ApiOptions options = cluster.inherit(api);
      LocalApiClient.RawAnswer raw = options.client(cluster.root.env(), spec.commandLine())
          .raw("DELETE", "/v1/cluster/voters/" + id, null);
      String text = new String(raw.body(), java.nio.charset.StandardCharsets.UTF_8);
      return printVoters(spec, options, new LocalApiClient.Answer(raw.status(), text,
          raw.json()), "removed " + id);
    }
  }

  private static int printVoters(CommandLine.Model.CommandSpec spec, ApiOptions api,
      LocalApiClient.Answer answer, String done) {
    PrintWriter out = spec.commandLine().getOut();
    if (api.json) {
      out.println(answer.body());
    } else {
      StringBuilder voters = new StringBuilder();
      answer.json().path("voters").forEach(v -> voters.append(voters.length() == 0 ? "" : ", ")
          .append(v.path("id").asText()).append('@').append(v.path("address").asText()));
      out.println(done + "; voters: " + voters);
    }
    out.flush();
    return ExitCodes.OK;
  }
}
