package dev.x0tta6bl4.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.x0tta6bl4.chaos.MeshdProcessCluster.Node;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6, leader loss as a real crash: three {@code meshd run} JVMs form a Raft group on
 * 127.0.0.1 with the default consensus timeouts; while one writer per survivor keeps writing
 * through that node's local API, the leader's JVM gets SIGKILL. Measured per trial: the time from
 * the signal to the first acknowledgement of a write that a probe on a survivor submits right
 * after the signal (retried at once when it fails). Checked per trial: a linearizable read issued
 * on the other survivor right after the signal waits for the new leader and answers the value
 * acknowledged before the kill (or, should no leader be elected within the node's 10 s request
 * timeout, answers 503 {@code no_quorum} no sooner than that); every write acknowledged before,
 * during and after the kill is read back with its acknowledged version, linearizably through a
 * survivor and, once the killed node is restarted on its own storage and has caught up, from its
 * local state.
 */
class LeaderKillIT {
  private static final Duration LEADER_DEADLINE = Duration.ofSeconds(30);
  private static final Duration PROBE_DEADLINE = Duration.ofSeconds(30);
  /** Writes acknowledged on each survivor before the kill, and again after writes resumed. */
  private static final int WRITES_AROUND_KILL = 20;
  /** Bounds of one writer in one trial; the trial ends long before either. */
  private static final int MAX_WRITES_PER_TRIAL = 5_000;
  private static final Duration MAX_WRITING = Duration.ofSeconds(120);
  /** The nodes' consensus.request-timeout (the default): how long a read may wait for a leader. */
  private static final Duration NODE_REQUEST_TIMEOUT = Duration.ofSeconds(10);

  /** Kept when a test fails: the nodes' logs are in it. */
  @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir;

  @Test
  void leaderKilled_oneTrial_writesResumeAndNothingAcknowledgedIsLost() throws Exception {
    // One trial in the default run: two took 114 s on the loaded 2-core machine (three JVM
    // starts, one restart per trial); the ten-trial measurement is tagged chaos-full.
    List<Long> millis = runTrials(1);
    assertThat(millis).hasSize(1).allMatch(ms -> ms < PROBE_DEADLINE.toMillis());
  }

  @Test
  @Tag("chaos-full")
  void leaderKilled_tenTrials_timeToFirstWrite() throws Exception {
    List<Long> millis = runTrials(10);
    assertThat(millis).hasSize(10);
  }

  private List<Long> runTrials(int trials) throws Exception {
    List<Long> millis = new ArrayList<>();
    try (MeshdProcessCluster cluster = MeshdProcessCluster.start(dir.resolve("cluster"), 3)) {
      for (int trial = 0; trial < trials; trial++) {
        millis.add(trial(cluster, trial));
      }
    }
    List<Long> sorted = millis.stream().sorted().toList();
    System.out.printf("figure: first write after kill -9 of the leader's JVM, %d trials: %s ms;"
        + " p50 %d ms, p95 %d ms%n", trials, millis, percentile(sorted, 50),
        percentile(sorted, 95));
    return millis;
  }

  /** Nearest-rank percentile: of ten samples, p50 is the 5th and p95 the 10th (largest). */
  static long percentile(List<Long> sorted, int p) {
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }

