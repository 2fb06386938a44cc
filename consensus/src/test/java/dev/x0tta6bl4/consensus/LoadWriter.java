package dev.x0tta6bl4.consensus;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A background writer bounded in count, time and writes in flight: puts unique keys
 * {@code w0, w1, ...} through a target store the test can switch, and remembers the version of
 * every acknowledged write and the type of every failure. Its own thread; {@link #stop} joins it
 * and waits for the writes in flight.
 */
final class LoadWriter {
  private final AtomicReference<ReplicatedStore> target;
  private final int maxInFlight;
  private final int maxWrites;
  private final Duration maxTime;
  private final Semaphore window;
  private final Map<String, Long> acked = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
  private final AtomicInteger sent = new AtomicInteger();
  private final Thread thread;
  private volatile boolean stopping;

  LoadWriter(ReplicatedStore first, int maxInFlight, int maxWrites, Duration maxTime) {
    this.target = new AtomicReference<>(first);
    this.maxInFlight = maxInFlight;
    this.maxWrites = maxWrites;
    this.maxTime = maxTime;
    this.window = new Semaphore(maxInFlight);
    this.thread = new Thread(this::run, "load-writer");
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  void retarget(ReplicatedStore store) {
    target.set(store);
  }

  private void run() {
    long deadline = System.nanoTime() + maxTime.toNanos();
    try {
      for (int i = 0; i < maxWrites && !stopping && System.nanoTime() < deadline; i++) {
        if (!window.tryAcquire(1, TimeUnit.SECONDS)) {
          i--;
          continue; // re-check stop and deadline
        }
        String key = "w" + i;
        sent.incrementAndGet();
        target.get().put(key, ThreeVoterClusterTest.value(i)).whenComplete((v, e) -> {
          if (e == null) {
            acked.put(key, v);
          } else {
            Throwable cause = ReplicatedStore.map(e);
            failures.computeIfAbsent(cause.getClass().getSimpleName(),
                k -> new AtomicInteger()).incrementAndGet();
            if (cause.getClass() == ConsensusException.class) {
              unexpected.add(e); // only the typed subclasses are expected
            }
          }
          window.release();
        });
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Waits until at least {@code n} writes were acknowledged. */
  void awaitAcked(int n, Duration timeout) {
    TestCluster.await(timeout, () -> acked.size() >= n, n + " acknowledged writes (have "
        + acked.size() + ", " + summary() + ")");
  }

  int acked() {
    return acked.size();
  }

  /** Stops sending and waits (bounded) for the writes in flight to finish. */
  void stop() throws InterruptedException {
    stopping = true;
    thread.join(TimeUnit.SECONDS.toMillis(30));
    if (!window.tryAcquire(maxInFlight, 60, TimeUnit.SECONDS)) {
      throw new AssertionError("writes still in flight after 60 s: " + summary());
    }
  }

  Map<String, Long> ackedVersions() {
    return Map.copyOf(acked);
  }

  java.util.List<Throwable> unexpected() {
    return java.util.List.copyOf(unexpected);
  }

  String summary() {
    return sent.get() + " sent, " + acked.size() + " acknowledged, failures " + new TreeMap<>(
        failures);
  }
}
