package dev.x0tta6bl4.node.api;

import static dev.x0tta6bl4.node.api.ApiTestClient.await;
import static dev.x0tta6bl4.node.api.ApiTestClient.errorCode;
import static dev.x0tta6bl4.node.api.ApiTestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.x0tta6bl4.node.config.DataSize;
import dev.x0tta6bl4.node.config.HostPort;
import dev.x0tta6bl4.node.config.NodeConfig;
import dev.x0tta6bl4.node.mesh.MeshRejectedException;
import dev.x0tta6bl4.node.mesh.MeshService;
import dev.x0tta6bl4.observability.MeshdMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LocalApiServerTest {
  private static MultiThreadIoEventLoopGroup group;

  private final PrometheusMeterRegistry registry = MeshdMetrics.create("test");
  private final FakeMeshService mesh = new FakeMeshService();
  private final AtomicBoolean nodeReady = new AtomicBoolean(true);
  /** The admission controller's clock: stands still unless a test moves it. */
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private final SendAdmission admission =
      new SendAdmission(SendAdmission.UNLIMITED, 0.1, nanos::get, registry);
  private LocalApiServer server;
  private ApiTestClient api;

  @BeforeAll
  static void startGroup() {
    group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  }

  @AfterAll
  static void stopGroup() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    registry.close();
  }

  private void start(int maxSubscribers, DataSize maxBody) {
    NodeConfig.Api config = new NodeConfig.Api(new HostPort("127.0.0.1", 0), maxBody,
        DataSize.ofKibibytes(8), Duration.ofSeconds(2), maxSubscribers, 64);
    server = new LocalApiServer(config, mesh, ConsensusAccess.disabled(), group, registry,
        nodeReady::get,
        Duration.ofSeconds(5), Duration.ofMillis(200), admission);
    server.start();
    api = new ApiTestClient(server.address());
  }

  private void start() {
    start(8, DataSize.ofKibibytes(256));
  }

  private double counter(String name, String... tags) {
    var c = registry.find(name).tags(tags).counter();
    return c == null ? 0 : c.count();
  }

  /**
   * The counter once it reaches {@code expected}, or its value at the deadline: meters are
   * updated on the event loop around the response write, so a client may see the answer first.
   */
  private double counterReaching(double expected, String name, String... tags) {
    await(() -> counter(name, tags) >= expected);
    return counter(name, tags);
  }

  // ---- status, peers, routes ----

  @Test
  void status_running_returnsNodeStateAsJson() throws Exception {
    start();

    HttpResponse<String> response = api.get("/v1/status");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("cache-control")).hasValue("no-store");
    JsonNode status = json(response);
    assertThat(status.get("node_id").asText()).isEqualTo("n1");
    assertThat(status.get("spiffe_id").asText()).isEqualTo("spiffe://test/node/n1");
    assertThat(status.get("version").asText()).isEqualTo("1.2.3");
    assertThat(status.get("uptime_ms").asLong()).isEqualTo(61_500);
    assertThat(status.get("links").asInt()).isEqualTo(2);
    assertThat(status.get("routes").asInt()).isEqualTo(3);
    assertThat(status.get("in_flight").asLong()).isEqualTo(4);
    assertThat(status.get("ready").asBoolean()).isTrue();
  }

  @Test
  void status_nodeNotReady_answersWithReadyFalse() throws Exception {
    start();
    nodeReady.set(false);

    HttpResponse<String> response = api.get("/v1/status");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(json(response).get("ready").asBoolean()).isFalse();
  }

  @Test
  void peers_returnsPeersSortedWithDirectionRttAndNullForUnknownRtt() throws Exception {
    mesh.peers = List.of(
        new MeshService.PeerInfo("n3", "spiffe://test/node/n3", "127.0.0.1:7603", false, "alive",
            0.25, Optional.empty(), 0.0, Map.of()),
        new MeshService.PeerInfo("n2", "spiffe://test/node/n2", "127.0.0.1:7602", true, "alive",
            1.5, Optional.of(Duration.ofNanos(1_250_000)), -0.002,
            Map.of("bad_signature", 3L, "stale", 1L)));
    start();

    JsonNode peers = json(api.get("/v1/peers")).get("peers");

    assertThat(peers).hasSize(2);
    assertThat(peers.get(0).get("node_id").asText()).isEqualTo("n2");
    assertThat(peers.get(0).get("direction").asText()).isEqualTo("outbound");
    assertThat(peers.get(0).get("address").asText()).isEqualTo("127.0.0.1:7602");
    assertThat(peers.get(0).get("rtt_ms").asDouble()).isEqualTo(1.25);
    assertThat(peers.get(0).get("clock_offset_ms").asDouble()).isEqualTo(-2.0);
    assertThat(peers.get(0).get("adverts_rejected").get("bad_signature").asLong()).isEqualTo(3);
    assertThat(peers.get(0).get("adverts_rejected").get("stale").asLong()).isEqualTo(1);
    assertThat(peers.get(1).get("adverts_rejected").isEmpty()).isTrue();
    assertThat(peers.get(0).get("phi").asDouble()).isEqualTo(1.5);
    assertThat(peers.get(1).get("direction").asText()).isEqualTo("inbound");
    assertThat(peers.get(1).get("rtt_ms").isNull()).isTrue();
  }

  @Test
  void routes_returnsRoutesSortedByDestination() throws Exception {
    mesh.routes = List.of(new MeshService.RouteInfo("n9", "n2", 30, 3),
        new MeshService.RouteInfo("n2", "n2", 10, 1));
    start();

    JsonNode routes = json(api.get("/v1/routes")).get("routes");

    assertThat(routes).hasSize(2);
    assertThat(routes.get(0).toString())
        .isEqualTo("{\"destination\":\"n2\",\"next_hop\":\"n2\",\"cost\":10,\"hops\":1}");
    assertThat(routes.get(1).get("destination").asText()).isEqualTo("n9");
  }

  @ParameterizedTest
  @CsvSource({"GET,/v1/peers", "GET,/v1/routes", "GET,/v1/subscribe", "POST,/v1/messages"})
  void endpoint_nodeNotReady_returns503NotReadyWithRetryAfter(String method, String path)
      throws Exception {
    start();
    nodeReady.set(false);

    HttpResponse<String> response =
        method.equals("GET") ? api.get(path) : api.post(path, "{\"destination\":\"n2\"}");

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(errorCode(response)).isEqualTo("not_ready");
    assertThat(response.headers().firstValue("retry-after")).hasValue("1");
    assertThat(mesh.sent).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({"GET,/v1/status", "GET,/v1/peers", "POST,/v1/messages"})
  void endpoint_meshDoesNotAnswer_returns503UnavailableAfterTimeout(String method, String path)
      throws Exception {
    start();
    mesh.hang = true;

    HttpResponse<String> response =
        method.equals("GET") ? api.get(path) : api.post(path, "{\"destination\":\"n2\"}");

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(errorCode(response)).isEqualTo("unavailable");
    assertThat(json(response).get("error").get("message").asText())
        .contains("did not answer within 200 ms");
  }

  @Test
  void unknownPath_returns404NotFoundInErrorShape() throws Exception {
    start();

    HttpResponse<String> response = api.get("/v1/nope");

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(json(response).get("error").get("code").asText()).isEqualTo("not_found");
    assertThat(json(response).get("error").get("message").asText()).contains("/v1/nope");
  }

  // ---- POST /v1/messages ----

  @Test
  void messages_unicastWithoutWait_returns202AcceptedAndSendsUtf8Payload() throws Exception {
    start();

    HttpResponse<String> response = api.post("/v1/messages",
        "{\"destination\":\"n2\",\"topic\":\"chat\",\"payload\":\"grüß dich\"}");

    assertThat(response.statusCode()).isEqualTo(202);
    JsonNode body = json(response);
    assertThat(body.get("message_id").asText()).isEqualTo("n1-1-1");
    assertThat(body.get("destination").asText()).isEqualTo("n2");
    assertThat(body.get("broadcast").asBoolean()).isFalse();
    assertThat(body.get("status").asText()).isEqualTo("accepted");
    FakeMeshService.Sent sent = mesh.sent.get(0);
    assertThat(sent.destination()).isEqualTo("n2");
    assertThat(sent.topic()).isEqualTo("chat");
    assertThat(new String(sent.payload(), StandardCharsets.UTF_8)).isEqualTo("grüß dich");
    assertThat(counterReaching(1, "meshd.api.messages", "kind", "unicast", "result", "accepted"))
        .isEqualTo(1);
  }

  @Test
  void messages_base64Payload_sendsDecodedBytes() throws Exception {
    start();
    byte[] bytes = {0, (byte) 0xff, 0x10, (byte) 0xc3};

    HttpResponse<String> response = api.post("/v1/messages", "{\"destination\":\"n2\","
        + "\"payload\":\"" + Base64.getEncoder().encodeToString(bytes)
        + "\",\"encoding\":\"base64\"}");

    assertThat(response.statusCode()).isEqualTo(202);
    assertThat(mesh.sent.get(0).payload()).containsExactly(bytes);
    assertThat(mesh.sent.get(0).topic()).isEmpty();
  }

  @Test
  void messages_broadcast_returns202AndBroadcasts() throws Exception {
    start();

    HttpResponse<String> response =
        api.post("/v1/messages", "{\"destination\":\"*\",\"topic\":\"all\",\"payload\":\"hi\"}");

    assertThat(response.statusCode()).isEqualTo(202);
    assertThat(json(response).get("broadcast").asBoolean()).isTrue();
    assertThat(mesh.sent.get(0).destination()).isEqualTo("*");
    assertThat(counterReaching(1, "meshd.api.messages", "kind", "broadcast", "result", "accepted"))
        .isEqualTo(1);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"destination\": |malformed JSON at line 1",
      "[1,2] |not an object",
      "{\"destination\":\"n2\"} x |malformed JSON",
      "{\"destination\":\"n2\",\"destination\":\"n3\"} |Duplicate field 'destination'",
  })
  void messages_badJson_returns400BadJson(String body, String message) throws Exception {
    start();

    HttpResponse<String> response = api.post("/v1/messages", body.strip());

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(errorCode(response)).isEqualTo("bad_json");
    assertThat(json(response).get("error").get("message").asText()).contains(message);
    assertThat(mesh.sent).isEmpty();
  }

  @Test
  void messages_emptyBody_returns400BadJson() throws Exception {
    start();

    HttpResponse<String> response = api.post("/v1/messages", "");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(errorCode(response)).isEqualTo("bad_json");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"payload\":\"x\"} |'destination' is required",
      "{\"destination\":\"N 2\"} |destination 'N 2' is not a node id",
      "{\"destination\":7} |'destination' must be a string, got number",
      "{\"destination\":\"n2\",\"colour\":1} |unknown field 'colour'",
      "{\"destination\":\"n2\",\"payload\":\"%%%\",\"encoding\":\"base64\"} |not valid base64",
      "{\"destination\":\"n2\",\"encoding\":\"hex\"} |encoding 'hex' is not supported",
      "{\"destination\":\"n2\",\"wait\":\"yes\"} |'wait' must be true or false",
      "{\"destination\":\"n2\",\"wait_timeout_ms\":100} |needs \"wait\": true",
      "{\"destination\":\"n2\",\"wait\":true,\"wait_timeout_ms\":2001} |1..2000 (api.max-wait)",
      "{\"destination\":\"n2\",\"wait\":true,\"wait_timeout_ms\":1.5} |whole number",
      "{\"destination\":\"*\",\"wait\":true} |not supported for broadcasts",
      "{\"destination\":\"n2\",\"topic\":\"*\"} |reserved for subscribing",
  })
  void messages_invalidField_returns400InvalidArgumentNamingIt(String body, String message)
      throws Exception {
    start();

    HttpResponse<String> response = api.post("/v1/messages", body.strip());

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(errorCode(response)).isEqualTo("invalid_argument");
    assertThat(json(response).get("error").get("message").asText()).contains(message);
    assertThat(mesh.sent).isEmpty();
  }

  @Test
  void messages_wrongContentType_returns415() throws Exception {
    start();

    HttpResponse<String> response = api.post("/v1/messages", "{\"destination\":\"n2\"}",
        "content-type", "text/plain");

    assertThat(response.statusCode()).isEqualTo(415);
    assertThat(errorCode(response)).isEqualTo("unsupported_media_type");
  }

  @Test
  void messages_bodyOverLimit_returns413BodyTooLarge() throws Exception {
    start(8, DataSize.ofKibibytes(1));
    String body = "{\"destination\":\"n2\",\"payload\":\"" + "x".repeat(2048) + "\"}";

    HttpResponse<String> response = api.post("/v1/messages", body);

    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(errorCode(response)).isEqualTo("body_too_large");
    assertThat(json(response).get("error").get("message").asText()).contains("1024 bytes");
    assertThat(mesh.sent).isEmpty();
  }

  @Test
  void messages_unknownNode_returns404UnknownNode() throws Exception {
    start();
    mesh.refuseNext = new MeshRejectedException(MeshRejectedException.Reason.NO_ROUTE,
        "no route to n7", Optional.empty());

    HttpResponse<String> response = api.post("/v1/messages", "{\"destination\":\"n7\"}");

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(errorCode(response)).isEqualTo("unknown_node");
    assertThat(json(response).get("error").get("message").asText()).isEqualTo("no route to n7");
    assertThat(counterReaching(1, "meshd.api.messages", "kind", "unicast",
        "result", "unknown_node")).isEqualTo(1);
  }

  @Test
  void messages_queueFull_returns429WithRetryAfterRoundedUp() throws Exception {
    start();
    mesh.refuseNext = new MeshRejectedException(MeshRejectedException.Reason.QUEUE_FULL,
        "1024 messages are in flight", Optional.of(Duration.ofMillis(1500)));

    HttpResponse<String> response = api.post("/v1/messages", "{\"destination\":\"n2\"}");

    assertThat(response.statusCode()).isEqualTo(429);
    assertThat(response.headers().firstValue("retry-after")).hasValue("2");
    JsonNode error = json(response).get("error");
    assertThat(error.get("code").asText()).isEqualTo("queue_full");
    assertThat(error.get("message").asText()).isEqualTo("1024 messages are in flight");
    assertThat(error.get("retry_after_ms").asLong()).isEqualTo(1500);
    assertThat(counterReaching(1, "meshd.http.requests", "server", "api", "route", "/v1/messages",
        "status", "4xx")).isEqualTo(1);
  }

  @Test
  void messages_queueFullWithoutHint_retryAfterOneSecond() throws Exception {
    start();
    mesh.refuseNext = new MeshRejectedException(MeshRejectedException.Reason.QUEUE_FULL,
        "full", Optional.empty());

    HttpResponse<String> response = api.post("/v1/messages", "{\"destination\":\"*\"}");

    assertThat(response.statusCode()).isEqualTo(429);
    assertThat(response.headers().firstValue("retry-after")).hasValue("1");
  }

  @Test
  void messages_admissionLimitReached_returns429OverloadedWithRetryAfterAndCountsIt()
      throws Exception {
    start();
    admission.limit(2); // bucket of one token at 2/s: the second request in the same instant waits

    HttpResponse<String> first = api.post("/v1/messages", "{\"destination\":\"n2\"}");
    HttpResponse<String> second = api.post("/v1/messages", "{\"destination\":\"n2\"}");

    assertThat(first.statusCode()).isEqualTo(202);
    assertThat(second.statusCode()).isEqualTo(429);
    assertThat(second.headers().firstValue("retry-after")).hasValue("1");
    JsonNode error = json(second).get("error");
    assertThat(error.get("code").asText()).isEqualTo("overloaded");
    assertThat(error.get("message").asText())
        .isEqualTo("the node is shedding load: sends are admitted at 2.0 messages/s;"
            + " retry after 500 ms");
    assertThat(error.get("retry_after_ms").asLong()).isEqualTo(500);
    assertThat(error.get("admission_limit").asDouble()).isEqualTo(2.0);
    assertThat(mesh.sent).hasSize(1);
    assertThat(registry.find("meshd.api.requests.shed").functionCounter().count()).isEqualTo(1);
    assertThat(registry.find("meshd.api.admission.limit").gauge().value()).isEqualTo(2.0);

    nanos.addAndGet(500_000_000L); // the next token
    assertThat(api.post("/v1/messages", "{\"destination\":\"n2\"}").statusCode())
        .isEqualTo(202);
    admission.restore();
    assertThat(api.post("/v1/messages", "{\"destination\":\"n2\"}").statusCode())
        .isEqualTo(202);
    assertThat(registry.find("meshd.api.admission.limit").gauge().value())
        .isEqualTo(Double.POSITIVE_INFINITY);
  }

  @Test
  void messages_admitted_recordsResponseTimeInFlightAndDeliveryLatency() throws Exception {
    start();
    var outcome = mesh.nextOutcome;

    HttpResponse<String> response = api.post("/v1/messages", "{\"destination\":\"n2\"}");

    assertThat(response.statusCode()).isEqualTo(202);
    await(() -> admission.sample().inFlight() == 1);
    nanos.addAndGet(40_000_000L);
    outcome.complete(new MeshService.Outcome(true, 1, Duration.ofMillis(40), Optional.empty()));
    SendAdmission.Sample sample = admission.sample();
    assertThat(sample.inFlight()).isZero();
    assertThat(sample.admitted()).isEqualTo(1);
    assertThat(sample.delivered()).isEqualTo(1);
    assertThat(sample.deliveryLatencyMicros().getTotalCount()).isEqualTo(1);
    assertThat(sample.deliveryLatencyMicros().getMaxValue()).isBetween(39_000L, 41_000L);
    assertThat(registry.find("meshd.api.sends.inflight").gauge().value()).isZero();
  }

  @ParameterizedTest
  @CsvSource({"PAYLOAD_TOO_LARGE,413,payload_too_large", "INVALID_ARGUMENT,400,invalid_argument",
      "SHUTTING_DOWN,503,shutting_down"})
  void messages_meshRefuses_mapsReasonToStatusAndCode(MeshRejectedException.Reason reason,
      int status, String code) throws Exception {
    start();
    mesh.refuseNext = new MeshRejectedException(reason, "refused: " + reason, Optional.empty());

    HttpResponse<String> response = api.post("/v1/messages", "{\"destination\":\"n2\"}");

    assertThat(response.statusCode()).isEqualTo(status);
    assertThat(errorCode(response)).isEqualTo(code);
    assertThat(json(response).get("error").get("message").asText()).isEqualTo("refused: " + reason);
  }

  @Test
  void messages_waitDelivered_returns200WithAttemptsAndRoundTrip() throws Exception {
    start();
    var outcome = mesh.nextOutcome;
    // Completed from another thread once the request has been accepted, as the mesh would.
    Thread completer = new Thread(() -> {
      await(() -> !mesh.sent.isEmpty());
      outcome.complete(
          new MeshService.Outcome(true, 2, Duration.ofNanos(3_456_000), Optional.empty()));
    });
    completer.setDaemon(true);
    completer.start();

    HttpResponse<String> response =
        api.post("/v1/messages", "{\"destination\":\"n2\",\"payload\":\"x\",\"wait\":true}");

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode body = json(response);
    assertThat(body.get("status").asText()).isEqualTo("delivered");
    assertThat(body.get("attempts").asInt()).isEqualTo(2);
    assertThat(body.get("round_trip_ms").asDouble()).isEqualTo(3.456);
    assertThat(body.has("failure")).isFalse();
    assertThat(counterReaching(1, "meshd.api.message.outcomes", "result", "delivered"))
        .isEqualTo(1);
  }

  @Test
  void messages_waitFailed_returns200FailedWithReason() throws Exception {
    start();
    mesh.nextOutcome.complete(
        new MeshService.Outcome(false, 5, Duration.ZERO, Optional.of("timeout")));

    HttpResponse<String> response =
        api.post("/v1/messages", "{\"destination\":\"n2\",\"wait\":true}");

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode body = json(response);
    assertThat(body.get("status").asText()).isEqualTo("failed");
    assertThat(body.get("attempts").asInt()).isEqualTo(5);
    assertThat(body.get("failure").asText()).isEqualTo("timeout");
    assertThat(body.has("round_trip_ms")).isFalse();
  }

  @Test
  void messages_waitEndsBeforeOutcome_returns202Pending() throws Exception {
    start();

    HttpResponse<String> response = api.post("/v1/messages",
        "{\"destination\":\"n2\",\"wait\":true,\"wait_timeout_ms\":50}");

    assertThat(response.statusCode()).isEqualTo(202);
    JsonNode body = json(response);
    assertThat(body.get("status").asText()).isEqualTo("pending");
    assertThat(body.get("waited_ms").asLong()).isEqualTo(50);
    assertThat(counterReaching(1, "meshd.api.message.outcomes", "result", "pending")).isEqualTo(1);
  }

  // ---- GET /v1/subscribe ----

  @Test
  void subscribe_deliversMessageEventsWithIdSourceTopicPayloadAndBroadcastFlag()
      throws Exception {
    start();
    try (var stream = api.subscribe("/v1/subscribe?topic=chat")) {
      assertThat(stream.response.statusCode()).isEqualTo(200);
      assertThat(stream.response.headers().firstValue("content-type").orElseThrow())
          .startsWith("text/event-stream");
      JsonNode hello = stream.nextEvent("subscribed");
      assertThat(hello.get("topic").asText()).isEqualTo("chat");
      assertThat(hello.get("node_id").asText()).isEqualTo("n1");

      mesh.deliver(new MeshService.InboundMessage("n2-7-1", "n2", "chat",
          "hello\nworld".getBytes(StandardCharsets.UTF_8), Optional.of(TRACEPARENT), false));
      mesh.deliver(new MeshService.InboundMessage("n3-1-9", "n3", "other",
          new byte[] {1}, Optional.empty(), false));
      mesh.deliver(new MeshService.InboundMessage("n3-1-10", "n3", "chat",
          new byte[] {(byte) 0xff, 0}, Optional.empty(), true));

      List<String> first = stream.readUntil("id: ");
      assertThat(first.get(first.size() - 1)).isEqualTo("id: n2-7-1");
      JsonNode text = stream.nextEvent("message");
      assertThat(text.get("message_id").asText()).isEqualTo("n2-7-1");
      assertThat(text.get("source").asText()).isEqualTo("n2");
      assertThat(text.get("topic").asText()).isEqualTo("chat");
      assertThat(text.get("broadcast").asBoolean()).isFalse();
      assertThat(text.get("encoding").asText()).isEqualTo("utf8");
      assertThat(text.get("payload").asText()).isEqualTo("hello\nworld");
      assertThat(text.get("traceparent").asText()).isEqualTo(TRACEPARENT);
      JsonNode binary = stream.nextEvent("message");
      assertThat(binary.get("message_id").asText()).as("other topic filtered").isEqualTo("n3-1-10");
      assertThat(binary.get("broadcast").asBoolean()).isTrue();
      assertThat(binary.get("encoding").asText()).isEqualTo("base64");
      assertThat(Base64.getDecoder().decode(binary.get("payload").asText()))
          .containsExactly(0xff, 0);
      assertThat(registry.get("meshd.api.subscribers").gauge().value()).isEqualTo(1);
    }
  }

  @Test
  void subscribe_encodingBase64_sendsTextPayloadAsBase64() throws Exception {
    start();
    try (var stream = api.subscribe("/v1/subscribe?encoding=base64")) {
      assertThat(stream.nextEvent("subscribed").get("topic").asText()).isEqualTo("*");

      mesh.deliver(new MeshService.InboundMessage("n2-1-1", "n2", "any",
          "abc".getBytes(StandardCharsets.UTF_8), Optional.empty(), false));

      JsonNode event = stream.nextEvent("message");
      assertThat(event.get("encoding").asText()).isEqualTo("base64");
      assertThat(event.get("payload").asText()).isEqualTo("YWJj");
    }
  }

  @Test
  void subscribe_clientDisconnects_subscriptionClosedAndGaugeBackToZero() throws Exception {
    start();
    var stream = api.subscribe("/v1/subscribe?topic=chat");
    stream.nextEvent("subscribed");
    assertThat(mesh.subscribers).hasSize(1);

    stream.close();

    assertThat(await(() -> mesh.subscriptionsClosed.get() == 1)).as("unsubscribed").isTrue();
    assertThat(mesh.subscribers).isEmpty();
    assertThat(await(() -> registry.get("meshd.api.subscribers").gauge().value() == 0)).isTrue();
  }

  @Test
  void subscribe_serverCloses_streamEndsAndSubscriptionClosed() throws Exception {
    start();
    try (var stream = api.subscribe("/v1/subscribe")) {
      stream.nextEvent("subscribed");

      server.close();

      stream.readUntil(ApiTestClient.END);
      assertThat(mesh.subscriptionsClosed).hasValue(1);
    }
  }

  @Test
  void subscribe_beyondMaxSubscribers_returns429() throws Exception {
    start(1, DataSize.ofKibibytes(256));
    try (var first = api.subscribe("/v1/subscribe")) {
      first.nextEvent("subscribed");

      HttpResponse<String> second = api.get("/v1/subscribe");

      assertThat(second.statusCode()).isEqualTo(429);
      assertThat(errorCode(second)).isEqualTo("too_many_subscribers");
      assertThat(second.headers().firstValue("retry-after")).isPresent();
    }
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "/v1/subscribe?topic=a%20b |topic 'a b' is invalid",
      "/v1/subscribe?encoding=hex |encoding 'hex' is not supported",
      "/v1/subscribe?tpoic=x |unknown query parameter 'tpoic'",
  })
  void subscribe_invalidQuery_returns400InvalidArgument(String path, String message)
      throws Exception {
    start();

    HttpResponse<String> response = api.get(path.strip());

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(errorCode(response)).isEqualTo("invalid_argument");
    assertThat(json(response).get("error").get("message").asText()).contains(message);
    assertThat(mesh.subscribers).isEmpty();
  }

  private static final String TRACEPARENT =
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
}
