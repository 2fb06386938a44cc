package dev.x0tta6bl4.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.x0tta6bl4.node.config.HostPort;
import dev.x0tta6bl4.node.config.NodeConfig;
import dev.x0tta6bl4.node.wiring.Container;
import dev.x0tta6bl4.node.wiring.WiringException;
import dev.x0tta6bl4.pqc.CryptoProviders;
import dev.x0tta6bl4.pqc.CryptoStackException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeCompositionTest {
  @TempDir Path state;

  private NodeConfig config() {
    NodeConfig defaults = NodeConfig.defaults();
    NodeConfig.Mesh m = defaults.mesh();
    return defaults
        .withMetrics(
            new NodeConfig.Metrics(new HostPort("127.0.0.1", 0), defaults.metrics().maxHeaderSize()))
        .withApi(new NodeConfig.Api(new HostPort("127.0.0.1", 0), defaults.api().maxBodySize(),
            defaults.api().maxHeaderSize(), defaults.api().maxWait(),
            defaults.api().maxSubscribers(), defaults.api().subscriberBuffer()))
        .withMesh(new NodeConfig.Mesh(new HostPort("127.0.0.1", 0), null, m.seeds(),
            m.minNeighbours(), m.maxNeighbours(), m.maxFrameSize(), m.outboundBuffer(),
            m.heartbeatInterval(), m.reconnectBackoffMin(), m.reconnectBackoffMax(),
            m.helloTimeout(), m.peerMetricsLimit()));
  }

  @Test
  void start_defaults_readyWithEveryComponentListed() throws Exception {
    try (Container node =
        NodeComposition.bindings(config(), new LocalNode("n1", state)).build()) {
      node.start();
      var address = node.get(MetricsEndpoint.class).address();

      HttpResponse<String> ready =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + address.getPort() + "/health/ready"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());

      assertThat(ready.statusCode()).isEqualTo(200);
      assertThat(ready.body())
          .contains("\"NodeIdentityService\":{\"status\":\"UP\"}")
          .contains("\"MetricsEndpoint\":{\"status\":\"UP\"}")
          .contains("\"MeshLinks\":{\"status\":\"UP\"}")
          .contains("\"LocalApiServer\":{\"status\":\"UP\"}")
          .contains("\"node\":{\"status\":\"UP\"}");
      assertThat(state.resolve("identity/node-key.pem")).isRegularFile();
    }
  }

  @Test
  void start_cryptoSelfTestFails_stopsBeforeAnyPortNamingTheAlgorithm() {
    AtomicBoolean metricsBuilt = new AtomicBoolean();
    Container node =
        NodeComposition.bindings(config(), new LocalNode("n1", state))
            .override(
                CryptoProviders.class,
                c -> {
                  throw new CryptoStackException(
                      "cryptographic self-test failed: ML-KEM-768: shared secret differs");
                })
            .override(
                MetricsEndpoint.class,
                c -> {
                  metricsBuilt.set(true);
                  throw new AssertionError("metrics endpoint must not be built");
                })
            .build();

    assertThatThrownBy(node::start)
        .isInstanceOf(WiringException.class)
        .hasMessageContaining("ML-KEM-768");
    assertThat(metricsBuilt).isFalse();
  }
}
