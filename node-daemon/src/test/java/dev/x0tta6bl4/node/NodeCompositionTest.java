package dev.x0tta6bl4.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.x0tta6bl4.node.config.ConfigException;
import dev.x0tta6bl4.node.config.HostPort;
import dev.x0tta6bl4.node.config.NodeConfig;
import dev.x0tta6bl4.node.config.VoterAddress;
import dev.x0tta6bl4.node.wiring.Component;
import dev.x0tta6bl4.node.wiring.Container;
import dev.x0tta6bl4.node.wiring.WiringException;
import dev.x0tta6bl4.pqc.CryptoProviders;
import dev.x0tta6bl4.pqc.CryptoStackException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeCompositionTest {
  @TempDir Path state;

  private NodeConfig config() {
    NodeConfig defaults = NodeConfig.defaults();
    NodeConfig.Mesh m = defaults.mesh();
    NodeConfig.Consensus r = defaults.consensus();
    return defaults
        // The embedded single-voter default, on a free port so parallel builds never clash.
        .withConsensus(new NodeConfig.Consensus(true, new HostPort("127.0.0.1", freePort()),
            r.voters(), r.join(), r.electionTimeoutMin(), r.electionTimeoutMax(),
            r.fastFailover(), r.requestTimeout(), r.snapshotThreshold(), r.snapshotInterval(),
            r.snapshotRetention(), r.logSegmentSize(), r.maxValueSize(), r.minFreeSpace(),
            r.storageDir()))
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
          .contains("\"ConsensusComponent\":{\"status\":\"UP\"}")
          .contains("\"node\":{\"status\":\"UP\"}");
      assertThat(state.resolve("identity/node-key.pem")).isRegularFile();
      assertThat(state.resolve("raft")).as("Raft storage under the state directory")
          .isDirectory();
      var store = node.get(ConsensusComponent.class).store();
      assertThat(store.put("k", new byte[] {1}).get(10, TimeUnit.SECONDS)).isPositive();
      assertThat(node.get(PrometheusMeterRegistry.class).scrape())
          .contains("meshd_raft_leader 1.0").contains("meshd_raft_kv_keys 1.0");
    }
  }

  @Test
  void start_nodeNotAmongConfiguredVoters_failsWithConfigurationError() {
    NodeConfig c = config();
    NodeConfig.Consensus r = c.consensus();
    NodeConfig wrong = c.withConsensus(new NodeConfig.Consensus(true, r.bind(),
        java.util.List.of(VoterAddress.parse("n2@127.0.0.1:1")), false,
        r.electionTimeoutMin(), r.electionTimeoutMax(), r.fastFailover(),
        r.requestTimeout(),
        r.snapshotThreshold(), r.snapshotInterval(), r.snapshotRetention(),
        r.logSegmentSize(), r.maxValueSize(), r.minFreeSpace(), null));
    Container node = NodeComposition.bindings(wrong, new LocalNode("n1", state)).build();

    assertThatThrownBy(node::start)
        .isInstanceOf(WiringException.class)
        .hasRootCauseInstanceOf(ConfigException.class)
        .rootCause().hasMessageStartingWith("consensus.voters: this node 'n1' is not among");
  }

  @Test
  void start_consensusDisabled_bindsNoRaftComponent() throws Exception {
    NodeConfig c = config();
    NodeConfig.Consensus r = c.consensus();
    NodeConfig off = c.withConsensus(new NodeConfig.Consensus(false, r.bind(), r.voters(),
        false, r.electionTimeoutMin(), r.electionTimeoutMax(), r.fastFailover(),
        r.requestTimeout(),
        r.snapshotThreshold(), r.snapshotInterval(), r.snapshotRetention(),
        r.logSegmentSize(), r.maxValueSize(), r.minFreeSpace(), null));
    try (Container node = NodeComposition.bindings(off, new LocalNode("n1", state)).build()) {
      node.start();

      assertThat(node.startedComponents()).extracting(Component::componentName)
          .doesNotContain("ConsensusComponent");
      assertThat(state.resolve("raft")).doesNotExist();
    }
  }

  private static int freePort() {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
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
