package dev.x0tta6bl4.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code meshd routes}: the node's route table, from {@code GET /v1/routes}. */
@Command(
    name = "routes",
    mixinStandardHelpOptions = true,
    description = {
      "List the running node's routes: destination, next hop, hops and path cost",
      "(GET /v1/routes of its local API)."
    })
final class RoutesCommand implements Callable<Integer> {
  @ParentCommand MeshdCli root;
  @Spec picocli.CommandLine.Model.CommandSpec spec;
  @Mixin ApiOptions api;

  @Override
  public Integer call() {
    LocalApiClient.Answer answer = api.client(root.env(), spec.commandLine()).get("/v1/routes");
    PrintWriter out = spec.commandLine().getOut();
    if (api.json) {
      out.println(answer.body());
    } else if (answer.json().path("routes").isEmpty()) {
      out.println("no routes");
    } else {
      Table table = new Table("DESTINATION", "NEXT HOP", "HOPS", "COST");
      for (JsonNode r : answer.json().path("routes")) {
        table.row(r.path("destination").asText(), r.path("next_hop").asText(),
            r.path("hops").asInt(), r.path("cost").asLong());
      }
      table.print(out);
    }
    out.flush();
    return ExitCodes.OK;
  }
}
