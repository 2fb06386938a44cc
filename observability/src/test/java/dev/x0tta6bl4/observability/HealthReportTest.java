package dev.x0tta6bl4.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HealthReportTest {
  @Test
  void status_allUp_isReady() {
    HealthReport report = new HealthReport(Map.of("a", ComponentHealth.up(), "b",
        ComponentHealth.up("fine")));

    assertThat(report.isReady()).isTrue();
    assertThat(report.status()).isEqualTo(HealthStatus.UP);
  }

  @Test
  void status_oneDown_isNotReady() {
    HealthReport report = new HealthReport(Map.of("a", ComponentHealth.up(), "b",
        ComponentHealth.down("lost quorum")));

    assertThat(report.isReady()).isFalse();
    assertThat(report.status()).isEqualTo(HealthStatus.DOWN);
  }

  @Test
  void status_noComponents_isReady() {
    assertThat(new HealthReport(Map.of()).status()).isEqualTo(HealthStatus.UP);
  }

  @Test
  void construct_sourceMapChangedLater_keepsSnapshot() {
    Map<String, ComponentHealth> source = new LinkedHashMap<>();
    source.put("a", ComponentHealth.up());
    HealthReport report = new HealthReport(source);

    source.put("b", ComponentHealth.down("x"));

    assertThat(report.components()).containsOnlyKeys("a");
  }

  @Test
  void construct_blankComponentName_throws() {
    assertThatThrownBy(() -> HealthReport.of(" ", ComponentHealth.up()))
        .isInstanceOf(ObservabilityException.class)
        .hasMessageContaining("component name ' '");
  }
}
