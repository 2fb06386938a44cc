package dev.x0tta6bl4.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code meshd subscribe}: prints the messages the running node delivers, from its event stream
 * ({@code GET /v1/subscribe}), one line each, until interrupted, until {@code --count} messages
 * arrived (exit 0), or until the node ends the stream (exit 1). Notices go to stderr, so stdout
 * carries only messages.
 */
@Command(
    name = "subscribe",
    mixinStandardHelpOptions = true,
    description = {
      "Print messages delivered to the running node, as they arrive. Each line:",
      "<message id> <source> <topic> [broadcast]: <payload>; with --json the event's JSON."
    })
final class SubscribeCommand implements Callable<Integer> {
  @ParentCommand MeshdCli root;
  @Spec picocli.CommandLine.Model.CommandSpec spec;
  @Mixin ApiOptions api;

  @Option(names = "--topic", paramLabel = "TOPIC", defaultValue = "*",
      description = "Only this topic (default: '*', every topic).")
  String topic;

  @Option(names = "--count", paramLabel = "N",
      description = "Exit after N messages (default: run until interrupted).")
  Long count;

  @Option(names = "--base64", description = "Always show payloads as base64.")
  boolean base64;

  @Override
  public Integer call() throws IOException {
    if (count != null && count < 1) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "--count must be at least 1, got " + count);
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String path = "/v1/subscribe?topic=" + URLEncoder.encode(topic, StandardCharsets.UTF_8)
        + (base64 ? "&encoding=base64" : "");
    long received = 0;
    try (Stream<String> lines = api.client(root.env(), spec.commandLine()).events(path)) {
      Iterator<LocalApiClient.Event> events = LocalApiClient.parseEvents(lines.iterator());
      while (events.hasNext()) {
        LocalApiClient.Event event = events.next();
        JsonNode data = parse(event.data());
        switch (event.type()) {
          case "subscribed":
            err.println("subscribed to " + describe(data.path("topic").asText()) + " on node "
                + data.path("node_id").asText());
            err.flush();
            break;
          case "dropped":
            err.println("meshd: " + data.path("dropped").asLong() + " messages were dropped"
                + " because this subscriber read too slowly");
            err.flush();
            break;
          case "error":
            throw new LocalApiClient.ApiError(200, data.path("error").path("code").asText(),
                data.path("error").path("message").asText(), null);
          case "message":
            out.println(api.json ? event.data() : line(data));
            out.flush();
            if (count != null && ++received >= count) {
              return ExitCodes.OK;
            }
            break;
          default:
            break; // event types added later are ignored
        }
      }
    }
    err.println("meshd: the node ended the stream (it is shutting down)");
    return ExitCodes.FAILURE;
  }

  private static String line(JsonNode m) {
    String payload = m.path("payload").asText();
    if (m.path("encoding").asText().equals("base64")) {
      payload = "base64:" + payload;
    }
    return m.path("message_id").asText() + " " + m.path("source").asText() + " "
        + (m.path("topic").asText().isEmpty() ? "\"\"" : m.path("topic").asText())
        + (m.path("broadcast").asBoolean() ? " broadcast" : "") + ": " + payload;
  }

  private static String describe(String topic) {
    return topic.equals("*") ? "every topic" : "topic '" + topic + "'";
  }

  private static JsonNode parse(String data) {
    try {
      return LocalApiClient.JSON.readTree(data);
    } catch (IOException e) {
      throw new LocalApiClient.ApiError(200, "bad_response",
          "the node sent an event that is not JSON: " + data, null);
    }
  }
}
