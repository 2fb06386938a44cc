package dev.x0tta6bl4.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Request counter and duration timer of one {@link HttpServer}. Tags are bounded: {@code server}
 * (the server name), {@code route} (a registered path or {@code unmatched}) and {@code status}
 * (status class such as {@code 2xx}). Event streams add {@code meshd.http.streams.open} (gauge,
 * per server) and {@code meshd.http.stream.events} (counter, per server, route and {@code
 * outcome}: {@code sent} or {@code dropped}). Thread-safe (Micrometer meters are).
 */
final class HttpServerMetrics {
  static final String REQUESTS = "meshd.http.requests";
  static final String DURATION = "meshd.http.request.duration";
  static final String STREAMS_OPEN = "meshd.http.streams.open";
  static final String STREAM_EVENTS = "meshd.http.stream.events";

  private final MeterRegistry registry;
  private final String server;
  private final AtomicInteger openStreams = new AtomicInteger();

  HttpServerMetrics(MeterRegistry registry, String server) {
    this.registry = registry;
    this.server = server;
    Gauge.builder(STREAMS_OPEN, openStreams, AtomicInteger::get)
        .description("Event streams (server-sent events) currently open")
        .tag("server", server)
        .register(registry);
  }

  /** Counts a stream as open; {@link #streamClosed()} undoes it. */
  void streamOpened() {
    openStreams.incrementAndGet();
  }

  void streamClosed() {
    openStreams.decrementAndGet();
  }

  /** The counter of events of one stream route with {@code outcome} sent or dropped. */
  Counter streamEvents(String route, String outcome) {
    return Counter.builder(STREAM_EVENTS)
        .description("Server-sent events written to clients, or dropped because a client was slow")
        .tags("server", server, "route", route, "outcome", outcome)
        .register(registry);
  }

  /** Starts timing a request on the registry's clock. */
  Timer.Sample start() {
    return Timer.start(registry);
  }

  /** Counts a finished request and records its duration. */
  void record(String route, int status, Timer.Sample sample) {
    String statusClass = (status / 100) + "xx";
    Counter.builder(REQUESTS)
        .description("HTTP requests answered")
        .tags("server", server, "route", route, "status", statusClass)
        .register(registry)
        .increment();
    sample.stop(
        Timer.builder(DURATION)
            .description("Time from a request being read to its response being written")
            .tags("server", server, "route", route, "status", statusClass)
            .serviceLevelObjectives(
                Duration.ofMillis(1),
                Duration.ofMillis(5),
                Duration.ofMillis(25),
                Duration.ofMillis(100),
                Duration.ofMillis(500),
                Duration.ofMillis(2500))
            .register(registry));
  }
}
