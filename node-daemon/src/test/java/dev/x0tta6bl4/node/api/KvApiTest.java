package dev.x0tta6bl4.node.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.x0tta6bl4.consensus.ConsensusConfig;
import dev.x0tta6bl4.consensus.ConsensusStatus;
import dev.x0tta6bl4.consensus.ReplicatedStore;
import dev.x0tta6bl4.consensus.Voter;
import dev.x0tta6bl4.observability.Tracing;
import dev.x0tta6bl4.node.config.DataSize;
import dev.x0tta6bl4.node.config.HostPort;
import dev.x0tta6bl4.node.config.NodeConfig;
import dev.x0tta6bl4.observability.MeshdMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /v1/kv} and {@code /v1/cluster} of a real local API over real Ratis stores on loopback:
 * a single voter that elects itself (every endpoint and error path), and a member of a
 * three-voter group whose two other voters never start (no quorum: 503 within the short request
 * timeout, while stale reads are still served).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KvApiTest {
  private static final int MAX_VALUE = 4096;
  private static final Duration NO_QUORUM_TIMEOUT = Duration.ofMillis(800);

  private MultiThreadIoEventLoopGroup group;
  private final PrometheusMeterRegistry registry = MeshdMetrics.create("test");
  /** The second store's meters: two stores in one registry would share the meshd.raft ones. */
  private final PrometheusMeterRegistry aloneRegistry = MeshdMetrics.create("test");
  private ReplicatedStore single;
  private ReplicatedStore alone;
  private LocalApiServer singleApi;
  private LocalApiServer aloneApi;
  private LocalApiServer disabledApi;
  private LocalApiServer tracedApi;
  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private final Tracing tracing = Tracing.builder().exporter(spans).instanceId("n1")
      .scheduleDelay(Duration.ofMillis(10)).build();
  private ApiTestClient api;
  private ApiTestClient noQuorum;
  private ApiTestClient disabled;

  @BeforeAll
  void start(@TempDir Path dir) {
    group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    single = ReplicatedStore.start(ConsensusConfig.builder("n1", dir.resolve("single"))
        .voters(List.of(new Voter("n1", "127.0.0.1", freePort())))
        .electionTimeout(Duration.ofMillis(50), Duration.ofMillis(100))
        .requestTimeout(Duration.ofSeconds(5))
        .maxValueBytes(MAX_VALUE)
        .build(), registry);
    alone = ReplicatedStore.start(ConsensusConfig.builder("n1", dir.resolve("alone"))
        .voters(List.of(new Voter("n1", "127.0.0.1", freePort()),
            new Voter("n2", "127.0.0.1", freePort()), new Voter("n3", "127.0.0.1", freePort())))
        .electionTimeout(Duration.ofMillis(50), Duration.ofMillis(100))
        .requestTimeout(NO_QUORUM_TIMEOUT)
        .rpcTimeout(Duration.ofMillis(300))
        .build(), aloneRegistry);
    singleApi = server(ConsensusAccess.of(() -> single, MAX_VALUE));
    aloneApi = server(ConsensusAccess.of(() -> alone, MAX_VALUE));
    disabledApi = server(ConsensusAccess.disabled());
    tracedApi = server(ConsensusAccess.of(() -> single, MAX_VALUE), tracing);
    api = new ApiTestClient(singleApi.address());
    noQuorum = new ApiTestClient(aloneApi.address());
    disabled = new ApiTestClient(disabledApi.address());
    assertThat(ApiTestClient.await(
        () -> single.status().role() == ConsensusStatus.Role.LEADER))
        .as("the single voter elects itself").isTrue();
  }

  private LocalApiServer server(ConsensusAccess access) {
    return server(access, Tracing.off());
  }

  private LocalApiServer server(ConsensusAccess access, Tracing tracing) {
    LocalApiServer server = new LocalApiServer(new NodeConfig.Api(new HostPort("127.0.0.1", 0),
        DataSize.ofKibibytes(1), DataSize.ofKibibytes(8), Duration.ofSeconds(2), 4, 64),
        new FakeMeshService(), access, IncidentSource.off(), group, registry, () -> true,
        tracing, new SendAdmission(SendAdmission.UNLIMITED, 0.1, System::nanoTime, registry));
    server.start();
    return server;
  }

  @AfterAll
  void stop() {
    for (AutoCloseable c : new AutoCloseable[] {singleApi, aloneApi, disabledApi, tracedApi,
        single, alone, tracing}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    registry.close();
    aloneRegistry.close();
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String code(HttpResponse<byte[]> r) throws IOException {
    return ApiTestClient.json(r.body()).path("error").path("code").asText();
  }

  private static long version(HttpResponse<byte[]> r) {
    String etag = r.headers().firstValue("etag").orElseThrow();
    assertThat(etag).startsWith("\"").endsWith("\"");
    return Long.parseLong(etag.substring(1, etag.length() - 1));
  }

  @Test
  void putThenGet_rawValueWithVersionInEtag() throws Exception {
    byte[] value = {0, 1, 2, (byte) 0xff, 'x'};

    HttpResponse<byte[]> put = api.exchange("PUT", "/v1/kv/config/edge-1/role", value);
    HttpResponse<byte[]> got = api.exchange("GET", "/v1/kv/config/edge-1/role", new byte[0]);

    assertThat(put.statusCode()).as(new String(put.body())).isEqualTo(200);
    JsonNode written = ApiTestClient.json(put.body());
    assertThat(written.get("key").asText()).isEqualTo("config/edge-1/role");
    assertThat(written.get("version").asLong()).isPositive().isEqualTo(version(put));
    assertThat(got.statusCode()).isEqualTo(200);
    assertThat(got.headers().firstValue("content-type")).hasValue("application/octet-stream");
    assertThat(got.body()).isEqualTo(value);
    assertThat(version(got)).isEqualTo(version(put));
  }

  @Test
  void tracing_eachKvRequestIsARaftSpanUnderTheCallersTraceparent() throws Exception {
    ApiTestClient traced = new ApiTestClient(tracedApi.address());
    String parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    HttpResponse<byte[]> put = traced.exchange("PUT", "/v1/kv/traced", new byte[] {1},
        "traceparent", parent);
    HttpResponse<byte[]> missing = traced.exchange("GET", "/v1/kv/traced-absent", new byte[0],
        "traceparent", parent);

    assertThat(put.statusCode()).isEqualTo(200);
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(ApiTestClient.await(() -> {
      tracing.flush(Duration.ofSeconds(5));
      return spans.getFinishedSpanItems().size() >= 2;
    })).as("two spans exported").isTrue();
    var byName = new java.util.HashMap<String, io.opentelemetry.sdk.trace.data.SpanData>();
    spans.getFinishedSpanItems().forEach(s -> byName.put(s.getName(), s));
    assertThat(byName).containsKeys("meshd.raft.kv_put", "meshd.raft.kv_get");
    for (var span : byName.values()) {
      assertThat(span.getTraceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
      assertThat(span.getParentSpanId()).isEqualTo("00f067aa0ba902b7");
    }
    assertThat(byName.get("meshd.raft.kv_put").getStatus().getStatusCode())
        .isEqualTo(io.opentelemetry.api.trace.StatusCode.UNSET);
    assertThat(byName.get("meshd.raft.kv_get").getAttributes().asMap().toString())
        .contains("meshd.error_code=not_found").contains("http.response.status_code=404");
  }

  @Test
  void get_jsonByAcceptOrFormat_givesKeyVersionAndBase64() throws Exception {
    HttpResponse<byte[]> put = api.exchange("PUT", "/v1/kv/json-view", b("héllo"));

    HttpResponse<byte[]> byAccept = api.exchange("GET", "/v1/kv/json-view", new byte[0],
        "accept", "application/json");
    HttpResponse<byte[]> byFormat = api.exchange("GET", "/v1/kv/json-view?format=json",
        new byte[0]);

    for (HttpResponse<byte[]> r : List.of(byAccept, byFormat)) {
      assertThat(r.statusCode()).isEqualTo(200);
      JsonNode body = ApiTestClient.json(r.body());
      assertThat(body.get("key").asText()).isEqualTo("json-view");
      assertThat(body.get("version").asLong()).isEqualTo(version(put));
      assertThat(Base64.getDecoder().decode(body.get("value_base64").asText()))
          .isEqualTo(b("héllo"));
    }
    assertThat(code(api.exchange("GET", "/v1/kv/json-view?format=xml", new byte[0])))
        .isEqualTo("invalid_argument");
  }

  @Test
  void get_absentKey_is404NotFound() throws Exception {
    HttpResponse<byte[]> r = api.exchange("GET", "/v1/kv/never-written", new byte[0]);

    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(code(r)).isEqualTo("not_found");
  }

  @Test
  void get_consistencyParameter_staleAndLinearizableBothSeeOwnWriteOnTheLeader()
      throws Exception {
    api.exchange("PUT", "/v1/kv/fresh", b("v"));

    assertThat(api.exchange("GET", "/v1/kv/fresh?consistency=stale", new byte[0]).body())
        .isEqualTo(b("v"));
    assertThat(api.exchange("GET", "/v1/kv/fresh?consistency=linearizable", new byte[0])
        .body()).isEqualTo(b("v"));
    HttpResponse<byte[]> bad = api.exchange("GET", "/v1/kv/fresh?consistency=eventual",
        new byte[0]);
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(new String(bad.body(), StandardCharsets.UTF_8))
        .contains("consistency 'eventual' is not one of linearizable, stale");
  }

  @Test
  void badKeys_are400BadKeyNamingTheProblem() throws Exception {
    for (String path : List.of("/v1/kv/", "/v1/kv/a//b", "/v1/kv/a/../b", "/v1/kv/a%20b",
        "/v1/kv/x/", "/v1/kv/" + "k".repeat(513), "/v1/kv/%C3%A9")) {
      HttpResponse<byte[]> r = api.exchange("GET", path, new byte[0]);
      assertThat(r.statusCode()).as(path).isEqualTo(400);
      assertThat(code(r)).as(path).isEqualTo("bad_key");
      assertThat(ApiTestClient.json(r.body()).path("error").path("message").asText())
          .as(path).contains("allowed: 1..512 characters");
    }
    assertThat(code(api.exchange("PUT", "/v1/kv/a%20b", b("x")))).isEqualTo("bad_key");
    assertThat(code(api.exchange("DELETE", "/v1/kv/a/./b", new byte[0]))).isEqualTo("bad_key");
    assertThat(api.exchange("GET", "/v1/kv/a%2Fb", new byte[0]).statusCode())
        .as("an encoded slash is the key a/b").isEqualTo(404);
  }

  @Test
  void put_valueOverMaxValueSize_is413ValueTooLargeAndNothingStored() throws Exception {
    byte[] exact = new byte[MAX_VALUE];
    Arrays.fill(exact, (byte) 7);
    byte[] over = new byte[MAX_VALUE + 1];

    HttpResponse<byte[]> ok = api.exchange("PUT", "/v1/kv/big", exact);
    HttpResponse<byte[]> tooLarge = api.exchange("PUT", "/v1/kv/big", over);

    assertThat(ok.statusCode()).as("a value of exactly the limit, above api.max-body-size")
        .isEqualTo(200);
    assertThat(tooLarge.statusCode()).isEqualTo(413);
    assertThat(code(tooLarge)).isEqualTo("value_too_large");
    assertThat(ApiTestClient.json(tooLarge.body()).path("error").path("message").asText())
        .contains("4097 bytes exceeds consensus.max-value-size (4096 bytes)");
    assertThat(api.exchange("GET", "/v1/kv/big", new byte[0]).body()).isEqualTo(exact);
    HttpResponse<byte[]> bigMessage = api.exchange("POST", "/v1/messages", new byte[2048],
        "content-type", "application/json");
    assertThat(bigMessage.statusCode()).as("other routes keep api.max-body-size").isEqualTo(413);
    assertThat(code(bigMessage)).isEqualTo("body_too_large");
  }

  @Test
  void put_ifMatch_compareAndSet_412WithCurrentVersionOnMismatch() throws Exception {
    long v1 = version(api.exchange("PUT", "/v1/kv/cas", b("one")));

    HttpResponse<byte[]> stale = api.exchange("PUT", "/v1/kv/cas", b("lost"),
        "if-match", "\"" + (v1 + 1000) + "\"");
    HttpResponse<byte[]> swapped = api.exchange("PUT", "/v1/kv/cas", b("two"),
        "if-match", "\"" + v1 + "\"");
    HttpResponse<byte[]> again = api.exchange("PUT", "/v1/kv/cas", b("three"),
        "if-match", "\"" + v1 + "\"");

    assertThat(stale.statusCode()).isEqualTo(412);
    assertThat(code(stale)).isEqualTo("version_mismatch");
    assertThat(ApiTestClient.json(stale.body()).path("error").path("current_version").asLong())
        .isEqualTo(v1);
    assertThat(swapped.statusCode()).isEqualTo(200);
    long v2 = version(swapped);
    assertThat(v2).isGreaterThan(v1);
    assertThat(again.statusCode()).isEqualTo(412);
    assertThat(ApiTestClient.json(again.body()).path("error").path("current_version").asLong())
        .isEqualTo(v2);
    assertThat(api.exchange("GET", "/v1/kv/cas", new byte[0]).body()).isEqualTo(b("two"));
    HttpResponse<byte[]> absent = api.exchange("PUT", "/v1/kv/cas-absent", b("x"),
        "if-match", "\"5\"");
    assertThat(absent.statusCode()).as("If-Match on an absent key").isEqualTo(412);
    assertThat(ApiTestClient.json(absent.body()).path("error").path("current_version").asLong())
        .isZero();
  }

  @Test
  void put_ifNoneMatchStar_createsOnlyIfAbsent() throws Exception {
    HttpResponse<byte[]> created = api.exchange("PUT", "/v1/kv/once", b("first"),
        "if-none-match", "*");
    HttpResponse<byte[]> refused = api.exchange("PUT", "/v1/kv/once", b("second"),
        "if-none-match", "*");

    assertThat(created.statusCode()).isEqualTo(200);
    assertThat(refused.statusCode()).isEqualTo(412);
    assertThat(ApiTestClient.json(refused.body()).path("error").path("current_version").asLong())
        .isEqualTo(version(created));
    assertThat(api.exchange("GET", "/v1/kv/once", new byte[0]).body()).isEqualTo(b("first"));
  }

  @Test
  void put_badPreconditions_are400() throws Exception {
    for (String[] headers : List.of(new String[] {"if-match", "*"},
        new String[] {"if-match", "\"0\""}, new String[] {"if-match", "W/\"3\""},
        new String[] {"if-match", "\"abc\""}, new String[] {"if-none-match", "\"3\""},
        new String[] {"if-match", "\"3\"", "if-none-match", "*"})) {
      HttpResponse<byte[]> r = api.exchange("PUT", "/v1/kv/pre", b("x"), headers);
      assertThat(r.statusCode()).as(String.join(" ", headers)).isEqualTo(400);
      assertThat(code(r)).isEqualTo("invalid_argument");
    }
    assertThat(api.exchange("GET", "/v1/kv/pre", new byte[0]).statusCode()).isEqualTo(404);
  }

  @Test
  void delete_plainAndConditional() throws Exception {
    long v1 = version(api.exchange("PUT", "/v1/kv/gone", b("x")));

    HttpResponse<byte[]> mismatch = api.exchange("DELETE", "/v1/kv/gone", new byte[0],
        "if-match", "\"" + (v1 + 1) + "\"");
    HttpResponse<byte[]> deleted = api.exchange("DELETE", "/v1/kv/gone", new byte[0],
        "if-match", "\"" + v1 + "\"");
    HttpResponse<byte[]> again = api.exchange("DELETE", "/v1/kv/gone", new byte[0]);

    assertThat(mismatch.statusCode()).isEqualTo(412);
    assertThat(ApiTestClient.json(mismatch.body()).path("error").path("current_version")
        .asLong()).isEqualTo(v1);
    assertThat(deleted.statusCode()).isEqualTo(200);
    assertThat(ApiTestClient.json(deleted.body()).get("deleted").asBoolean()).isTrue();
    assertThat(again.statusCode()).isEqualTo(404);
    assertThat(code(again)).isEqualTo("not_found");
    assertThat(api.exchange("GET", "/v1/kv/gone", new byte[0]).statusCode()).isEqualTo(404);
  }

  @Test
  void cluster_singleVoter_statusSnapshotAndMembershipErrors() throws Exception {
    api.exchange("PUT", "/v1/kv/before-snapshot", b("x"));

    JsonNode status = ApiTestClient.json(api.exchange("GET", "/v1/cluster", new byte[0]).body());
    HttpResponse<byte[]> snapshot = api.exchange("POST", "/v1/cluster/snapshot", new byte[0]);
    JsonNode after = ApiTestClient.json(api.exchange("GET", "/v1/cluster", new byte[0]).body());

    assertThat(status.get("node_id").asText()).isEqualTo("n1");
    assertThat(status.get("role").asText()).isEqualTo("leader");
    assertThat(status.get("leader").asText()).isEqualTo("n1");
    assertThat(status.get("term").asLong()).isPositive();
    assertThat(status.get("commit_index").asLong()).isPositive();
    assertThat(status.get("applied_index").asLong()).isPositive();
    assertThat(status.get("voters")).singleElement().satisfies(v -> {
      assertThat(v.get("id").asText()).isEqualTo("n1");
      assertThat(v.get("address").asText()).startsWith("127.0.0.1:");
      assertThat(v.get("leader").asBoolean()).isTrue();
    });
    assertThat(status.get("followers")).isEmpty();
    assertThat(status.get("server_state").asText()).isEqualTo("RUNNING");
    assertThat(status.get("log_failure").isNull()).isTrue();
    assertThat(snapshot.statusCode()).as(new String(snapshot.body())).isEqualTo(200);
    long index = ApiTestClient.json(snapshot.body()).get("index").asLong();
    assertThat(index).isPositive();
    assertThat(after.path("last_snapshot").path("index").asLong()).isEqualTo(index);
    assertThat(after.path("last_snapshot").path("age_ms").asLong()).isNotNegative();

    HttpResponse<byte[]> exists = api.exchange("POST", "/v1/cluster/voters",
        b("{\"id\":\"n1\",\"address\":\"127.0.0.1:7601\"}"), "content-type", "application/json");
    assertThat(exists.statusCode()).isEqualTo(409);
    assertThat(code(exists)).isEqualTo("voter_exists");
    HttpResponse<byte[]> unknownField = api.exchange("POST", "/v1/cluster/voters",
        b("{\"id\":\"n4\",\"address\":\"127.0.0.1:7604\",\"role\":\"x\"}"));
    assertThat(unknownField.statusCode()).isEqualTo(400);
    assertThat(code(unknownField)).isEqualTo("invalid_argument");
    HttpResponse<byte[]> badAddress = api.exchange("POST", "/v1/cluster/voters",
        b("{\"id\":\"n4\",\"address\":\"127.0.0.1\"}"));
    assertThat(code(badAddress)).isEqualTo("invalid_argument");
    assertThat(code(api.exchange("POST", "/v1/cluster/voters", b("{")))).isEqualTo("bad_json");
    HttpResponse<byte[]> unknown = api.exchange("DELETE", "/v1/cluster/voters/n9", new byte[0]);
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(code(unknown)).isEqualTo("unknown_voter");
    HttpResponse<byte[]> last = api.exchange("DELETE", "/v1/cluster/voters/n1", new byte[0]);
    assertThat(last.statusCode()).isEqualTo(409);
    assertThat(code(last)).isEqualTo("last_voter");
  }

  @Test
  void noQuorum_writesAndLinearizableReadsAre503WithRetryAfter_staleReadsServed()
      throws Exception {
    long start = System.nanoTime();
    HttpResponse<byte[]> put = noQuorum.exchange("PUT", "/v1/kv/q", b("x"));
    long putMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    HttpResponse<byte[]> read = noQuorum.exchange("GET", "/v1/kv/q", new byte[0]);
    HttpResponse<byte[]> stale = noQuorum.exchange("GET", "/v1/kv/q?consistency=stale",
        new byte[0]);
    JsonNode cluster = ApiTestClient.json(noQuorum.exchange("GET", "/v1/cluster", new byte[0])
        .body());

    assertThat(put.statusCode()).as(new String(put.body())).isEqualTo(503);
    assertThat(code(put)).isEqualTo("no_quorum");
    assertThat(put.headers().firstValue("retry-after")).hasValue("1");
    assertThat(putMillis).as("answered near the request timeout, not hanging")
        .isLessThan(NO_QUORUM_TIMEOUT.toMillis() + 5_000);
    assertThat(read.statusCode()).isEqualTo(503);
    assertThat(code(read)).isEqualTo("no_quorum");
    assertThat(read.headers().firstValue("retry-after")).hasValue("1");
    assertThat(stale.statusCode()).as("a stale read needs no quorum").isEqualTo(404);
    assertThat(code(stale)).isEqualTo("not_found");
    assertThat(cluster.get("role").asText()).isNotEqualTo("leader");
    assertThat(cluster.get("leader").isNull()).isTrue();
    assertThat(cluster.get("voters")).extracting(v -> v.get("id").asText())
        .containsExactly("n1", "n2", "n3");
  }

  @Test
  void disabled_everyKvAndClusterRoute_is503ConsensusDisabled() throws Exception {
    for (String[] call : List.of(new String[] {"GET", "/v1/kv/a"},
        new String[] {"PUT", "/v1/kv/a"}, new String[] {"DELETE", "/v1/kv/a"},
        new String[] {"GET", "/v1/cluster"}, new String[] {"POST", "/v1/cluster/snapshot"},
        new String[] {"POST", "/v1/cluster/voters"},
        new String[] {"DELETE", "/v1/cluster/voters/n2"})) {
      HttpResponse<byte[]> r = disabled.exchange(call[0], call[1], b("x"));
      assertThat(r.statusCode()).as(call[0] + " " + call[1]).isEqualTo(503);
      assertThat(code(r)).isEqualTo("consensus_disabled");
    }
  }

  @Test
  void metrics_countKvRequestsByKindAndResultUnderTheRouteTemplate() throws Exception {
    api.exchange("PUT", "/v1/kv/metered", b("x"));
    api.exchange("GET", "/v1/kv/metered-absent", new byte[0]);

    assertThat(ApiTestClient.await(() -> {
      String scrape = registry.scrape();
      return scrape.contains("meshd_api_consensus_requests_total{kind=\"kv_put\",result=\"ok\"}")
          && scrape.contains(
              "meshd_api_consensus_requests_total{kind=\"kv_get\",result=\"not_found\"}")
          && scrape.contains("route=\"/v1/kv/{key}\"");
    })).isTrue();
  }
}
