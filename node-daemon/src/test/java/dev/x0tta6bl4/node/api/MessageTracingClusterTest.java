package dev.x0tta6bl4.node.api;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.x0tta6bl4.node.cluster.LocalCluster;
import dev.x0tta6bl4.node.config.NodeConfig;
import dev.x0tta6bl4.node.mesh.MeshService;
import dev.x0tta6bl4.observability.Tracing;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import net.logstash.logback.encoder.LogstashEncoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A message over three relays on real nodes (a line n0 - n1 - n2 - n3, TLS links on loopback)
 * is one trace: {@code meshd.api.send} and {@code meshd.send} at n0, {@code meshd.forward} at n1
 * and n2, {@code meshd.deliver} at n3, each the child of the one before, across four JVM-local
 * tracer providers that share nothing but the DATA frame's {@code traceparent}. The same trace
 * arrives over OTLP/HTTP at a receiver decoding {@code ExportTraceServiceRequest}, and a JSON log
 * line written by a subscriber at n3 carries its trace and span id. A broadcast has {@code
 * meshd.broadcast} at its origin and a {@code meshd.deliver} child at every other node.
 */
class MessageTracingClusterTest {
  private static final Duration CONVERGE = Duration.ofSeconds(30);
  private static final Duration EXPORT = Duration.ofSeconds(20);
  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String CALLER_SPAN = "00f067aa0ba902b7";
  private static final String BROADCAST_TRACE = "0af7651916cd43dd8448eb211c80319c";

  @TempDir Path dir;

