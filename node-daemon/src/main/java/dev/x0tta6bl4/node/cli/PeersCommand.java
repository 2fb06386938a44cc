package dev.x0tta6bl4.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code meshd peers}: the node's neighbours with a link up, from {@code GET /v1/peers}. */
@Command(
    name = "peers",
    mixinStandardHelpOptions = true,
    description = {
      "List the running node's neighbours (links up): id, address, who dialled, failure",
      "detector status, smoothed round trip and phi (GET /v1/peers of its local API)."
    })
final class PeersCommand implements Callable<Integer> {
  @ParentCommand MeshdCli root;
  @Spec picocli.CommandLine.Model.CommandSpec spec;
  @Mixin ApiOptions api;

  @Override
  public Integer call() {
    LocalApiClient.Answer answer = api.client(root.env(), spec.commandLine()).get("/v1/peers");
    PrintWriter out = spec.commandLine().getOut();
    if (api.json) {
      out.println(answer.body());
    } else if (answer.json().path("peers").isEmpty()) {
      out.println("no peers");
    } else {
      Table table = new Table("NODE", "ADDRESS", "DIRECTION", "STATUS", "RTT", "PHI",
          "BAD ADVERTS");
      for (JsonNode p : answer.json().path("peers")) {
        JsonNode rtt = p.path("rtt_ms");
        table.row(p.path("node_id").asText(), p.path("address").asText(),
            p.path("direction").asText(), p.path("status").asText(),
            rtt.isNumber() ? String.format(Locale.ROOT, "%.2f ms", rtt.asDouble()) : null,
            p.path("phi").isNumber()
                ? String.format(Locale.ROOT, "%.2f", p.path("phi").asDouble()) : null,
            badAdverts(p.path("adverts_rejected")));
      }
      table.print(out);
    }
    out.flush();
    return ExitCodes.OK;
  }

  /** Rejected adverts other than stale ones (which normal flooding races also produce). */
  private static String badAdverts(JsonNode byReason) {
    long bad = 0;
    for (var it = byReason.fields(); it.hasNext(); ) {
      var reason = it.next();
      if (!reason.getKey().equals("stale")) {
        bad += reason.getValue().asLong();
      }
    }
    return Long.toString(bad);
  }
}
