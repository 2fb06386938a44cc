package dev.x0tta6bl4.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code meshd status}: the running node at a glance, from {@code GET /v1/status}. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
      "Show the running node's id, version, uptime, readiness, links, routes and messages in",
      "flight (GET /v1/status of its local API)."
    })
final class StatusCommand implements Callable<Integer> {
  @ParentCommand MeshdCli root;
  @Spec picocli.CommandLine.Model.CommandSpec spec;
  @Mixin ApiOptions api;

  @Override
  public Integer call() {
    LocalApiClient.Answer answer = api.client(root.env(), spec.commandLine()).get("/v1/status");
    PrintWriter out = spec.commandLine().getOut();
    if (api.json) {
      out.println(answer.body());
    } else {
      JsonNode s = answer.json();
      out.println("node       " + s.path("node_id").asText());
      out.println("spiffe id  " + s.path("spiffe_id").asText());
      out.println("version    " + s.path("version").asText());
      out.println("uptime     " + human(Duration.ofMillis(s.path("uptime_ms").asLong())));
      out.println("ready      " + (s.path("ready").asBoolean() ? "yes" : "no"));
      out.println("links      " + s.path("links").asInt());
      out.println("routes     " + s.path("routes").asInt());
      out.println("in flight  " + s.path("in_flight").asLong());
    }
    out.flush();
    return ExitCodes.OK;
  }

  /** 3d 4h 5m 6s, leaving out leading zero units. */
  static String human(Duration d) {
    long s = d.toSeconds();
    long days = s / 86_400;
    long hours = s % 86_400 / 3600;
    long minutes = s % 3600 / 60;
    long seconds = s % 60;
    StringBuilder b = new StringBuilder();
    if (days > 0) {
      b.append(days).append("d ");
    }
    if (days > 0 || hours > 0) {
      b.append(hours).append("h ");
    }
    if (days > 0 || hours > 0 || minutes > 0) {
      b.append(minutes).append("m ");
    }
    return b.append(seconds).append('s').toString();
  }
}
