package dev.x0tta6bl4.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.http.HttpMethod;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class HttpServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static MultiThreadIoEventLoopGroup group;

  private final PrometheusMeterRegistry registry = MeshdMetrics.create("test");
  private HttpServer server;

  @BeforeAll
  static void startGroup() {
    group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  }

  @AfterAll
  static void stopGroup() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  @AfterEach
  void closeServer() {
    if (server != null) {
      server.close();
    }
    registry.close();
  }

  private HttpServer.Builder builder() {
    return HttpServer.builder(group, registry).name("api").bindAddress("127.0.0.1", 0)
        .route(HttpMethod.GET, "/hello",
            HttpHandler.inline(r -> HttpResponse.text(200, "text/plain; charset=utf-8",
                "hello " + r.queryParameter("name").orElse("nobody"))))
        .route(HttpMethod.POST, "/echo",
            HttpHandler.inline(r -> HttpResponse.text(200, "text/plain", r.bodyAsString())));
  }

  @Test
  void start_port0_bindsEphemeralLoopbackPortAndServes() throws Exception {
    server = builder().build();
    assertThat(server.state()).isEqualTo(HttpServer.State.NEW);

    server.start();
    InetSocketAddress bound = server.boundAddress();
    var response = TestHttp.get(bound, "/hello?name=mesh");

    assertThat(server.state()).isEqualTo(HttpServer.State.RUNNING);
    assertThat(bound.getAddress().isLoopbackAddress()).isTrue();
    assertThat(bound.getPort()).isPositive();
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("hello mesh");
    assertThat(response.headers().firstValue("content-type")).hasValue("text/plain; charset=utf-8");
  }

  @Test
  void request_unknownPath_returns404Json() throws Exception {
    server = builder().build().start();

    var response = TestHttp.get(server.boundAddress(), "/nope");

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(response.headers().firstValue("content-type")).hasValue(HttpResponse.JSON);
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.get("error").get("code").asText()).isEqualTo("not_found");
    assertThat(body.get("error").get("message").asText()).contains("/nope");
  }

  @Test
  void request_wrongMethod_returns405WithAllow() throws Exception {
    server = builder().build().start();

    var response = TestHttp.send(server.boundAddress(), "DELETE", "/hello");

    assertThat(response.statusCode()).isEqualTo(405);
    assertThat(response.headers().firstValue("allow")).hasValue("GET, HEAD");
    assertThat(JSON.readTree(response.body()).get("error").get("code").asText())
        .isEqualTo("method_not_allowed");
  }

  @Test
  void request_head_answersGetHeadersWithoutBody() throws Exception {
    server = builder().build().start();

    String raw = TestHttp.exchangeRaw(server.boundAddress(),
        "HEAD /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

    assertThat(raw).startsWith("HTTP/1.1 200 OK\r\n")
        .contains("content-length: 12\r\n")
        .endsWith("\r\n\r\n");
  }

  @Test
  void request_oversizedHeader_returns431AndClosesConnection() throws Exception {
    server = builder().maxHeaderBytes(1024).build().start();

    var response = TestHttp.get(server.boundAddress(), "/hello", "X-Big", "a".repeat(2000));

    assertThat(response.statusCode()).isEqualTo(431);
    assertThat(JSON.readTree(response.body()).get("error").get("code").asText())
        .isEqualTo("header_too_large");
    assertThat(response.headers().firstValue("connection")).hasValue("close");
  }

  @Test
  void request_oversizedRequestLine_returns414() throws Exception {
    server = builder().maxHeaderBytes(1024).build().start();

    var response = TestHttp.get(server.boundAddress(), "/hello?name=" + "a".repeat(2000));

    assertThat(response.statusCode()).isEqualTo(414);
  }

  @Test
  void request_oversizedBody_returns413() throws Exception {
    server = builder().maxBodyBytes(16).build().start();
    String body = "b".repeat(100);

    String raw = TestHttp.exchangeRaw(server.boundAddress(),
        "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n" + body);

    assertThat(raw).startsWith("HTTP/1.1 413 ").contains("\"body_too_large\"");
  }

  @Test
  void request_bodyWithinLimit_reachesHandler() throws Exception {
    server = builder().maxBodyBytes(16).build().start();

    String raw = TestHttp.exchangeRaw(server.boundAddress(),
        "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nabcde");

    assertThat(raw).startsWith("HTTP/1.1 200 OK").endsWith("\r\n\r\nabcde");
  }

  @Test
  void request_pipelinedBehindSlowHandler_answeredInRequestOrder() throws Exception {
    CompletableFuture<HttpResponse> slow = new CompletableFuture<>();
    CountDownLatch slowCalled = new CountDownLatch(1);
    server = builder()
        .route(HttpMethod.GET, "/slow", r -> {
          slowCalled.countDown();
          return slow;
        })
        .build().start();
    CompletableFuture<String> raw = CompletableFuture.supplyAsync(() -> {
      try {
        return TestHttp.exchangeRaw(server.boundAddress(),
            "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });

    assertThat(slowCalled.await(10, TimeUnit.SECONDS)).isTrue();
    // Completed from a thread that is not the event loop, as a real async handler would.
    slow.complete(HttpResponse.text(200, "text/plain", "slow done"));
    String both = raw.get(10, TimeUnit.SECONDS);

    assertThat(both.indexOf("slow done")).isPositive().isLessThan(both.indexOf("hello nobody"));
  }

  @Test
  void request_handlerThrows_returns500Json() throws Exception {
    server = builder()
        .route(HttpMethod.GET, "/boom", r -> {
          throw new IllegalStateException("kaputt");
        })
        .build().start();

    var response = TestHttp.get(server.boundAddress(), "/boom");

    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(JSON.readTree(response.body()).get("error").get("code").asText()).isEqualTo("internal_error");
    assertThat(response.body()).doesNotContain("kaputt");
  }

  @Test
  void request_answered_countedByRouteAndStatusClass() throws Exception {
    server = builder().build().start();

    TestHttp.get(server.boundAddress(), "/hello");
    TestHttp.get(server.boundAddress(), "/hello");
    TestHttp.get(server.boundAddress(), "/missing");

    assertThat(TestHttp.await(() -> count("/hello", "2xx") == 2 && count("unmatched", "4xx") == 1))
        .isTrue();
    assertThat(registry.find("meshd.http.request.duration")
            .tags("server", "api", "route", "/hello", "status", "2xx").timer().count())
        .isEqualTo(2);
    assertThat(registry.scrape(ObservabilityEndpoints.PROMETHEUS_TEXT))
        .contains("meshd_http_requests_total{route=\"/hello\",server=\"api\",status=\"2xx\"} 2");
  }

  @Test
  void request_templateRoute_matchesRestOfPathAndCountsUnderTemplate() throws Exception {
    HttpHandler echoPath = HttpHandler.inline(r -> HttpResponse.text(200, "text/plain", r.path()));
    server = builder()
        .route(HttpMethod.GET, "/v1/kv/{key}", echoPath)
        .route(HttpMethod.GET, "/v1/kv/special", HttpHandler.inline(
            r -> HttpResponse.text(200, "text/plain", "exact")))
        .route(HttpMethod.GET, "/v1/kv/deep/{key}", HttpHandler.inline(
            r -> HttpResponse.text(200, "text/plain", "deep " + r.path())))
        .build().start();

    assertThat(TestHttp.get(server.boundAddress(), "/v1/kv/a/b%2Fc").body())
        .isEqualTo("/v1/kv/a/b/c");
    assertThat(TestHttp.get(server.boundAddress(), "/v1/kv/").body()).isEqualTo("/v1/kv/");
    assertThat(TestHttp.get(server.boundAddress(), "/v1/kv/special").body()).isEqualTo("exact");
    assertThat(TestHttp.get(server.boundAddress(), "/v1/kv/deep/x").body())
        .isEqualTo("deep /v1/kv/deep/x");
    assertThat(TestHttp.get(server.boundAddress(), "/v1/kv").statusCode()).isEqualTo(404);
    var wrongMethod = TestHttp.send(server.boundAddress(), "DELETE", "/v1/kv/x");
    assertThat(wrongMethod.statusCode()).isEqualTo(405);
    assertThat(wrongMethod.headers().firstValue("allow")).hasValue("GET, HEAD");
    assertThat(TestHttp.await(() -> count("/v1/kv/{key}", "2xx") == 2
        && count("/v1/kv/{key}", "4xx") == 1)).isTrue();
  }

  @Test
  void builder_variableBeforeLastSegment_throws() {
    assertThatThrownBy(() -> builder().route(HttpMethod.GET, "/v1/{id}/x",
            HttpHandler.inline(r -> HttpResponse.json(200, "{}"))))
        .isInstanceOf(ObservabilityException.class)
        .hasMessageContaining("only the last segment may be a variable");
  }

  private double count(String route, String status) {
    Counter counter = registry.find("meshd.http.requests")
        .tags("server", "api", "route", route, "status", status).counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void start_portInUse_throwsNamingAddressAndCause() {
    server = builder().build().start();
    int port = server.boundAddress().getPort();
    HttpServer second = builder().bindAddress("127.0.0.1", port).build();

    assertThatThrownBy(second::start)
        .isInstanceOf(ObservabilityException.class)
        .hasMessageContaining("127.0.0.1:" + port)
        .hasMessageContaining("Address already in use");
    assertThat(second.state()).isEqualTo(HttpServer.State.CLOSED);
    second.close();
  }

  @Test
  void start_twice_throwsNamingState() {
    server = builder().build().start();

    assertThatThrownBy(server::start)
        .isInstanceOf(ObservabilityException.class)
        .hasMessageContaining("RUNNING");
  }

  @Test
  void close_twice_isIdempotentAndStopsServingButKeepsGroup() throws Exception {
    server = builder().build().start();
    InetSocketAddress bound = server.boundAddress();
    TestHttp.get(bound, "/hello");

    server.close();
    server.close();

    assertThat(server.state()).isEqualTo(HttpServer.State.CLOSED);
    assertThatThrownBy(() -> TestHttp.get(bound, "/hello")).isInstanceOf(java.io.IOException.class);
    assertThatThrownBy(server::boundAddress).isInstanceOf(ObservabilityException.class);
    assertThat(group.isShuttingDown()).isFalse();
  }

  @Test
  void close_newServer_becomesClosedWithoutBinding() {
    HttpServer unstarted = builder().build();

    unstarted.close();

    assertThat(unstarted.state()).isEqualTo(HttpServer.State.CLOSED);
    assertThatThrownBy(unstarted::start).isInstanceOf(ObservabilityException.class);
  }

  @Test
  void builder_duplicateOrRelativeRoute_throws() {
    assertThatThrownBy(() -> builder().route(HttpMethod.GET, "/hello",
            HttpHandler.inline(r -> HttpResponse.json(200, "{}"))))
        .isInstanceOf(ObservabilityException.class)
        .hasMessageContaining("already registered");
    assertThatThrownBy(() -> builder().route(HttpMethod.GET, "hello",
            HttpHandler.inline(r -> HttpResponse.json(200, "{}"))))
        .isInstanceOf(ObservabilityException.class)
        .hasMessageContaining("'hello'");
    assertThatThrownBy(() -> builder().bindAddress("127.0.0.1", 70000))
        .isInstanceOf(ObservabilityException.class)
        .hasMessageContaining("70000");
  }
}
