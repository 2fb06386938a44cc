package dev.x0tta6bl4.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
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
                    NodeConfig.Tls.defaults()))
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
}
