package dev.x0tta6bl4.chaos;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sends {@code POST /v1/messages} with {@code "wait": true} to one node's local API on loopback,
 * either closed-loop (a fixed number of clients, each sending its next message when the previous
 * answered: the calibration of capacity) or open-loop (a fixed arrival rate, whatever the answers:
 * overload). Every run is bounded in count and time, and every answer is recorded: when it was
 * sent (wall clock, to compare with incident timestamps), status, error code, round trip.
 */
final class LoadDriver implements AutoCloseable {
  /** One answered request. */
  record Result(Instant sentAt, long sentNanos, int status, String code, String retryAfter,
      long roundTripNanos, long meshRoundTripNanos) {
    boolean delivered() {
      return status == 200 && "delivered".equals(code);
    }

    boolean shed() {
      return status == 429 && "overloaded".equals(code);
    }
  }

  private static final Pattern ROUND_TRIP = Pattern.compile("\"round_trip_ms\"\\s*:\\s*([0-9.]+)");
  private static final Pattern STATUS = Pattern.compile("\"(status|code)\"\\s*:\\s*\"([a-z_]+)\"");

  private final HttpClient http;
  private final URI uri;
  private final String body;
  private final ScheduledExecutorService pacer =
      Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "load-driver-pacer");
        t.setDaemon(true);
        return t;
      });

  LoadDriver(InetSocketAddress api, String destination, int payloadBytes) {
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2)).build();
    this.uri = URI.create("http://127.0.0.1:" + api.getPort() + "/v1/messages");
    this.body = "{\"destination\":\"" + destination + "\",\"topic\":\"load\",\"payload\":\""
        + "x".repeat(payloadBytes) + "\",\"wait\":true,\"wait_timeout_ms\":5000}";
  }

  private CompletableFuture<Result> send() {
    Instant at = Instant.now();
    long t0 = System.nanoTime();
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
        .handle((response, error) -> {
          long rt = System.nanoTime() - t0;
          if (error != null) {
            return new Result(at, t0, -1, error.getClass().getSimpleName(), null, rt, -1);
          }
          return new Result(at, t0, response.statusCode(), code(response.body()),
              response.headers().firstValue("retry-after").orElse(null), rt,
              meshRoundTrip(response.body()));
        });
  }

  /** The node's send-to-ack time reported with a delivered answer, or -1. */
  private static long meshRoundTrip(String body) {
    Matcher m = ROUND_TRIP.matcher(body);
    return m.find() ? (long) (Double.parseDouble(m.group(1)) * 1e6) : -1;
  }

  /** "delivered"/"failed"/"pending"/"accepted" for 2xx answers, the error code otherwise. */
  private static String code(String body) {
    Matcher m = STATUS.matcher(body);
    String found = "unparsed";
    while (m.find()) {
      found = m.group(2);
      if (m.group(1).equals("code")) {
        break;
      }
    }
    return found;
  }

  /**
   * {@code clients} clients each send back to back for {@code duration}; returns every answer.
   */
  List<Result> closedLoop(int clients, Duration duration) {
    long end = System.nanoTime() + duration.toNanos();
    ConcurrentLinkedQueue<Result> results = new ConcurrentLinkedQueue<>();
    List<CompletableFuture<Void>> loops = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      loops.add(loop(end, results));
    }
    CompletableFuture.allOf(loops.toArray(CompletableFuture[]::new))
        .orTimeout(duration.toSeconds() + 15, TimeUnit.SECONDS).join();
    return new ArrayList<>(results);
  }

  private CompletableFuture<Void> loop(long end, ConcurrentLinkedQueue<Result> results) {
    if (System.nanoTime() >= end) {
      return CompletableFuture.completedFuture(null);
    }
    return send().thenCompose(r -> {
      results.add(r);
      return loop(end, results);
    });
  }

  /** An open-loop run in progress; {@link #stop()} ends it early, {@link #await()} collects. */
  final class Run {
    private final ConcurrentLinkedQueue<Result> results = new ConcurrentLinkedQueue<>();
    private final List<CompletableFuture<Result>> pending = new ArrayList<>();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicInteger outstanding = new AtomicInteger();
    private final long maxCount;
    private final int maxOutstanding;
    private volatile ScheduledFuture<?> task;
    private final AtomicLong skipped = new AtomicLong();

    private Run(long maxCount, int maxOutstanding) {
      this.maxCount = maxCount;
      this.maxOutstanding = maxOutstanding;
    }

    private void tick() {
      if (sent.get() >= maxCount) {
        task.cancel(false);
        return;
      }
      sent.incrementAndGet();
      if (outstanding.get() >= maxOutstanding) {
        skipped.incrementAndGet(); // never unbounded: counted, and the test reports it
        return;
      }
      outstanding.incrementAndGet();
      CompletableFuture<Result> f = send().whenComplete((r, e) -> {
        outstanding.decrementAndGet();
        if (r != null) {
          results.add(r);
        }
      });
      synchronized (pending) {
        pending.add(f);
      }
    }

    void stop() {
      task.cancel(false);
    }

    long skipped() {
      return skipped.get();
    }

    /** Results so far (answered requests). */
    List<Result> results() {
      return new ArrayList<>(results);
    }

    /** Stops sending and waits (bounded) for every answer; returns them all. */
    List<Result> await() {
      stop();
      List<CompletableFuture<Result>> all;
      synchronized (pending) {
        all = new ArrayList<>(pending);
      }
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
          .orTimeout(20, TimeUnit.SECONDS).exceptionally(e -> null).join();
      return results();
    }
  }

  /**
   * Starts sending at {@code perSecond} for at most {@code duration} and at most {@code
   * perSecond * duration} messages, with at most {@code maxOutstanding} unanswered.
   */
  Run openLoop(double perSecond, Duration duration, int maxOutstanding) {
    long count = (long) Math.ceil(perSecond * duration.toNanos() / 1e9);
    Run run = new Run(count, maxOutstanding);
    long period = (long) (1e9 / perSecond);
    run.task = pacer.scheduleAtFixedRate(run::tick, period, period, TimeUnit.NANOSECONDS);
    return run;
  }

  @Override
  public void close() {
    pacer.shutdownNow();
  }
}
