package dev.x0tta6bl4.node.api;

import static dev.x0tta6bl4.node.api.ApiTestClient.errorCode;
import static dev.x0tta6bl4.node.api.ApiTestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.x0tta6bl4.node.cluster.LocalCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local API on real nodes (TLS links on loopback, ephemeral API ports): a message posted to
 * one node's API arrives, two hops away, on another node's event stream.
 */
class LocalApiClusterTest {
  private static final Duration CONVERGE = Duration.ofSeconds(30);

  @TempDir Path dir;

  @Test
  void postOnOneNode_subscribeOnAnother_deliveredOverTwoHopsAndBroadcastSeen() throws Exception {
    try (LocalCluster cluster = LocalCluster.start(dir, 3, LocalCluster.Topology.LINE)) {
      cluster.awaitTopology(CONVERGE);
      ApiTestClient first = new ApiTestClient(cluster.node(0).apiAddress());
      ApiTestClient last = new ApiTestClient(cluster.node(2).apiAddress());
      LocalCluster.await(() -> routesOf(first).contains("n2"), CONVERGE,
          () -> "n0 has a route to n2; routes: " + routesOf(first));

      try (var stream = last.subscribe("/v1/subscribe?topic=greetings")) {
        assertThat(stream.nextEvent("subscribed").get("node_id").asText()).isEqualTo("n2");

        HttpResponse<String> sent = first.post("/v1/messages",
            "{\"destination\":\"n2\",\"topic\":\"greetings\",\"payload\":\"hello over two hops\","
                + "\"wait\":true,\"wait_timeout_ms\":10000}");

        assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);
        JsonNode outcome = json(sent);
        assertThat(outcome.get("status").asText()).isEqualTo("delivered");
        assertThat(outcome.get("attempts").asInt()).isGreaterThanOrEqualTo(1);
        JsonNode received = stream.nextEvent("message");
        assertThat(received.get("message_id").asText())
            .isEqualTo(outcome.get("message_id").asText());
        assertThat(received.get("source").asText()).isEqualTo("n0");
        assertThat(received.get("topic").asText()).isEqualTo("greetings");
        assertThat(received.get("payload").asText()).isEqualTo("hello over two hops");
        assertThat(received.get("broadcast").asBoolean()).isFalse();

        HttpResponse<String> broadcast = first.post("/v1/messages",
            "{\"destination\":\"*\",\"topic\":\"greetings\",\"payload\":\"to everyone\"}");

        assertThat(broadcast.statusCode()).as(broadcast.body()).isEqualTo(202);
        JsonNode flooded = stream.nextEvent("message");
        assertThat(flooded.get("broadcast").asBoolean()).isTrue();
        assertThat(flooded.get("source").asText()).isEqualTo("n0");
        assertThat(flooded.get("payload").asText()).isEqualTo("to everyone");
      }

      HttpResponse<String> unknown = first.post("/v1/messages", "{\"destination\":\"n9\"}");
      assertThat(unknown.statusCode()).isEqualTo(404);
      assertThat(errorCode(unknown)).isEqualTo("unknown_node");

      JsonNode status = json(first.get("/v1/status"));
      assertThat(status.get("node_id").asText()).isEqualTo("n0");
      assertThat(status.get("ready").asBoolean()).isTrue();
      assertThat(status.get("links").asInt()).isEqualTo(1);
      JsonNode peers =
          json(new ApiTestClient(cluster.node(1).apiAddress()).get("/v1/peers")).get("peers");
      assertThat(peers).extracting(p -> p.get("node_id").asText()).containsExactly("n0", "n2");
    }
  }

  private static java.util.List<String> routesOf(ApiTestClient api) {
    try {
      JsonNode routes = json(api.get("/v1/routes")).get("routes");
      return StreamSupport.stream(routes.spliterator(), false)
          .map(r -> r.get("destination").asText()).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