  private long trial(MeshdProcessCluster cluster, int trial) throws Exception {
    long started = System.nanoTime();
    String leader = cluster.awaitLeader(LEADER_DEADLINE);
    List<Node> survivors = cluster.nodes().stream().filter(n -> !n.id.equals(leader)).toList();
    Node probeNode = survivors.get(trial % survivors.size());
    KvHttp http = cluster.http();
    ConcurrentLinkedQueue<Acked> acked = new ConcurrentLinkedQueue<>();
    AtomicInteger unknown = new AtomicInteger();
    AtomicBoolean stop = new AtomicBoolean();
    List<Writer> writers = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(survivors.size() + 1);
    Node readNode = survivors.stream().filter(n -> n != probeNode).findFirst().orElseThrow();
    Future<ReadProbe> readProbe;
    long killedAt;
    java.time.Instant killedWall;
    long killedPid = cluster.node(leader).pid();
    long firstWriteMs;
    String newLeader;
    try {
      List<Future<?>> running = new ArrayList<>();
      for (Node survivor : survivors) {
        Writer writer = new Writer(http, survivor.api(), "t" + trial + "/" + survivor.id + "/",
            acked, unknown, stop);
        writers.add(writer);
        running.add(pool.submit(writer));
      }
      MeshdProcessCluster.await(() -> writers.stream()
              .allMatch(w -> w.acknowledged.get() >= WRITES_AROUND_KILL), LEADER_DEADLINE,
          () -> "writes flowing on both survivors: " + cluster.describe());

      Acked beforeKill = acked.peek();
      killedWall = java.time.Instant.now();
      killedAt = cluster.kill(leader);
      long readFrom = killedAt;
      readProbe = pool.submit(() -> readOnce(http, readNode.api(), beforeKill, readFrom));
      int attempt = 0;
      while (true) {
        String key = "t" + trial + "/probe/" + attempt++;
        try {
          long version = http.put(probeNode.api(), key, key);
          firstWriteMs = (System.nanoTime() - killedAt) / 1_000_000;
          acked.add(new Acked(key, version));
          break;
        } catch (IOException e) {
          unknown.incrementAndGet(); // 503 no_quorum or a broken connection: outcome unknown
          assertThat(System.nanoTime() - killedAt).as("writes resume within %s; last: %s",
              PROBE_DEADLINE, e).isLessThan(PROBE_DEADLINE.toNanos());
        }
      }
      int[] before = writers.stream().mapToInt(w -> w.acknowledged.get()).toArray();
      MeshdProcessCluster.await(() -> {
        for (int i = 0; i < writers.size(); i++) {
          if (writers.get(i).acknowledged.get() < before[i] + WRITES_AROUND_KILL) {
            return false;
          }
        }
        return true;
      }, LEADER_DEADLINE, () -> "writes resumed on both survivors: " + cluster.describe());
      stop.set(true);
      for (Future<?> writer : running) {
        writer.get(KvHttp.REQUEST_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
      }
      ReadProbe read = readProbe.get(KvHttp.REQUEST_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
      System.out.printf("trial %d: linearizable read on %s issued at the SIGKILL: %s%n", trial,
          readNode.id, read);
      if (read.failure() == null) {
        assertThat(read.read()).as("read of %s on %s", beforeKill, readNode.id)
            .contains(new KvHttp.Read(beforeKill.version, beforeKill.key));
      } else {
        assertThat(read.failure()).as("a read during the election waits for a leader")
            .isInstanceOf(KvHttp.ApiException.class).hasMessageContaining("no_quorum");
        assertThat(read.millis()).as("503 only after the node's request timeout: %s", read)
            .isGreaterThanOrEqualTo(NODE_REQUEST_TIMEOUT.toMillis() - 500);
      }
      cluster.awaitExit(leader);
      newLeader = cluster.awaitLeader(LEADER_DEADLINE);
    } finally {
      stop.set(true);
      pool.shutdownNow();
    }
    assertThat(newLeader).as("a new leader among the survivors").isNotEqualTo(leader);
    JsonNode elected = cluster.cluster(cluster.node(newLeader));
    long term = elected == null ? -1 : elected.path("term").asLong();
    String electedAfter = cluster.becameLeaderAt(newLeader, term)
        .map(at -> java.time.Duration.between(killedWall, at).toMillis() + " ms")
        .orElse("?");
    String readyAfter = cluster.leaderReadyAt(newLeader, term)
        .map(at -> java.time.Duration.between(killedWall, at).toMillis() + " ms")
        .orElse("?");

    long written = System.nanoTime();

    // Every acknowledged write, linearizably through a survivor.
    List<Acked> writes = List.copyOf(acked);
    assertReadable(http, survivors.get(0).api(), writes, false);
    long checked = System.nanoTime();

    // The killed node back on its own storage: once caught up, its local state has them all.
    cluster.start(leader);
    long restarted = System.nanoTime();
    JsonNode leaderStatus = cluster.cluster(cluster.node(newLeader));
    assertThat(leaderStatus).as("status of the new leader " + newLeader).isNotNull();
    cluster.awaitApplied(leader, leaderStatus.path("commit_index").asLong(),
        MeshdProcessCluster.START_DEADLINE);
    assertReadable(http, cluster.node(leader).api(), writes, true);
    long done = System.nanoTime();

    System.out.printf("trial %d: killed leader %s (pid %s) at %s; first write on %s %d ms after"
        + " SIGKILL; new leader %s (its log: leader %s, ready %s after SIGKILL); %d writes"
        + " acknowledged,"
        + " all read back from %s and from the restarted %s; %d with unknown outcome (%d ms"
        + " writing, %d ms reading back, %d ms restart, %d ms catch-up and local reads)%n",
        trial, leader, killedPid, killedWall, probeNode.id, firstWriteMs, newLeader,
        electedAfter, readyAfter,
        writes.size(), survivors.get(0).id, leader, unknown.get(),
        (written - started) / 1_000_000, (checked - written) / 1_000_000,
        (restarted - checked) / 1_000_000, (done - restarted) / 1_000_000);
    return firstWriteMs;
  }

  private static void assertReadable(KvHttp http, URI api, List<Acked> writes, boolean stale)
      throws Exception {
    List<String> wrong = new ArrayList<>();
    for (Acked write : writes) {
      Optional<KvHttp.Read> read = readRetryingUnavailable(http, api, write.key, stale);
      if (read.isEmpty()) {
        wrong.add(write.key + " missing");
      } else if (read.get().version() != write.version || !read.get().value().equals(write.key)) {
        wrong.add(write.key + " read version " + read.get().version() + " value '"
            + read.get().value() + "', acknowledged version " + write.version);
      }
    }
    assertThat(wrong).as("acknowledged writes read from %s (%s), %d checked", api,
        stale ? "stale" : "linearizable", writes.size()).isEmpty();
  }

  /** One linearizable read, not retried: its outcome and how long after {@code fromNanos}. */
  private static ReadProbe readOnce(KvHttp http, URI api, Acked write, long fromNanos)
      throws InterruptedException {
    try {
      Optional<KvHttp.Read> read = http.get(api, write.key, false);
      return new ReadProbe((System.nanoTime() - fromNanos) / 1_000_000, read, null);
    } catch (IOException e) {
      return new ReadProbe((System.nanoTime() - fromNanos) / 1_000_000, Optional.empty(), e);
    }
  }

  /** Outcome of {@link #readOnce}. */
  private record ReadProbe(long millis, Optional<KvHttp.Read> read, IOException failure) {
    @Override
    public String toString() {
      return (failure == null ? "answered " + read.map(r -> "version " + r.version())
          .orElse("not found") : "failed (" + failure.getMessage() + ")") + " " + millis
          + " ms after SIGKILL";
    }
  }

  /**
   * A linearizable read waits for a leader up to the node's request timeout and then answers
   * 503 (a loaded machine can see a new election after the one the test waited for, even one
   * longer than that timeout); like any client, retry it for a while.
   */
  private static Optional<KvHttp.Read> readRetryingUnavailable(KvHttp http, URI api, String key,
      boolean stale) throws Exception {
    long until = System.nanoTime() + LEADER_DEADLINE.toNanos();
    while (true) {
      try {
        return http.get(api, key, stale);
      } catch (KvHttp.ApiException e) {
        if (e.status != 503 || System.nanoTime() - until > 0) {
          throw e;
        }
        TimeUnit.MILLISECONDS.sleep(20); // the poll interval of MeshdProcessCluster.await
      }
    }
  }

  /** A write the node acknowledged: key (also its value) and version. */
  private record Acked(String key, long version) {}

  /** Writes unique keys one at a time through one node's API until told to stop. */
  private static final class Writer implements Runnable {
    private final KvHttp http;
    private final URI api;
    private final String prefix;
    private final ConcurrentLinkedQueue<Acked> acked;
    private final AtomicInteger unknown;
    private final AtomicBoolean stop;
    final AtomicInteger acknowledged = new AtomicInteger();

    Writer(KvHttp http, URI api, String prefix, ConcurrentLinkedQueue<Acked> acked,
        AtomicInteger unknown, AtomicBoolean stop) {
      this.http = http;
      this.api = api;
      this.prefix = prefix;
      this.acked = acked;
      this.unknown = unknown;
      this.stop = stop;
    }

    @Override
    public void run() {
      long until = System.nanoTime() + MAX_WRITING.toNanos();
      for (int i = 0; i < MAX_WRITES_PER_TRIAL && !stop.get() && System.nanoTime() < until; i++) {
        String key = prefix + i;
        try {
          acked.add(new Acked(key, http.put(api, key, key)));
          acknowledged.incrementAndGet();
        } catch (IOException e) {
          unknown.incrementAndGet();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }
}
