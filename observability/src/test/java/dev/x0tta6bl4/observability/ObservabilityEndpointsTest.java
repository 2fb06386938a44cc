package dev.x0tta6bl4.observability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ObservabilityEndpointsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static MultiThreadIoEventLoopGroup group;

  private final PrometheusMeterRegistry registry = MeshdMetrics.create("9.9.9");
  private final AtomicReference<HealthReport> readiness = new AtomicReference<>();
  private HttpServer server;

  @BeforeAll
  static void startGroup() {
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  }

  @AfterAll
  static void stopGroup() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  @BeforeEach
  void startServer() {
    Map<String, ComponentHealth> components = new LinkedHashMap<>();
    components.put("links", ComponentHealth.up("3 peers"));
    components.put("raft", ComponentHealth.down("no leader"));
    readiness.set(new HealthReport(components));
    MeshdMetrics.bindEventLoopGroup(registry, group, "http");
    Counter.builder("meshd.test.events").register(registry).increment(7);
    server = ObservabilityEndpoints.install(
            HttpServer.builder(group, registry).name("metrics").bindAddress("127.0.0.1", 0),
            registry, readiness::get)
        .build()
        .start();
  }

  @AfterEach
  void closeServer() {
    server.close();
    registry.close();
  }

  @Test
  void metrics_noAccept_returnsPrometheusText() throws Exception {
    var response = TestHttp.get(server.boundAddress(), "/metrics");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type"))
        .hasValue("text/plain; version=0.0.4; charset=utf-8");
    assertThat(response.body())
        .contains("# TYPE jvm_memory_used_bytes gauge")
        .contains("meshd_build_info{version=\"9.9.9\"} 1")
        .contains("process_uptime_seconds")
        .contains("process_cpu_usage")
        .contains("meshd_test_events_total 7")
        .contains("netty_eventexecutor_tasks_pending{group=\"http\"")
        .doesNotContain("# EOF");
  }

  @Test
  void metrics_acceptOpenMetrics_returnsOpenMetricsEndingWithEof() throws Exception {
    var response = TestHttp.get(server.boundAddress(), "/metrics", "Accept",
        "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type"))
        .hasValue("application/openmetrics-text; version=1.0.0; charset=utf-8");
    assertThat(response.body())
        .contains("jvm_memory_used_bytes{")
        .contains("meshd_build_info{version=\"9.9.9\"} 1")
        .contains("process_uptime_seconds")
        .contains("meshd_test_events_total 7")
        .endsWith("# EOF\n");
  }

  @Test
  void metrics_head_returnsHeadersOnly() throws Exception {
    var response = TestHttp.send(server.boundAddress(), "HEAD", "/metrics");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEmpty();
    assertThat(response.headers().firstValueAsLong("content-length").orElse(0)).isPositive();
  }

  @Test
  void live_running_returnsUp() throws Exception {
    var response = TestHttp.get(server.boundAddress(), "/health/live");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(response.body()).get("status").asText()).isEqualTo("UP");
  }

  @Test
  void ready_componentDown_returns503ThenUpAfterFlip() throws Exception {
    var down = TestHttp.get(server.boundAddress(), "/health/ready");

    assertThat(down.statusCode()).isEqualTo(503);
    JsonNode downBody = JSON.readTree(down.body());
    assertThat(downBody.get("status").asText()).isEqualTo("DOWN");
    assertThat(downBody.at("/components/raft/status").asText()).isEqualTo("DOWN");
    assertThat(downBody.at("/components/raft/detail").asText()).isEqualTo("no leader");
    assertThat(downBody.at("/components/links/status").asText()).isEqualTo("UP");

    readiness.set(new HealthReport(Map.of(
        "links", ComponentHealth.up(), "raft", ComponentHealth.up("leader n1"))));
    var up = TestHttp.get(server.boundAddress(), "/health/ready");

    assertThat(up.statusCode()).isEqualTo(200);
    JsonNode upBody = JSON.readTree(up.body());
    assertThat(upBody.get("status").asText()).isEqualTo("UP");
    assertThat(upBody.at("/components/raft/status").asText()).isEqualTo("UP");
    assertThat(upBody.at("/components/links").has("detail")).isFalse();
  }

  @Test
  void ready_supplierThrows_returns503WithReadinessDown() throws Exception {
    server.close();
    server = ObservabilityEndpoints.install(
            HttpServer.builder(group, registry).name("metrics"), registry,
            () -> {
              throw new IllegalStateException("not wired");
            })
        .build()
        .start();

    var response = TestHttp.get(server.boundAddress(), "/health/ready");

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(JSON.readTree(response.body()).at("/components/readiness/status").asText())
        .isEqualTo("DOWN");
  }

  @Test
  void metrics_post_returns405WithAllow() throws Exception {
    var response = TestHttp.send(server.boundAddress(), "POST", "/metrics");

    assertThat(response.statusCode()).isEqualTo(405);
    assertThat(response.headers().firstValue("allow")).hasValue("GET, HEAD");
  }
}
