package dev.x0tta6bl4.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code meshd send}: posts one message to the running node's local API ({@code POST
 * /v1/messages}). Exit 0 when accepted (or, with {@code --wait}, delivered); 1 when refused, not
 * delivered, or still pending when the wait ended.
 */
@Command(
    name = "send",
    mixinStandardHelpOptions = true,
    description = {
      "Send a message through the running node: to one node (acknowledged end to end) or to",
      "every node with '*'. The payload is the argument, or standard input when it is '-' or",
      "left out. With --wait, wait for the destination's acknowledgement and report it."
    })
final class SendCommand implements Callable<Integer> {
  @ParentCommand MeshdCli root;
  @Spec picocli.CommandLine.Model.CommandSpec spec;
  @Mixin ApiOptions api;

  @Parameters(index = "0", paramLabel = "NODE",
      description = "Destination node id, or '*' to broadcast.")
  String destination;

  @Parameters(index = "1", arity = "0..1", paramLabel = "PAYLOAD",
      description = "The payload text; '-' or nothing reads standard input (bytes that are not"
          + " UTF-8 are sent as base64).")
  String payload;

  @Option(names = "--topic", paramLabel = "TOPIC", defaultValue = "",
      description = "Topic of the message (default: the empty topic).")
  String topic;

  @Option(names = "--wait",
      description = "Wait until the destination acknowledges (unicast only).")
  boolean waitForOutcome;

  @Option(names = "--timeout", paramLabel = "DURATION",
      converter = CaCommand.DurationConverter.class,
      description = "With --wait: how long to wait, e.g. 5s (default: the node's api.max-wait).")
  Duration timeout;

  @Option(names = "--base64",
      description = "The payload (argument or standard input) is base64 text.")
  boolean base64;

  @Override
  public Integer call() {
    if (timeout != null && !waitForOutcome) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "--timeout needs --wait");
    }
    ObjectNode body = LocalApiClient.JSON.createObjectNode();
    body.put("destination", destination);
    body.put("topic", topic);
    encodePayload(body);
    if (waitForOutcome) {
      body.put("wait", true);
      if (timeout != null) {
        body.put("wait_timeout_ms", timeout.toMillis());
      }
    }
    Duration extra = waitForOutcome ? (timeout != null ? timeout : Duration.ofMinutes(10))
        : Duration.ZERO;
    LocalApiClient.Answer answer =
        api.client(root.env(), spec.commandLine()).post("/v1/messages", body.toString(), extra);
    return report(answer);
  }

  private void encodePayload(ObjectNode body) {
    byte[] bytes;
    if (payload == null || payload.equals("-")) {
      try {
        bytes = root.stdin().readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the payload from standard input", e);
      }
    } else {
      bytes = payload.getBytes(StandardCharsets.UTF_8);
    }
    if (base64) {
      body.put("payload", new String(bytes, StandardCharsets.US_ASCII).strip());
      body.put("encoding", "base64");
    } else if (isUtf8(bytes)) {
      body.put("payload", new String(bytes, StandardCharsets.UTF_8));
    } else {
      body.put("payload", Base64.getEncoder().encodeToString(bytes));
      body.put("encoding", "base64");
    }
  }

  private int report(LocalApiClient.Answer answer) {
    PrintWriter out = spec.commandLine().getOut();
    JsonNode a = answer.json();
    String status = a.path("status").asText();
    String id = a.path("message_id").asText();
    String to = a.path("broadcast").asBoolean() ? "every node" : a.path("destination").asText();
    if (api.json) {
      out.println(answer.body());
    } else {
      switch (status) {
        case "delivered":
          out.println("delivered " + id + " to " + to + " (" + attempts(a) + ", round trip "
              + String.format(Locale.ROOT, "%.3f", a.path("round_trip_ms").asDouble()) + " ms)");
          break;
        case "failed":
          out.println("NOT delivered " + id + " to " + to + ": " + a.path("failure").asText()
              + " (" + attempts(a) + ")");
          break;
        case "pending":
          out.println("pending " + id + " to " + to + ": no acknowledgement within "
              + a.path("waited_ms").asLong() + " ms; it may still be delivered");
          break;
        default:
          out.println("accepted " + id + " for " + to);
      }
    }
    out.flush();
    return status.equals("delivered") || status.equals("accepted")
        ? ExitCodes.OK : ExitCodes.FAILURE;
  }

  private static String attempts(JsonNode a) {
    int n = a.path("attempts").asInt();
    return n + (n == 1 ? " attempt" : " attempts");
  }

  private static boolean isUtf8(byte[] bytes) {
    try {
      StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }
}
