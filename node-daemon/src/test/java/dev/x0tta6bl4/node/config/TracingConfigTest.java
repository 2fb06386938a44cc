package dev.x0tta6bl4.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code tracing} section: defaults, file and environment values, and every check. */
class TracingConfigTest {
  private static final ConfigLoader NO_ENV = ConfigLoader.forEnvironment(Map.of());

  private static NodeConfig.Tracing tracing(boolean enabled, String endpoint, double ratio,
      Map<String, String> headers, Duration timeout, String name) {
    return new NodeConfig.Tracing(enabled, endpoint, ratio, headers, timeout, name);
  }

  private static String errorOf(ConfigLoader loader, String yaml) {
    try {
      loader.loadText(yaml, "meshd.yaml");
    } catch (ConfigException e) {
      return e.getMessage();
    }
    throw new AssertionError("expected a configuration error for:\n" + yaml);
  }

  @Test
  void defaults_offWithoutEndpoint() {
    NodeConfig.Tracing t = NodeConfig.defaults().tracing();

    assertThat(t.enabled()).isFalse();
    assertThat(t.endpoint()).isNull();
    assertThat(t.sampleRatio()).isEqualTo(1.0);
    assertThat(t.headers()).isEmpty();
    assertThat(t.exportTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(t.serviceName()).isEqualTo("meshd");
  }

  @Test
  void load_fullSection_readsEveryKey() {
    NodeConfig config = NO_ENV.loadText("""
        tracing:
          enabled: true
          endpoint: https://otel.example.org:4318/v1/traces
          sample-ratio: 0.25
          headers: {authorization: "Bearer abc", x-scope-orgid: tenant-1}
          export-timeout: 3s
          service-name: meshd-edge
        """, "meshd.yaml");

    NodeConfig.Tracing t = config.tracing();
    assertThat(t.enabled()).isTrue();
    assertThat(t.endpoint()).isEqualTo("https://otel.example.org:4318/v1/traces");
    assertThat(t.sampleRatio()).isEqualTo(0.25);
    assertThat(t.headers())
        .containsExactly(Map.entry("authorization", "Bearer abc"), Map.entry("x-scope-orgid", "tenant-1"));
    assertThat(t.exportTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(t.serviceName()).isEqualTo("meshd-edge");
  }

  @Test
  void load_wholeNumberRatio_isANumber() {
    assertThat(NO_ENV.loadText("tracing:\n  sample-ratio: 1\n", "f").tracing().sampleRatio())
        .isEqualTo(1.0);
    assertThat(NO_ENV.loadText("tracing:\n  sample-ratio: 0\n", "f").tracing().sampleRatio())
        .isEqualTo(0.0);
  }

  @Test
  void environment_setsRatioHeadersAndEndpoint() {
    ConfigLoader env = ConfigLoader.forEnvironment(Map.of(
        "MESHD_TRACING_ENABLED", "true",
        "MESHD_TRACING_ENDPOINT", "http://127.0.0.1:4318/v1/traces",
        "MESHD_TRACING_SAMPLE_RATIO", "0.125",
        "MESHD_TRACING_HEADERS", "authorization=Bearer abc, x-api-key=k1"));

    NodeConfig.Tracing t = env.loadWithoutFile().tracing();

    assertThat(t.enabled()).isTrue();
    assertThat(t.endpoint()).isEqualTo("http://127.0.0.1:4318/v1/traces");
    assertThat(t.sampleRatio()).isEqualTo(0.125);
    assertThat(t.headers()).containsEntry("authorization", "Bearer abc").containsEntry("x-api-key", "k1");
  }

  @Test
  void environment_ratioNotANumber_namesVariableAndKey() {
    ConfigLoader env = ConfigLoader.forEnvironment(Map.of("MESHD_TRACING_SAMPLE_RATIO", "half"));

    assertThatThrownBy(env::loadWithoutFile)
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("environment MESHD_TRACING_SAMPLE_RATIO: tracing.sample-ratio: ");
  }

  @Test
  void load_enabledWithoutEndpoint_saysEndpointIsRequired() {
    assertThat(errorOf(NO_ENV, "tracing:\n  enabled: true\n"))
        .contains("tracing.endpoint: is null while tracing.enabled is true; allowed: ")
        .contains("http://127.0.0.1:4318/v1/traces");
  }

  @Test
  void load_ratioOutOfRange_namesKeyAndRange() {
    assertThat(errorOf(NO_ENV, "tracing:\n  sample-ratio: 1.5\n"))
        .contains("tracing.sample-ratio: 1.5 is out of range; allowed: 0.0..1.0");
  }

  @Test
  void load_quotedRatio_isWrongType() {
    assertThat(errorOf(NO_ENV, "tracing:\n  sample-ratio: \"0.5\"\n"))
        .contains("tracing.sample-ratio");
  }

  @Test
  void constructor_badEndpoints_nameTheProblem() {
    Duration t = Duration.ofSeconds(10);
    assertThatThrownBy(() -> tracing(false, "ftp://collector/v1/traces", 1, Map.of(), t, "meshd"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("tracing.endpoint: 'ftp://collector/v1/traces' has scheme 'ftp';"
            + " allowed: an http:// or https:// URL");
    assertThatThrownBy(() -> tracing(false, "http:///v1/traces", 1, Map.of(), t, "meshd"))
        .hasMessageContaining("has no host");
    assertThatThrownBy(() -> tracing(false, "http://u:p@collector/v1/traces", 1, Map.of(), t, "m"))
        .hasMessageContaining("put credentials into headers");
    assertThatThrownBy(() -> tracing(false, "http://collector:4318 /v1", 1, Map.of(), t, "m"))
        .hasMessageContaining("is not a URL");
  }

  @Test
  void constructor_notANumberRatio_isRejected() {
    assertThatThrownBy(() -> tracing(false, null, Double.NaN, Map.of(), Duration.ofSeconds(1), "m"))
        .hasMessage("tracing.sample-ratio: NaN is out of range; allowed: 0.0..1.0");
  }

  @Test
  void constructor_badHeaders_areRejected() {
    Duration t = Duration.ofSeconds(10);
    assertThatThrownBy(() -> tracing(false, null, 1, Map.of("bad name", "v"), t, "meshd"))
        .hasMessageStartingWith("tracing.headers: header name 'bad name' is not valid; allowed: ");
    assertThatThrownBy(() -> tracing(false, null, 1, Map.of("x-key", "a\r\nInjected: 1"), t, "m"))
        .hasMessageStartingWith("tracing.headers.x-key: ");
  }

  @Test
  void constructor_timeoutAndServiceName_areChecked() {
    assertThatThrownBy(() -> tracing(false, null, 1, Map.of(), Duration.ofMillis(500), "meshd"))
        .hasMessage("tracing.export-timeout: 500ms is out of range; allowed: 1s..1m");
    assertThatThrownBy(() -> tracing(false, null, 1, Map.of(), Duration.ofSeconds(1), " "))
        .hasMessageStartingWith("tracing.service-name: ' ' is not valid");
  }
}
