package dev.x0tta6bl4.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.http.HttpMethod;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class HttpServerEventStreamTest {
  private static MultiThreadIoEventLoopGroup group;

  private final PrometheusMeterRegistry registry = MeshdMetrics.create("test");
  private final CompletableFuture<EventStream> opened = new CompletableFuture<>();
  private final CountDownLatch closed = new CountDownLatch(1);
  private final AtomicInteger openCalls = new AtomicInteger();
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

  private HttpServer start(int bufferEvents, Duration heartbeat) {
    server = HttpServer.builder(group, registry).name("api").bindAddress("127.0.0.1", 0)
        .streamHeartbeat(heartbeat)
        .route(HttpMethod.GET, "/events", HttpHandler.inline(r ->
            HttpResponse.eventStream(bufferEvents, stream -> {
              openCalls.incrementAndGet();
              stream.onClose(closed::countDown);
              opened.complete(stream);
            })))
        .build().start();
    return server;
  }

  private EventStream awaitOpened() throws Exception {
    return opened.get(10, TimeUnit.SECONDS);
  }

  private double events(String outcome) {
    var counter = registry.find(HttpServerMetrics.STREAM_EVENTS)
        .tags("server", "api", "route", "/events", "outcome", outcome).counter();
    return counter == null ? 0 : counter.count();
  }

  /** Polls {@code condition} for at most {@code limit}; false if it never held. */
  private static boolean awaitUpTo(Duration limit, java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      java.util.concurrent.locks.LockSupport.parkNanos(100_000);
    }
    return true;
  }

  private double openGauge() {
    return registry.get(HttpServerMetrics.STREAMS_OPEN).tag("server", "api").gauge().value();
  }

  @Test
  void stream_eventsSentFromAnotherThread_arriveInOrderAsServerSentEvents() throws Exception {
    start(16, Duration.ofSeconds(15));
    try (SseTestClient client = SseTestClient.open(server.boundAddress(), "/events")) {
      client.startReading();
      EventStream stream = awaitOpened();

      // The test thread is not an event loop: sends hop onto the connection's loop.
      assertThat(stream.send(new ServerSentEvent("message", "id-1", "first"))).isTrue();
      assertThat(stream.send(ServerSentEvent.of(null, "two\r\nlines"))).isTrue();
      List<String> lines = client.readUntil(l -> l.equals("data: lines"));

      assertThat(client.head())
          .startsWith("HTTP/1.1 200 OK")
          .containsIgnoringCase("content-type: text/event-stream")
          .containsIgnoringCase("transfer-encoding: chunked")
          .containsIgnoringCase("connection: close")
          .containsIgnoringCase("cache-control: no-store");
      assertThat(lines).containsExactly(
          "id: id-1", "event: message", "data: first", "", "data: two", "data: lines");
      assertThat(events("sent")).isEqualTo(2);
      assertThat(openGauge()).isEqualTo(1);
    }
  }

  @Test
  void stream_clientDisconnects_onCloseRunsAndStreamRefusesEvents() throws Exception {
    start(16, Duration.ofSeconds(15));
    SseTestClient client = SseTestClient.open(server.boundAddress(), "/events");
    EventStream stream = awaitOpened();

    client.close();

    assertThat(closed.await(10, TimeUnit.SECONDS)).as("onClose ran").isTrue();
    assertThat(stream.isOpen()).isFalse();
    assertThat(stream.send(ServerSentEvent.of(null, "late"))).isFalse();
    assertThat(TestHttp.await(() -> openGauge() == 0 && server.openStreams() == 0)).isTrue();
  }

  @Test
  void stream_handlerCloses_finalChunkEndsBodyAndConnection() throws Exception {
    start(16, Duration.ofSeconds(15));
    try (SseTestClient client = SseTestClient.open(server.boundAddress(), "/events")) {
      client.startReading();
      EventStream stream = awaitOpened();
      stream.send(ServerSentEvent.of(null, "bye"));

      stream.close();

      // Queued events may be discarded by close; the body must end with the final chunk.
      assertThat(client.readUntil(l -> l.equals(SseTestClient.END) || l.equals(SseTestClient.EOF)))
          .last().isEqualTo(SseTestClient.END);
      assertThat(closed.await(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void stream_serverClose_endsStreamCleanlyAndRunsOnClose() throws Exception {
    start(16, Duration.ofSeconds(15));
    try (SseTestClient client = SseTestClient.open(server.boundAddress(), "/events")) {
      client.startReading();
      EventStream stream = awaitOpened();
      stream.send(ServerSentEvent.of(null, "before close"));
      client.readUntil(l -> l.equals("data: before close"));

      server.close();

      assertThat(client.readUntil(l -> l.equals(SseTestClient.END) || l.equals(SseTestClient.EOF)))
          .last().isEqualTo(SseTestClient.END);
      assertThat(closed.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(stream.isOpen()).isFalse();
    }
  }

  @Test
  void stream_clientNotReading_eventsBeyondBufferDroppedCountedAndNotified() throws Exception {
    start(4, Duration.ofSeconds(15));
    String big = "x".repeat(16 * 1024);
    // A small receive window keeps the socket buffers (and the test) small.
    try (SseTestClient client =
        SseTestClient.open(server.boundAddress(), "GET", "/events", 16 * 1024)) {
      EventStream stream = awaitOpened();

      // The client reads nothing. Each accepted event is given up to 50 ms to be written, so
      // the loop only moves on to refusals once the socket buffers are full (the channel is
      // unwritable) and the 4-event buffer has filled behind them. Bounded: 100,000 sends.
      int sent = 0;
      for (int i = 0; i < 100_000 && stream.droppedEvents() < 50; i++) {
        if (stream.send(ServerSentEvent.of(null, big))) {
          int accepted = ++sent;
          awaitUpTo(Duration.ofMillis(50), () -> events("sent") == accepted);
        }
      }
      long dropped = stream.droppedEvents();

      assertThat(dropped).as("send refused once the buffer was full").isEqualTo(50);
      assertThat(events("dropped")).isEqualTo(dropped);
      assertThat(events("sent")).as("the last accepted events wait: the client is stuck")
          .isEqualTo(sent - 4);
      assertThat(stream.isOpen()).isTrue();

      client.startReading();
      List<String> lines = client.readUntil(l -> l.startsWith("data: {\"dropped\""));
      assertThat(lines.get(lines.size() - 2)).isEqualTo("event: dropped");
      // Usually one notice carries every loss; if the socket drained a little meanwhile, several.
      long seen = Long.parseLong(lines.get(lines.size() - 1).replaceAll("\\D", ""));
      assertThat(TestHttp.await(() -> stream.send(ServerSentEvent.of("after", "still open"))))
          .as("buffer has room once the client reads").isTrue();
      List<String> rest = client.readUntil(l -> l.equals("data: still open"));
      seen += rest.stream().filter(l -> l.startsWith("data: {\"dropped\""))
          .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", ""))).sum();
      assertThat(seen).isEqualTo(stream.droppedEvents());
      lines.addAll(rest);
      assertThat(lines.stream().filter(l -> l.startsWith("data: x")).count())
          .isEqualTo(sent);
      assertThat(events("sent")).isEqualTo(sent + 1);
    }
  }

  @Test
  void stream_idle_heartbeatCommentKeepsConnectionAlive() throws Exception {
    start(16, Duration.ofMillis(50));
    try (SseTestClient client = SseTestClient.open(server.boundAddress(), "/events")) {
      client.startReading();
      awaitOpened();

      assertThat(client.readUntil(l -> l.equals(":"))).last().isEqualTo(":");
    }
  }

  @Test
  void stream_headRequest_answersHeadWithoutOpeningStream() throws Exception {
    start(16, Duration.ofSeconds(15));

    String raw = TestHttp.exchangeRaw(server.boundAddress(),
        "HEAD /events HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

    assertThat(raw).startsWith("HTTP/1.1 200 OK").containsIgnoringCase("text/event-stream");
    assertThat(openCalls).hasValue(0);
  }

  @Test
  void stream_openCallbackThrows_streamEndsAndConnectionCloses() throws Exception {
    server = HttpServer.builder(group, registry).name("api").bindAddress("127.0.0.1", 0)
        .route(HttpMethod.GET, "/events", HttpHandler.inline(r ->
            HttpResponse.eventStream(4, stream -> {
              throw new IllegalStateException("cannot subscribe");
            })))
        .build().start();
    try (SseTestClient client = SseTestClient.open(server.boundAddress(), "/events")) {
      client.startReading();

      assertThat(client.readUntil(l -> l.equals(SseTestClient.END) || l.equals(SseTestClient.EOF)))
          .last().isEqualTo(SseTestClient.END);
      assertThat(TestHttp.await(() -> server.openStreams() == 0)).isTrue();
    }
  }

  @Test
  void builder_heartbeatNotBelowIdleTimeout_throws() {
    assertThatThrownBy(() -> HttpServer.builder(group, registry)
            .idleTimeout(Duration.ofSeconds(5)).streamHeartbeat(Duration.ofSeconds(5)).build())
        .isInstanceOf(ObservabilityException.class)
        .hasMessageContaining("streamHeartbeat");
  }

  @Test
  void event_encode_splitsLinesAndRejectsLineBreaksInIdAndType() {
    byte[] wire = new ServerSentEvent("t", "7", "a\nb\rc\r\n").encode();

    assertThat(new String(wire, StandardCharsets.UTF_8))
        .isEqualTo("id: 7\nevent: t\ndata: a\ndata: b\ndata: c\ndata: \n\n");
    assertThatThrownBy(() -> new ServerSentEvent("a\nb", null, ""))
        .isInstanceOf(ObservabilityException.class).hasMessageContaining("event");
    assertThatThrownBy(() -> new ServerSentEvent(null, "1\r", ""))
        .isInstanceOf(ObservabilityException.class).hasMessageContaining("id");
  }
}