  @Test
  void postOverThreeHops_oneTraceWithParentChildSpansPerHop_andLogLineCarriesTraceId()
      throws Exception {
    InMemorySpanExporter exporter = InMemorySpanExporter.create();
    ByteArrayOutputStream json = new ByteArrayOutputStream();
    try (LocalCluster cluster = LocalCluster.start(dir, 4, LocalCluster.Topology.LINE, c -> c, 1L,
            (id, bindings) -> bindings.override(Tracing.class, c -> Tracing.builder()
                .exporter(exporter).instanceId(id).scheduleDelay(Duration.ofMillis(20)).build()));
        JsonLogCapture logs = JsonLogCapture.start(json)) {
      ApiTestClient n0 = awaitRoute(cluster);
      Logger appLog = (Logger) LoggerFactory.getLogger("test.subscriber");
      appLog.setLevel(ch.qos.logback.classic.Level.INFO); // the test configuration's root is WARN
      MeshService.Subscription sub = cluster.node(3).mesh().subscribe("traced",
          m -> appLog.info("received {}", m.messageId()));
      try {
        HttpResponse<String> sent = n0.post("/v1/messages",
            "{\"destination\":\"n3\",\"topic\":\"traced\",\"payload\":\"hi\",\"wait\":true,"
                + "\"wait_timeout_ms\":10000}",
            "traceparent", "00-" + TRACE_ID + "-" + CALLER_SPAN + "-01");
        assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);
        String messageId = ApiTestClient.json(sent).get("message_id").asText();

        Map<String, SpanData> chain = awaitChain(cluster, exporter);

        SpanData api = chain.get("meshd.api.send");
        assertThat(api.getKind()).isEqualTo(SpanKind.SERVER);
        assertThat(api.getParentSpanId()).isEqualTo(CALLER_SPAN); // the caller's header continued
        assertThat(api.getResource().getAttribute(AttributeKey.stringKey("service.instance.id")))
            .isEqualTo("n0");
        assertThat(api.getAttributes().get(AttributeKey.longKey("http.response.status_code")))
            .isEqualTo(200L);
        SpanData deliver = chain.get("meshd.deliver");
        assertThat(deliver.getAttributes().get(AttributeKey.stringKey("meshd.message.id")))
            .isEqualTo(messageId);
        assertThat(deliver.getAttributes().get(AttributeKey.stringKey("meshd.source")))
            .isEqualTo("n0");
        assertThat(deliver.getAttributes().get(AttributeKey.stringKey("meshd.topic")))
            .isEqualTo("traced");
        assertThat(chain.get("meshd.send").getAttributes()
            .get(AttributeKey.longKey("meshd.attempts"))).isGreaterThanOrEqualTo(1L);

        JsonNode line = logs.awaitLine(l -> l.path("message").asText().equals("received " + messageId));
        assertThat(line.path("trace_id").asText()).isEqualTo(TRACE_ID);
        assertThat(line.path("span_id").asText()).isEqualTo(deliver.getSpanId());
      } finally {
        sub.close();
      }

      HttpResponse<String> flood = n0.post("/v1/messages",
          "{\"destination\":\"*\",\"topic\":\"traced\",\"payload\":\"all\"}",
          "traceparent", "00-" + BROADCAST_TRACE + "-" + CALLER_SPAN + "-01");
      assertThat(flood.statusCode()).as(flood.body()).isEqualTo(202);
      List<SpanData> delivered = new ArrayList<>();
      LocalCluster.await(() -> {
        flushAll(cluster);
        delivered.clear();
        delivered.addAll(broadcastDeliveries(exporter.getFinishedSpanItems()));
        return delivered.stream().map(MessageTracingClusterTest::node).collect(Collectors.toSet())
            .containsAll(List.of("n1", "n2", "n3"));
      }, EXPORT, () -> "meshd.deliver of the broadcast at n1, n2 and n3, children of"
          + " meshd.broadcast at n0; have " + exporter.getFinishedSpanItems().stream()
              .filter(s -> s.getTraceId().equals(BROADCAST_TRACE))
              .map(s -> s.getName() + "@" + node(s)).toList());
    }
  }

  /** The broadcast trace's deliver spans whose parent is the origin's meshd.broadcast span. */
  private static List<SpanData> broadcastDeliveries(List<SpanData> spans) {
    List<SpanData> trace = spans.stream().filter(s -> s.getTraceId().equals(BROADCAST_TRACE))
        .toList();
    Optional<SpanData> origin = trace.stream()
        .filter(s -> s.getName().equals("meshd.broadcast") && node(s).equals("n0")).findFirst();
    if (origin.isEmpty()) {
      return List.of();
    }
    return trace.stream().filter(s -> s.getName().equals("meshd.deliver")
        && s.getParentSpanId().equals(origin.get().getSpanId())).toList();
  }

  @Test
  void tracingConfigured_exportsTheTraceOverOtlpHttp() throws Exception {
    try (OtlpReceiver receiver = OtlpReceiver.start()) {
      String endpoint = "http://127.0.0.1:" + receiver.port() + "/v1/traces";
      try (LocalCluster cluster = LocalCluster.start(dir, 4, LocalCluster.Topology.LINE,
          c -> c.withTracing(new NodeConfig.Tracing(true, endpoint, 1.0,
              Map.of("x-test-tenant", "meshd"), Duration.ofSeconds(5), "meshd-test")), 1L)) {
        ApiTestClient n0 = awaitRoute(cluster);
        HttpResponse<String> sent = n0.post("/v1/messages",
            "{\"destination\":\"n3\",\"topic\":\"traced\",\"payload\":\"hi\",\"wait\":true,"
                + "\"wait_timeout_ms\":10000}");
        assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);

        LocalCluster.await(() -> {
          flushAll(cluster);
          return receiver.chainComplete();
        }, EXPORT, () -> "OTLP spans api.send > send > forward(n1) > forward(n2) > deliver(n3);"
            + " received " + receiver.describe());

        assertThat(receiver.headers()).contains("meshd");
        assertThat(receiver.serviceNames()).containsOnly("meshd-test");
        PrometheusMeterRegistry registry =
            cluster.node(2).container().get(PrometheusMeterRegistry.class);
        assertThat(registry.get("meshd.tracing.spans.exported").tag("outcome", "success")
            .counter().count()).isGreaterThanOrEqualTo(1);
      }
    }
  }

  private static ApiTestClient awaitRoute(LocalCluster cluster) {
    cluster.awaitTopology(CONVERGE);
    LocalCluster.await(() -> cluster.node(0).mesh().routeTable().nextHop("n3").isPresent(),
        CONVERGE, () -> "n0 has a route to n3");
    return new ApiTestClient(cluster.node(0).apiAddress());
  }

  private static void flushAll(LocalCluster cluster) {
    for (LocalCluster.ClusterNode node : cluster.nodes()) {
      node.container().get(Tracing.class).flush(Duration.ofSeconds(5));
    }
  }

  /**
   * Waits for the deliver span at n3 and walks its parents up to the API span; returns the chain
   * by span name (two forwards keyed by node).
   */
  private static Map<String, SpanData> awaitChain(LocalCluster cluster,
      InMemorySpanExporter exporter) {
    Map<String, SpanData> chain = new java.util.HashMap<>();
    LocalCluster.await(() -> {
      flushAll(cluster);
      chain.clear();
      chain.putAll(walk(exporter.getFinishedSpanItems()));
      return chain.size() == 5;
    }, EXPORT, () -> "spans api.send > send > forward(n1) > forward(n2) > deliver(n3); have "
        + exporter.getFinishedSpanItems().stream()
            .map(s -> s.getName() + "@" + node(s) + " " + s.getSpanId() + "<" + s.getParentSpanId())
            .toList());
    return chain;
  }

  private static Map<String, SpanData> walk(List<SpanData> spans) {
    Map<String, SpanData> byId = spans.stream()
        .filter(s -> s.getTraceId().equals(TRACE_ID))
        .collect(Collectors.toMap(SpanData::getSpanId, Function.identity(), (a, b) -> a));
    Optional<SpanData> deliver = byId.values().stream()
        .filter(s -> s.getName().equals("meshd.deliver") && node(s).equals("n3")).findFirst();
    if (deliver.isEmpty()) {
      return Map.of();
    }
    String[][] expected = {
        {"meshd.deliver", "n3"}, {"meshd.forward", "n2"}, {"meshd.forward", "n1"},
        {"meshd.send", "n0"}, {"meshd.api.send", "n0"}};
    Map<String, SpanData> chain = new java.util.HashMap<>();
    SpanData at = deliver.get();
    for (String[] step : expected) {
      if (at == null || !at.getName().equals(step[0]) || !node(at).equals(step[1])) {
        return Map.of();
      }
      chain.put(step[0].equals("meshd.forward") ? step[0] + "@" + step[1] : step[0], at);
      at = byId.get(at.getParentSpanId());
    }
    return chain;
  }

  private static String node(SpanData s) {
    return s.getResource().getAttribute(AttributeKey.stringKey("service.instance.id"));
  }

  /** JSON lines as {@code LogSetup}'s JSON format writes them, from every logger. */
  private static final class JsonLogCapture implements AutoCloseable {
    private final ByteArrayOutputStream out;
    private final OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
    private final Logger root;

    private JsonLogCapture(ByteArrayOutputStream out) {
      this.out = out;
      LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
      LogstashEncoder encoder = new LogstashEncoder();
      encoder.setContext(context);
      encoder.start();
      appender.setContext(context);
      appender.setEncoder(encoder);
      appender.setOutputStream(out);
      appender.setImmediateFlush(true);
      appender.start();
      root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
      root.addAppender(appender);
    }

    static JsonLogCapture start(ByteArrayOutputStream out) {
      return new JsonLogCapture(out);
    }

    JsonNode awaitLine(java.util.function.Predicate<JsonNode> matches) {
      List<JsonNode> found = new ArrayList<>();
      LocalCluster.await(() -> {
        found.clear();
        String text;
        synchronized (out) {
          text = out.toString(StandardCharsets.UTF_8);
        }
        text.lines().map(JsonLogCapture::parse).filter(matches).forEach(found::add);
        return !found.isEmpty();
      }, EXPORT, () -> "a JSON log line matching; have " + out.toString(StandardCharsets.UTF_8));
      return found.get(0);
    }

    private static JsonNode parse(String line) {
      try {
        return ApiTestClient.JSON.readTree(line);
      } catch (IOException e) {
        throw new AssertionError("not a JSON line: " + line, e);
      }
    }

    @Override
    public void close() {
      root.detachAppender(appender);
      appender.stop();
    }
  }

  /** An OTLP/HTTP traces receiver on 127.0.0.1 decoding protobuf export requests. */
  private static final class OtlpReceiver implements AutoCloseable {
    private final HttpServer server;
    private final List<ResourceSpans> received = new CopyOnWriteArrayList<>();
    private final List<String> headers = new CopyOnWriteArrayList<>();

    private OtlpReceiver(HttpServer server) {
      this.server = server;
    }

    static OtlpReceiver start() throws IOException {
      HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      OtlpReceiver receiver = new OtlpReceiver(server);
      server.createContext("/v1/traces", exchange -> {
        try (InputStream body = exchange.getRequestBody()) {
          ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(body);
          receiver.received.addAll(request.getResourceSpansList());
          String tenant = exchange.getRequestHeaders().getFirst("x-test-tenant");
          if (tenant != null) {
            receiver.headers.add(tenant);
          }
          exchange.getResponseHeaders().add("content-type", "application/x-protobuf");
          exchange.sendResponseHeaders(200, 0);
        } catch (IOException | RuntimeException e) {
          exchange.sendResponseHeaders(400, -1);
        } finally {
          exchange.close();
        }
      });
      server.start();
      return receiver;
    }

    int port() {
      return server.getAddress().getPort();
    }

    List<String> headers() {
      return List.copyOf(headers);
    }

    List<String> serviceNames() {
      return received.stream().map(r -> attribute(r, "service.name")).distinct().toList();
    }

    private record Received(String node, Span span) {}

    private List<Received> spans() {
      List<Received> all = new ArrayList<>();
      for (ResourceSpans r : received) {
        String node = attribute(r, "service.instance.id");
        for (ScopeSpans scope : r.getScopeSpansList()) {
          for (Span span : scope.getSpansList()) {
            all.add(new Received(node, span));
          }
        }
      }
      return all;
    }

    /** Whether deliver@n3 has the parents forward@n2, forward@n1, send@n0, api.send@n0. */
    boolean chainComplete() {
      List<Received> all = spans();
      Map<String, Received> byId = all.stream().collect(Collectors.toMap(
          r -> hex(r.span().getSpanId().toByteArray()), Function.identity(), (a, b) -> a));
      String[][] expected = {
          {"meshd.deliver", "n3"}, {"meshd.forward", "n2"}, {"meshd.forward", "n1"},
          {"meshd.send", "n0"}, {"meshd.api.send", "n0"}};
      for (Received deliver : all) {
        Received at = deliver;
        int matched = 0;
        for (String[] step : expected) {
          if (at == null || !at.span().getName().equals(step[0]) || !at.node().equals(step[1])
              || !at.span().getTraceId().equals(deliver.span().getTraceId())) {
            break;
          }
          matched++;
          at = byId.get(hex(at.span().getParentSpanId().toByteArray()));
        }
        if (matched == expected.length) {
          return true;
        }
      }
      return false;
    }

    String describe() {
      return spans().stream().map(r -> r.span().getName() + "@" + r.node()).toList().toString();
    }

    private static String hex(byte[] bytes) {
      return HexFormat.of().formatHex(bytes);
    }

    private static String attribute(ResourceSpans r, String key) {
      return StreamSupport.stream(r.getResource().getAttributesList().spliterator(), false)
          .filter(kv -> kv.getKey().equals(key)).map(KeyValue::getValue)
          .map(v -> v.getStringValue()).findFirst().orElse("");
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }
}
