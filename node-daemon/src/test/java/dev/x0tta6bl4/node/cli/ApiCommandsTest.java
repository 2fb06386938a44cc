package dev.x0tta6bl4.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.x0tta6bl4.observability.Tracing;
import dev.x0tta6bl4.node.api.ConsensusAccess;
import dev.x0tta6bl4.node.api.FakeMeshService;
import dev.x0tta6bl4.node.api.IncidentSource;
import dev.x0tta6bl4.node.api.LocalApiServer;
import dev.x0tta6bl4.node.api.SendAdmission;
import dev.x0tta6bl4.node.config.DataSize;
import dev.x0tta6bl4.node.config.HostPort;
import dev.x0tta6bl4.node.config.NodeConfig;
import dev.x0tta6bl4.node.mesh.MeshRejectedException;
import dev.x0tta6bl4.node.mesh.MeshService;
import dev.x0tta6bl4.observability.MeshdMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.x0tta6bl4.mapek.IncidentState;
import dev.x0tta6bl4.mapek.IncidentView;
import dev.x0tta6bl4.mapek.Severity;
import dev.x0tta6bl4.mapek.Symptom;
import dev.x0tta6bl4.mapek.TimelineEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The API commands of the CLI against a real local API server over a fake mesh. */
class ApiCommandsTest {
  private static MultiThreadIoEventLoopGroup group;

  @TempDir Path tmp;

