package dev.x0tta6bl4.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeConfigTest {
  @Test
  void defaults_singleLoopbackNode() {
    NodeConfig config = NodeConfig.defaults();

    assertThat(config.node().configuredId()).isEmpty();
    assertThat(config.node().configuredStateDir()).isEmpty();
    assertThat(config.metrics().bind().host()).isEqualTo("127.0.0.1");
  }

  @Test
  void constructor_nullSection_namesKey() {
    assertThatThrownBy(
            () ->
                new NodeConfig(
                    null,
                    NodeConfig.Metrics.defaults(),
                    NodeConfig.Logging.defaults(),
                    NodeConfig.Identity.defaults(),
                    NodeConfig.Mesh.defaults(),
                    NodeConfig.Tls.defaults(),
                    NodeConfig.Api.defaults(),
                    NodeConfig.Tracing.defaults(),
                    NodeConfig.Consensus.defaults(),
                    NodeConfig.Mapek.defaults()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("node: is null; allowed:");
  }

  @Test
  void node_shutdownTimeoutBelowRange_namesKeyAndRange() {
    assertThatThrownBy(() -> new NodeConfig.Node(null, null, Duration.ofMillis(999)))
        .isInstanceOf(ConfigException.class)
        .hasMessage("node.shutdown-timeout: 999ms is out of range; allowed: 1s..5m")
        .extracting(e -> ((ConfigException) e).key())
        .isEqualTo(java.util.Optional.of("node.shutdown-timeout"));
  }

  @Test
  void node_emptyStateDir_isRejected() {
    assertThatThrownBy(() -> new NodeConfig.Node(null, Path.of(""), Duration.ofSeconds(1)))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("node.state-dir: empty path");
  }

  @Test
  void metrics_headerSizeAboveRange_isRejected() {
    assertThatThrownBy(
            () -> new NodeConfig.Metrics(new HostPort("::1", 1), DataSize.ofMebibytes(2)))
        .hasMessage("metrics.max-header-size: 2MiB is out of range; allowed: 1KiB..1MiB");
  }

  @Test
  void logging_levels_areSortedAndUnmodifiable() {
    Map<String, LogLevel> levels = new LinkedHashMap<>();
    levels.put("z", LogLevel.WARN);
    levels.put("a", LogLevel.DEBUG);

    NodeConfig.Logging logging = new NodeConfig.Logging(LogFormat.TEXT, LogLevel.INFO, levels);
    levels.clear();

    assertThat(logging.levels()).containsExactly(
        Map.entry("a", LogLevel.DEBUG), Map.entry("z", LogLevel.WARN));
    assertThatThrownBy(() -> logging.levels().put("b", LogLevel.OFF))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void logging_loggerNameWithSpace_isRejected() {
    assertThatThrownBy(
            () ->
                new NodeConfig.Logging(LogFormat.JSON, LogLevel.INFO, Map.of("a b", LogLevel.OFF)))
        .hasMessageStartingWith("logging.levels: logger name 'a b' is not valid");
  }

  @Test
  void withSection_replacesOnlyThatSection() {
    NodeConfig.Metrics metrics =
        new NodeConfig.Metrics(new HostPort("0.0.0.0", 1), DataSize.ofKibibytes(2));

    NodeConfig changed = NodeConfig.defaults().withMetrics(metrics);

    assertThat(changed.metrics()).isEqualTo(metrics);
    assertThat(changed.node()).isEqualTo(NodeConfig.Node.defaults());
    assertThat(changed.logging()).isEqualTo(NodeConfig.Logging.defaults());
  }

  @Test
  void constructor_nullMeshOrTls_namesSection() {
    NodeConfig d = NodeConfig.defaults();

    assertThatThrownBy(() -> d.withMesh(null)).hasMessageStartingWith("mesh: is null; allowed:");
    assertThatThrownBy(() -> d.withTls(null)).hasMessageStartingWith("tls: is null; allowed:");
  }

  @Test
  void mesh_defaults_loopbackNoSeedsAdvertiseBind() {
    NodeConfig.Mesh mesh = NodeConfig.Mesh.defaults();

    assertThat(mesh.bind()).isEqualTo(new HostPort("127.0.0.1", 7600));
    assertThat(mesh.seeds()).isEmpty();
    assertThat(mesh.advertisedAddress()).isEqualTo(mesh.bind());
    assertThat(mesh.minNeighbours()).isLessThanOrEqualTo(mesh.maxNeighbours());
    assertThat(mesh.reconnectBackoffMin()).isLessThanOrEqualTo(mesh.reconnectBackoffMax());
  }

  @Test
  void mesh_seeds_areCopiedAndUnmodifiable() {
    List<HostPort> seeds = new ArrayList<>(List.of(new HostPort("::1", 7601)));

    NodeConfig.Mesh mesh = mesh(seeds, 3, 16, Duration.ofMillis(100), Duration.ofSeconds(10));
    seeds.clear();

    assertThat(mesh.seeds()).containsExactly(new HostPort("::1", 7601));
    assertThatThrownBy(() -> mesh.seeds().add(new HostPort("::1", 1)))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void mesh_nullSeedEntry_namesIndex() {
    List<HostPort> seeds = new ArrayList<>();
    seeds.add(new HostPort("::1", 7601));
    seeds.add(null);

    assertThatThrownBy(
            () -> mesh(seeds, 3, 16, Duration.ofMillis(100), Duration.ofSeconds(10)))
        .isInstanceOf(ConfigException.class)
        .hasMessage("mesh.seeds.[1]: is null; allowed: " + HostPort.ALLOWED);
  }

  @Test
  void mesh_maxNeighboursBelowMin_namesBothKeys() {
    assertThatThrownBy(
            () -> mesh(List.of(), 10, 9, Duration.ofMillis(100), Duration.ofSeconds(10)))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "mesh.max-neighbours: 9 is below mesh.min-neighbours 10; allowed: at least"
                + " mesh.min-neighbours");
  }

  @Test
  void mesh_equalNeighbourBoundsAndBackoff_areAccepted() {
    NodeConfig.Mesh mesh = mesh(List.of(), 7, 7, Duration.ofSeconds(1), Duration.ofSeconds(1));

    assertThat(mesh.maxNeighbours()).isEqualTo(7);
    assertThat(mesh.reconnectBackoffMax()).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void mesh_backoffMaxBelowMin_namesBothValues() {
    assertThatThrownBy(() -> mesh(List.of(), 3, 16, Duration.ofSeconds(5), Duration.ofSeconds(1)))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "mesh.reconnect-backoff-max: 1s is below mesh.reconnect-backoff-min 5s; allowed: at"
                + " least mesh.reconnect-backoff-min");
  }

  @Test
  void mesh_maxNeighboursZero_isOutOfRange() {
    assertThatThrownBy(() -> mesh(List.of(), 0, 0, Duration.ofMillis(100), Duration.ofSeconds(10)))
        .hasMessage("mesh.max-neighbours: 0 is out of range; allowed: 1..1024");
  }

  @Test
  void mesh_advertise_overridesBindInAdvertisedAddress() {
    NodeConfig.Mesh d = NodeConfig.Mesh.defaults();
    HostPort advertise = new HostPort("node-1.mesh.example", 7600);

    NodeConfig.Mesh mesh =
        new NodeConfig.Mesh(
            new HostPort("0.0.0.0", 7600),
            advertise,
            d.seeds(),
            d.minNeighbours(),
            d.maxNeighbours(),
            d.maxFrameSize(),
            d.outboundBuffer(),
            d.heartbeatInterval(),
            d.reconnectBackoffMin(),
            d.reconnectBackoffMax(),
            d.helloTimeout(),
            d.peerMetricsLimit());

    assertThat(mesh.advertisedAddress()).isEqualTo(advertise);
  }

  @Test
  void tls_defaults_hybridWithoutClassical() {
    assertThat(NodeConfig.Tls.defaults())
        .isEqualTo(new NodeConfig.Tls(NodeConfig.KeyExchange.HYBRID, false, false));
  }

  @Test
  void tls_nullKeyExchange_listsAllowedValues() {
    assertThatThrownBy(() -> new NodeConfig.Tls(null, false, false))
        .isInstanceOf(ConfigException.class)
        .hasMessage("tls.key-exchange: is null; allowed: hybrid | mlkem768");
  }

  @Test
  void withMeshAndTls_replaceOnlyThatSection() {
    NodeConfig.Tls tls = new NodeConfig.Tls(NodeConfig.KeyExchange.MLKEM768, true, true);
    NodeConfig.Mesh mesh =
        mesh(List.of(new HostPort("::1", 1)), 1, 2, Duration.ofMillis(10), Duration.ofMillis(100));

    NodeConfig changed = NodeConfig.defaults().withTls(tls).withMesh(mesh);

    assertThat(changed.tls()).isEqualTo(tls);
    assertThat(changed.mesh()).isEqualTo(mesh);
    assertThat(changed.withMesh(NodeConfig.Mesh.defaults()).withTls(NodeConfig.Tls.defaults()))
        .isEqualTo(NodeConfig.defaults());
  }

  /** A default mesh section with the given seeds, neighbour bounds and backoff bounds. */
  private static NodeConfig.Mesh mesh(
      List<HostPort> seeds, int minN, int maxN, Duration backoffMin, Duration backoffMax) {
    NodeConfig.Mesh d = NodeConfig.Mesh.defaults();
    return new NodeConfig.Mesh(
        d.bind(),
        d.advertise(),
        seeds,
        minN,
        maxN,
        d.maxFrameSize(),
        d.outboundBuffer(),
        d.heartbeatInterval(),
        backoffMin,
        backoffMax,
        d.helloTimeout(),
        d.peerMetricsLimit());
  }
}
