package dev.x0tta6bl4.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code meshd incidents}: what the self-healing loop found and did, from {@code GET
 * /v1/incidents}; with an id, one incident's symptoms and timeline.
 */
@Command(
    name = "incidents",
    mixinStandardHelpOptions = true,
    description = {
      "List the running node's self-healing incidents (open first, then recent ones): id,",
      "kind, subject, state, when it was detected and its last event. With an id, print that",
      "incident's symptoms and its timeline of detection, plan, actions and outcome."
    })
final class IncidentsCommand implements Callable<Integer> {
  @ParentCommand MeshdCli root;
  @Spec picocli.CommandLine.Model.CommandSpec spec;
  @Mixin ApiOptions api;

  @Parameters(arity = "0..1", paramLabel = "ID", description = "One incident to show in full.")
  Long id;

  @Option(names = "--open", description = "Only open incidents.")
  boolean openOnly;

  @Override
  public Integer call() {
    LocalApiClient client = api.client(root.env(), spec.commandLine());
    PrintWriter out = spec.commandLine().getOut();
    if (id != null) {
      LocalApiClient.Answer answer = client.get("/v1/incidents/" + id);
      if (api.json) {
        out.println(answer.body());
      } else {
        printOne(out, answer.json());
      }
    } else {
      LocalApiClient.Answer answer =
          client.get("/v1/incidents" + (openOnly ? "?state=open" : ""));
      JsonNode body = answer.json();
      if (api.json) {
        out.println(answer.body());
      } else if (body.path("incidents").isEmpty()) {
        out.println("no incidents (mode " + body.path("mode").asText() + ")");
      } else {
        Table table = new Table("ID", "KIND", "SUBJECT", "STATE", "DETECTED", "LAST EVENT");
        for (JsonNode i : body.path("incidents")) {
          JsonNode timeline = i.path("timeline");
          JsonNode last = timeline.isEmpty() ? null : timeline.get(timeline.size() - 1);
          table.row(i.path("id").asText(), i.path("kind").asText(), i.path("subject").asText(),
              i.path("state").asText(), i.path("detected_at").asText(),
              last == null ? null : last.path("event").asText());
        }
        table.print(out);
        out.println("mode " + body.path("mode").asText() + ", " + body.path("open").asLong()
            + " open");
      }
    }
    out.flush();
    return ExitCodes.OK;
  }

  private static void printOne(PrintWriter out, JsonNode i) {
    out.println("incident   " + i.path("id").asText() + " " + i.path("kind").asText() + "/"
        + i.path("subject").asText());
    out.println("state      " + i.path("state").asText()
        + (i.path("resolution").isTextual() ? " (" + i.path("resolution").asText() + ")" : ""));
    out.println("first seen " + i.path("first_seen").asText());
    out.println("detected   " + i.path("detected_at").asText());
    if (i.path("resolved_at").isTextual()) {
      out.println("resolved   " + i.path("resolved_at").asText());
    }
    if (!i.path("symptoms").isEmpty()) {
      out.println("symptoms:");
      for (JsonNode s : i.path("symptoms")) {
        out.println("  " + s.path("severity").asText() + " " + s.path("kind").asText() + "/"
            + s.path("subject").asText() + ": " + s.path("evidence").asText());
      }
    }
    out.println("timeline:");
    for (JsonNode e : i.path("timeline")) {
      out.println("  " + e.path("at").asText() + "  " + e.path("event").asText() + "  "
          + e.path("detail").asText());
    }
  }
}