  private final PrometheusMeterRegistry registry = MeshdMetrics.create("test");
  private final FakeMeshService mesh = new FakeMeshService();
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  /** Runs blocking subscribe commands; the common pool may have a single worker here. */
  private final ExecutorService commands = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "cli-command");
    t.setDaemon(true);
    return t;
  });
  private LocalApiServer server;
  private String url;
  private volatile List<IncidentView> incidents = List.of();
  private final IncidentSource incidentSource = new IncidentSource() {
    @Override
    public String mode() {
      return "auto";
    }

    @Override
    public List<IncidentView> incidents() {
      return incidents;
    }
  };

  @BeforeAll
  static void startGroup() {
    group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  }

  @AfterAll
  static void stopGroup() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  @BeforeEach
  void startApi() {
    server = new LocalApiServer(new NodeConfig.Api(new HostPort("127.0.0.1", 0),
        DataSize.ofKibibytes(256), DataSize.ofKibibytes(8), Duration.ofSeconds(5), 4, 64),
        mesh, ConsensusAccess.disabled(), incidentSource, group, registry, () -> true,
        Tracing.off(), new SendAdmission(SendAdmission.UNLIMITED, 0.1, System::nanoTime, registry));
    server.start();
    url = "http://127.0.0.1:" + server.address().getPort();
  }

  @AfterEach
  void stopApi() {
    server.close();
    commands.shutdownNow();
    registry.close();
  }

  private int meshd(InputStream stdin, String... args) {
    return MeshdCli.create(Map.of(), stdin, new PrintWriter(out, true), new PrintWriter(err, true))
        .execute(args);
  }

  private int meshd(String... args) {
    return meshd(new ByteArrayInputStream(new byte[0]), args);
  }

  private static boolean await(BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return true;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
    return false;
  }

  @Test
  void status_printsNodeAtAGlance() {
    int exit = meshd("status", "--api", url);

    assertThat(exit).as(err.toString()).isZero();
    assertThat(out.toString()).contains("node       n1").contains("uptime     1m 1s")
        .contains("ready      yes").contains("links      2").contains("in flight  4");
  }

  @Test
  void status_json_printsTheApiBody() throws Exception {
    int exit = meshd("status", "--api", url, "--json");

    assertThat(exit).isZero();
    assertThat(LocalApiClient.JSON.readTree(out.toString()).get("node_id").asText())
        .isEqualTo("n1");
  }

  @Test
  void status_apiFromConfigFile_usesApiBind() throws Exception {
    Path config = Files.writeString(tmp.resolve("meshd.yaml"),
        "api:\n  bind: 127.0.0.1:" + server.address().getPort() + "\n");

    int exit = meshd("status", "--config", config.toString());

    assertThat(exit).as(err.toString()).isZero();
    assertThat(out.toString()).contains("node       n1");
  }

  @Test
  void status_nodeNotRunning_exits69SayingSo() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }

    int exit = meshd("status", "--api", "http://127.0.0.1:" + port);

    assertThat(exit).isEqualTo(ExitCodes.UNAVAILABLE);
    assertThat(err.toString()).startsWith("meshd: cannot reach the local API at http://127.0.0.1:"
        + port).contains("Is the node running?");
  }

  @Test
  void status_apiNotHttp_isUsageError() {
    assertThat(meshd("status", "--api", "ftp://x")).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("--api must be an http:// URL");
  }

  @Test
  void peersAndRoutes_printTables() {
    mesh.peers = List.of(new MeshService.PeerInfo("n2", "spiffe://t/node/n2", "127.0.0.1:7602",
        true, "alive", 0.5, Optional.of(Duration.ofMillis(2)), 0,
        Map.of("bad_signature", 2L, "stale", 5L)));
    mesh.routes = List.of(new MeshService.RouteInfo("n3", "n2", 20, 2));

    assertThat(meshd("peers", "--api", url)).isZero();
    assertThat(meshd("routes", "--api", url)).isZero();

    assertThat(out.toString().lines()).containsSubsequence(
        "NODE  ADDRESS         DIRECTION  STATUS  RTT      PHI   BAD ADVERTS",
        "n2    127.0.0.1:7602  outbound   alive   2.00 ms  0.50  2",
        "DESTINATION  NEXT HOP  HOPS  COST",
        "n3           n2        2     20");
  }

  private static final Instant T0 = Instant.parse("2026-12-05T20:00:00Z");

  private static IncidentView incident(long id, IncidentState state, TimelineEvent.Type... types) {
    List<TimelineEvent> timeline = new java.util.ArrayList<>();
    for (int i = 0; i < types.length; i++) {
      timeline.add(new TimelineEvent(T0.plusMillis(250L * i), types[i], "step " + i));
    }
    boolean resolved = state == IncidentState.RESOLVED;
    return new IncidentView(id, "link-down", "n" + id, state, T0, T0.plusMillis(250),
        resolved ? T0.plusSeconds(2) : null, resolved ? "verified" : null,
        List.of(new Symptom("link-down", "n" + id, Severity.CRITICAL, "no heartbeat for 2 s", T0)),
        timeline);
  }

  @Test
  void incidents_listsEachWithStateAndLastEvent() {
    incidents = List.of(
        incident(7, IncidentState.ACTING, TimelineEvent.Type.DETECTED,
            TimelineEvent.Type.ACTION_STARTED),
        incident(3, IncidentState.RESOLVED, TimelineEvent.Type.DETECTED,
            TimelineEvent.Type.VERIFIED, TimelineEvent.Type.RESOLVED));

    int exit = meshd("incidents", "--api", url);

    assertThat(exit).as(err.toString()).isZero();
    assertThat(out.toString().lines().toList()).containsExactly(
        "ID  KIND       SUBJECT  STATE     DETECTED                  LAST EVENT",
        "7   link-down  n7       acting    2026-12-05T20:00:00.250Z  action_started",
        "3   link-down  n3       resolved  2026-12-05T20:00:00.250Z  resolved",
        "mode auto, 1 open");
  }

  @Test
  void incidents_open_asksForOpenOnly_andNoneSaysSo() {
    incidents = List.of(incident(3, IncidentState.RESOLVED, TimelineEvent.Type.RESOLVED));

    assertThat(meshd("incidents", "--api", url, "--open")).isZero();
    assertThat(out.toString()).isEqualTo("no incidents (mode auto)" + System.lineSeparator());
  }

  @Test
  void incidents_id_printsSymptomsAndTimeline() {
    incidents = List.of(incident(3, IncidentState.RESOLVED, TimelineEvent.Type.DETECTED,
        TimelineEvent.Type.VERIFIED));

    int exit = meshd("incidents", "--api", url, "3");

    assertThat(exit).as(err.toString()).isZero();
    assertThat(out.toString()).contains("incident   3 link-down/n3")
        .contains("state      resolved (verified)")
        .contains("  critical link-down/n3: no heartbeat for 2 s")
        .contains("  2026-12-05T20:00:00Z  detected  step 0")
        .contains("  2026-12-05T20:00:00.250Z  verified  step 1");
  }

  @Test
  void incidents_unknownId_failsWithTheApiError() {
    int exit = meshd("incidents", "--api", url, "42");

    assertThat(exit).isEqualTo(ExitCodes.FAILURE);
    assertThat(err.toString()).contains("not_found").contains("no incident 42");
  }

  @Test
  void incidents_json_isTheApiBody() throws Exception {
    incidents = List.of(incident(3, IncidentState.RESOLVED, TimelineEvent.Type.RESOLVED));

    assertThat(meshd("incidents", "--api", url, "--json")).isZero();
    var body = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.toString());
    assertThat(body.path("mode").asText()).isEqualTo("auto");
    assertThat(body.path("open").asInt()).isZero();
    var first = body.path("incidents").get(0);
    assertThat(first.path("state").asText()).isEqualTo("resolved");
    assertThat(first.path("symptoms").get(0).path("severity").asText()).isEqualTo("critical");
    assertThat(first.path("timeline").get(0).path("event").asText()).isEqualTo("resolved");
  }

  @Test
  void incidentsApi_badQuery_isInvalidArgument() throws Exception {
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    for (String query : List.of("?state=closed", "?limit=0", "?limit=x", "/abc")) {
      var response = http.send(java.net.http.HttpRequest.newBuilder(
              java.net.URI.create(url + "/v1/incidents" + query)).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(query).isEqualTo(400);
      assertThat(response.body()).as(query).contains("invalid_argument");
    }
  }

  @Test
  void incidentsApi_limit_keepsOpenOnesAndNewestResolved() throws Exception {
    incidents = List.of(incident(9, IncidentState.OPEN, TimelineEvent.Type.DETECTED),
        incident(1, IncidentState.RESOLVED, TimelineEvent.Type.RESOLVED),
        incident(2, IncidentState.RESOLVED, TimelineEvent.Type.RESOLVED));
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();

    var response = http.send(java.net.http.HttpRequest.newBuilder(
            java.net.URI.create(url + "/v1/incidents?limit=2")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    var body = new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body());
    assertThat(body.path("incidents").findValuesAsText("id")).containsExactly("9", "2");
  }

  @Test
  void routes_none_saysSo() {
    assertThat(meshd("routes", "--api", url)).isZero();
    assertThat(out.toString()).isEqualTo("no routes" + System.lineSeparator());
  }

  @Test
  void send_payloadArgument_acceptedExitsZero() {
    int exit = meshd("send", "--api", url, "--topic", "chat", "n2", "hello");

    assertThat(exit).as(err.toString()).isZero();
    assertThat(out.toString()).startsWith("accepted n1-1-1 for n2");
    assertThat(mesh.sent.get(0).topic()).isEqualTo("chat");
    assertThat(new String(mesh.sent.get(0).payload(), StandardCharsets.UTF_8)).isEqualTo("hello");
  }

  @Test
  void send_binaryStandardInput_sentAsExactBytes() {
    byte[] bytes = {(byte) 0xff, 0, 1, (byte) 0xfe};

    int exit = meshd(new ByteArrayInputStream(bytes), "send", "--api", url, "n2", "-");

    assertThat(exit).as(err.toString()).isZero();
    assertThat(mesh.sent.get(0).payload()).containsExactly(bytes);
  }

  @Test
  void send_broadcast_acceptedForEveryNode() {
    assertThat(meshd("send", "--api", url, "*", "hi all")).isZero();
    assertThat(out.toString()).startsWith("accepted n1-1-1 for every node");
    assertThat(mesh.sent.get(0).destination()).isEqualTo("*");
  }

  @Test
  void send_waitDelivered_reportsRoundTripExitsZero() {
    mesh.nextOutcome.complete(new MeshService.Outcome(true, 1, Duration.ofMillis(3),
        Optional.empty()));

    int exit = meshd("send", "--api", url, "--wait", "--timeout", "2s", "n2", "x");

    assertThat(exit).as(err.toString()).isZero();
    assertThat(out.toString())
        .startsWith("delivered n1-1-1 to n2 (1 attempt, round trip 3.000 ms)");
  }

  @Test
  void send_waitFailed_exitsOneWithReason() {
    mesh.nextOutcome.complete(new MeshService.Outcome(false, 4, Duration.ZERO,
        Optional.of("no_route")));

    int exit = meshd("send", "--api", url, "--wait", "n2", "x");

    assertThat(exit).isEqualTo(ExitCodes.FAILURE);
    assertThat(out.toString()).startsWith("NOT delivered n1-1-1 to n2: no_route (4 attempts)");
  }

  @Test
  void send_unknownNode_exitsOnePrintingTheApiError() {
    mesh.refuseNext = new MeshRejectedException(MeshRejectedException.Reason.NO_ROUTE,
        "no route to n7", Optional.empty());

    int exit = meshd("send", "--api", url, "n7", "x");

    assertThat(exit).isEqualTo(ExitCodes.FAILURE);
    assertThat(err.toString()).isEqualTo("meshd: unknown_node: no route to n7"
        + System.lineSeparator());
  }

  @Test
  void send_queueFull_exitsOneWithRetryAfter() {
    mesh.refuseNext = new MeshRejectedException(MeshRejectedException.Reason.QUEUE_FULL,
        "window full", Optional.of(Duration.ofMillis(200)));

    int exit = meshd("send", "--api", url, "n2", "x");

    assertThat(exit).isEqualTo(ExitCodes.FAILURE);
    assertThat(err.toString()).contains("meshd: queue_full: window full (retry after 1 s)");
  }

  @Test
  void send_timeoutWithoutWait_isUsageError() {
    assertThat(meshd("send", "--api", url, "--timeout", "1s", "n2", "x"))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(mesh.sent).isEmpty();
  }

  @Test
  void subscribe_count_printsMessagesThenExitsZero() throws Exception {
    CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(
        () -> meshd("subscribe", "--api", url, "--topic", "chat", "--count", "2"), commands);
    assertThat(await(() -> err.toString().contains("subscribed to topic 'chat' on node n1")))
        .as(err.toString()).isTrue();

    mesh.deliver(new MeshService.InboundMessage("n2-1-1", "n2", "chat",
        "first".getBytes(StandardCharsets.UTF_8), Optional.empty(), false));
    mesh.deliver(new MeshService.InboundMessage("n3-1-1", "n3", "chat",
        new byte[] {(byte) 0xff}, Optional.empty(), true));

    assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
    assertThat(out.toString().lines()).containsExactly(
        "n2-1-1 n2 chat: first", "n3-1-1 n3 chat broadcast: base64:/w==");
    assertThat(await(() -> mesh.subscribers.isEmpty())).as("unsubscribed on exit").isTrue();
  }

  @Test
  void subscribe_nodeStops_exitsOneSayingSo() throws Exception {
    CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(
        () -> meshd("subscribe", "--api", url, "--json"), commands);
    assertThat(await(() -> err.toString().contains("subscribed to every topic"))).isTrue();
    mesh.deliver(new MeshService.InboundMessage("n2-1-1", "n2", "t",
        "x".getBytes(StandardCharsets.UTF_8), Optional.empty(), false));
    assertThat(await(() -> out.toString().contains("n2-1-1"))).isTrue();

    server.close();

    assertThat(exit.get(10, TimeUnit.SECONDS)).isEqualTo(ExitCodes.FAILURE);
    assertThat(err.toString()).contains("the node ended the stream");
    assertThat(LocalApiClient.JSON.readTree(out.toString().lines().findFirst().orElseThrow())
        .get("payload").asText()).isEqualTo("x");
  }

  @Test
  void subscribe_tooManySubscribers_exitsOneWithApiError() throws Exception {
    for (int i = 0; i < 4; i++) {
      CompletableFuture.supplyAsync(() -> meshd("subscribe", "--api", url), commands);
    }
    assertThat(await(() -> mesh.subscribers.size() == 4)).isTrue();

    StringWriter err2 = new StringWriter();
    int exit = MeshdCli.create(Map.of(), new ByteArrayInputStream(new byte[0]),
        new PrintWriter(new StringWriter(), true), new PrintWriter(err2, true))
        .execute("subscribe", "--api", url);

    assertThat(exit).isEqualTo(ExitCodes.FAILURE);
    assertThat(err2.toString()).startsWith("meshd: too_many_subscribers: 4 subscribers are open");
  }
}
