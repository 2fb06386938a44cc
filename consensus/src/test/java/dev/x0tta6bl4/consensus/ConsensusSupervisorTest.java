package dev.x0tta6bl4.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.x0tta6bl4.consensus.ConsensusException.DiskFullException;
import dev.x0tta6bl4.consensus.ConsensusException.StorageFailureException;
import dev.x0tta6bl4.consensus.SupervisorStatus.Health;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.raftlog.RaftLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The supervisor over a real single-voter store. Its periodic check is scheduled an hour apart,
 * so only the test runs it ({@code checkNow()}), after moving the fake clock or the fake disk.
 */
class ConsensusSupervisorTest {
  private static final Duration LONG = Duration.ofSeconds(30);
  private static final long MIB = 1 << 20;

  @TempDir Path dir;
  private final FakeClock clock = new FakeClock();
  private final AtomicLong free = new AtomicLong(1L << 40);
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private ConsensusSupervisor supervisor;

  @AfterEach
  void stop() {
    if (supervisor != null) {
      supervisor.close();
    }
    scheduler.shutdownNow();
  }

  private ConsensusSupervisor start(SupervisorConfig.Builder settings) throws IOException {
    ConsensusConfig config = ConsensusConfig.builder("n1", dir.resolve("n1"))
        .voters(List.of(new Voter("n1", "127.0.0.1", TestCluster.freePort())))
        .clock(clock).build();
    supervisor = ConsensusSupervisor.start(config, settings.checkInterval(Duration.ofHours(1))
        .diskProbe(d -> {
          if (free.get() < 0) {
            throw new IOException("statfs failed (test)");
          }
          return free.get();
        }).build(), registry, scheduler);
    awaitLeader();
    return supervisor;
  }

  /**
   * Waits until the single voter leads and is ready: a linearizable read succeeds only after
   * the leader's first entry of its term is applied, so no start-up entry arrives later.
   */
  private void awaitLeader() {
    TestCluster.await(LONG, () -> supervisor.store().status().role()
        == ConsensusStatus.Role.LEADER && supervisor.store().get("ready")
            .handle((v, e) -> e == null).join(), "the single voter leads and is ready");
  }

  /**
   * Waits until Ratis has appended and applied the metadata entry (the commit index) that its
   * leader writes after each commit, so the applied index no longer moves by itself.
   */
  private void awaitSettled() {
    TestCluster.await(LONG, () -> {
      try {
        RaftLog log = supervisor.store().raftServer().getDivision(
            RaftGroupId.valueOf(supervisor.store().config().groupId())).getRaftLog();
        long last = log.getLastEntryTermIndex().getIndex();
        return log.get(last).hasMetadataEntry()
            && supervisor.store().status().appliedIndex() >= last;
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }, "the commit metadata entry applied");
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static <T> T get(CompletableFuture<T> f) throws Exception {
    return f.get(20, TimeUnit.SECONDS);
  }

  private double count(String name, String... tags) {
    return registry.get(name).tags(tags).counter().count();
  }

  @Test
  void serverClosedUnderneath_checkRebuildsOnSameStorage_dataKeptAndWritesResume()
      throws Exception {
    ConsensusSupervisor s = start(SupervisorConfig.builder());
    ReplicatedStore first = s.store();
    get(first.put("a", b("1")));
    get(first.put("b", b("2")));

    first.raftServer().close(); // as Ratis does after a JVM pause beyond the close threshold
    assertThat(first.serverDown()).isPresent();
    s.checkNow();

    assertThat(s.store()).isNotSameAs(first);
    assertThat(first.isClosed()).isTrue();
    SupervisorStatus st = s.status();
    assertThat(st.rebuilds()).isEqualTo(1);
    assertThat(st.lastRebuild()).hasValueSatisfying(r -> assertThat(r.reason())
        .contains("Raft server is CLOSED"));
    assertThat(count("meshd.raft.rebuilds", "reason", "server_closed")).isEqualTo(1);
    awaitLeader();
    assertThat(get(s.store().get("a")).map(v -> new String(v.value(), StandardCharsets.UTF_8)))
        .contains("1");
    long v = get(s.store().put("c", b("3")));
    assertThat(v).isPositive();
    assertThat(get(s.store().get("b"))).isPresent();
    s.checkNow();
    assertThat(s.status().health()).isEqualTo(Health.OK);
    assertThat(s.status().rebuilds()).isEqualTo(1);
    assertThat(registry.scrape()).contains("meshd_raft_rebuilds_total{reason=\"server_closed\"} 1.0",
        "meshd_raft_disk_free_bytes", "meshd_raft_writes_refusing 0.0",
        "meshd_raft_commit_index"); // the rebuilt store registered its meters again
  }

  @Test
  void rebuildFails_retriedWithExponentialBackoff_onTheFakeClock() throws Exception {
    ConsensusSupervisor s = start(SupervisorConfig.builder()
        .rebuildBackoff(Duration.ofSeconds(10), Duration.ofSeconds(40)));
    ReplicatedStore first = s.store();
    get(first.put("a", b("1")));
    int port = first.config().self().port();
    first.raftServer().close();
    // Something else holds the Raft port, so the rebuilt server cannot bind.
    try (ServerSocket squatter = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      s.checkNow(); // attempt 1 at t=0: fails
      assertThat(count("meshd.raft.rebuild.failures")).isEqualTo(1);
      assertThat(s.status().health()).isEqualTo(Health.DOWN);
      assertThat(s.status().lastError()).hasValueSatisfying(e -> assertThat(e)
          .contains("rebuild failed"));
      assertThatThrownBy(() -> get(s.store().put("x", b("x"))))
          .hasCauseInstanceOf(StorageFailureException.class)
          .hasMessageContaining("being rebuilt");
      assertThat(get(s.store().get("a", ReadConsistency.STALE))).isPresent();

      clock.advance(Duration.ofSeconds(9));
      s.checkNow(); // before the 10 s backoff: no attempt
      assertThat(count("meshd.raft.rebuild.failures")).isEqualTo(1);
      clock.advance(Duration.ofSeconds(1));
      s.checkNow(); // attempt 2 at t=10 s: fails, next wait 20 s
      assertThat(count("meshd.raft.rebuild.failures")).isEqualTo(2);
      clock.advance(Duration.ofSeconds(19));
      s.checkNow();
      assertThat(count("meshd.raft.rebuild.failures")).isEqualTo(2);
    }
    clock.advance(Duration.ofSeconds(1));
    s.checkNow(); // attempt 3 at t=30 s: the port is free again
    assertThat(s.status().rebuilds()).isEqualTo(1);
    assertThat(s.status().health()).isEqualTo(Health.OK);
    awaitLeader();
    assertThat(get(s.store().get("a"))).isPresent();
    assertThat(get(s.store().put("b", b("2")))).isPositive();
  }

  @Test
  void diskBelowFloor_writesRefusedWithDiskFull_readsServed_thenResumeWithoutRebuild()
      throws Exception {
    ConsensusSupervisor s = start(SupervisorConfig.builder().minFreeBytes(10 * MIB));
    get(s.store().put("kept", b("v")));
    ReplicatedStore store = s.store();

    free.set(5 * MIB);
    s.checkNow();
    assertThat(s.status().health()).isEqualTo(Health.DISK_LOW);
    assertThat(s.status().writesRefused()).isTrue();
    assertThat(s.status().diskFreeBytes()).hasValue(5 * MIB);
    long revisionBefore = store.stateMachine().read(KvState::revision);
    assertThatThrownBy(() -> get(store.put("refused", b("x"))))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(DiskFullException.class)
        .hasMessageContaining("5242880 bytes free, floor 10485760");
    assertThatThrownBy(() -> get(store.submit(List.of(new KvOp.Delete("kept", 0)))))
        .hasCauseInstanceOf(DiskFullException.class);
    assertThat(get(store.get("kept"))).isPresent(); // linearizable reads still served
    assertThat(get(store.get("refused"))).isEmpty();
    assertThat(store.stateMachine().read(KvState::revision)).isEqualTo(revisionBefore);
    assertThat(count("meshd.raft.writes.refused")).isEqualTo(2);
    assertThat(registry.scrape()).contains("meshd_raft_writes_refusing 1.0",
        "meshd_raft_disk_free_bytes 5242880.0");

    free.set(11 * MIB);
    s.checkNow();
    assertThat(s.status().health()).isEqualTo(Health.OK);
    assertThat(get(store.put("after", b("y")))).isPositive();
    assertThat(s.store()).isSameAs(store);
    assertThat(s.status().rebuilds()).isZero();
  }

  @Test
  void diskProbeFails_failsOpenWithTheErrorInStatus_untilItReadsAgain() throws Exception {
    ConsensusSupervisor s = start(SupervisorConfig.builder().minFreeBytes(10 * MIB));
    free.set(-1);
    s.checkNow();
    assertThat(s.status().lastError()).hasValueSatisfying(e -> assertThat(e)
        .contains("cannot read free space", "statfs failed (test)"));
    assertThat(s.status().diskFreeBytes()).isEmpty();
    assertThat(s.status().health()).isEqualTo(Health.OK);
    assertThat(get(s.store().put("k", b("v")))).isPositive();
    assertThat(registry.get("meshd.raft.disk.free").gauge().value()).isNaN();

    free.set(20 * MIB);
    s.checkNow();
    assertThat(s.status().lastError()).isEmpty();
    assertThat(s.status().diskFreeBytes()).hasValue(20 * MIB);
  }

  @Test
  void logFailed_refusesWrites_waitsForRoomForASegment_thenRebuilds() throws Exception {
    ConsensusSupervisor s = start(SupervisorConfig.builder().minFreeBytes(0));
    ReplicatedStore first = s.store();
    get(first.put("kept", b("v")));

    // What Ratis reports when the log worker hits a full disk (the tmpfs test does it for real).
    free.set(100 << 10);
    first.stateMachine().notifyLogFailed(new IOException("No space left on device"), null);
    s.checkNow();
    assertThat(s.status().health()).isEqualTo(Health.LOG_FAILED);
    assertThat(s.store()).isSameAs(first); // no room for a segment: keep serving reads
    assertThatThrownBy(() -> get(first.put("x", b("x"))))
        .hasCauseInstanceOf(DiskFullException.class)
        .hasMessageContaining("No space left on device");
    // Ratis closed its log: linearizable reads are refused at once, stale reads are served.
    assertThatThrownBy(() -> get(first.get("kept")))
        .hasCauseInstanceOf(StorageFailureException.class)
        .hasMessageContaining("STALE reads are served");
    assertThat(get(first.get("kept", ReadConsistency.STALE))).isPresent();

    free.set(MIB); // the default 1 MiB segment fits again
    s.checkNow();
    assertThat(s.store()).isNotSameAs(first);
    assertThat(count("meshd.raft.rebuilds", "reason", "log_failed")).isEqualTo(1);
    assertThat(s.status().health()).isEqualTo(Health.OK);
    awaitLeader();
    assertThat(get(s.store().get("kept"))).isPresent();
    assertThat(get(s.store().put("after", b("y")))).isPositive();
  }

  @Test
  void logFailed_otherIoError_refusedWithStorageFailure_rebuiltAtOnce() throws Exception {
    ConsensusSupervisor s = start(SupervisorConfig.builder());
    ReplicatedStore first = s.store();
    first.stateMachine().notifyLogFailed(new IOException("Input/output error"), null);
    s.checkNow();
    assertThat(first.isClosed()).isTrue();
    assertThatThrownBy(() -> get(first.put("x", b("x"))))
        .hasCauseInstanceOf(StorageFailureException.class)
        .hasMessageContaining("being rebuilt");
    assertThat(s.status().rebuilds()).isEqualTo(1);
    awaitLeader();
    assertThat(get(s.store().put("after", b("y")))).isPositive();
  }

  @Test
  void snapshotInterval_onFakeClock_snapshotsOnlyWhenDueAndSomethingWasApplied()
      throws Exception {
    ConsensusSupervisor s = start(SupervisorConfig.builder()
        .snapshotInterval(Duration.ofMinutes(10)));
    get(s.store().put("a", b("1")));
    awaitSettled();
    s.checkNow();
    assertThat(count("meshd.raft.snapshots.timed")).isZero(); // not due yet
    clock.advance(Duration.ofMinutes(9));
    s.checkNow();
    assertThat(count("meshd.raft.snapshots.timed")).isZero();

    clock.advance(Duration.ofMinutes(1));
    s.checkNow();
    TestCluster.await(LONG, () -> count("meshd.raft.snapshots.timed") == 1, "first snapshot");
    ConsensusStatus st = s.status().raft();
    assertThat(st.lastSnapshotIndex()).isEqualTo(st.appliedIndex());
    assertThat(st.lastSnapshotAge()).contains(Duration.ZERO);

    clock.advance(Duration.ofMinutes(30)); // due, but nothing applied since
    s.checkNow();
    assertThat(count("meshd.raft.snapshots.timed")).isEqualTo(1);
    assertThat(s.status().raft().lastSnapshotAge()).contains(Duration.ofMinutes(30));

    get(s.store().put("b", b("2")));
    awaitSettled();
    s.checkNow(); // the newest snapshot is 30 min old and something changed: due at once
    TestCluster.await(LONG, () -> count("meshd.raft.snapshots.timed") == 2, "second snapshot");
    assertThat(s.status().raft().lastSnapshotIndex())
        .isEqualTo(s.status().raft().appliedIndex());
    get(s.store().put("c", b("3")));
    clock.advance(Duration.ofMinutes(9));
    s.checkNow();
    assertThat(count("meshd.raft.snapshots.timed")).isEqualTo(2);
    assertThat(count("meshd.raft.snapshots.timed.failures")).isZero();
  }

  @Test
  void removedVoter_closedByRatis_isReportedRemoved_notRebuilt() throws Exception {
    java.util.Map<String, ConsensusSupervisor> sups = new java.util.HashMap<>();
    try (TestCluster c = new TestCluster(dir, 3, b -> b.clock(clock))) {
      for (Voter v : c.voters) {
        sups.put(v.id(), ConsensusSupervisor.start(c.builder(v.id()).build(),
            SupervisorConfig.builder().checkInterval(Duration.ofHours(1))
                .diskProbe(d -> free.get()).build(),
            new io.micrometer.core.instrument.simple.SimpleMeterRegistry(), scheduler));
      }
      String[] leader = new String[1];
      TestCluster.await(LONG, () -> sups.entrySet().stream().anyMatch(e -> {
        boolean leads = e.getValue().store().status().role() == ConsensusStatus.Role.LEADER;
        if (leads) {
          leader[0] = e.getKey();
        }
        return leads;
      }), "a leader");
      ConsensusSupervisor other = sups.entrySet().stream()
          .filter(e -> !e.getKey().equals(leader[0])).findFirst().orElseThrow().getValue();
      get(other.store().put("a", b("1")));
      get(other.store().removeVoter(leader[0]));
      ConsensusSupervisor removed = sups.get(leader[0]);
      // Ratis closes a removed member's server once the others answer its vote requests.
      TestCluster.await(LONG, () -> removed.store().serverDown().isPresent(),
          "Ratis closes the removed member " + leader[0]);
      removed.checkNow();
      removed.checkNow();
      assertThat(removed.status().health()).isEqualTo(Health.REMOVED);
      assertThat(removed.status().rebuilds()).isZero();
      assertThat(removed.status().writesRefused()).isFalse();
      // Its client still reaches the remaining voters.
      assertThat(get(removed.store().put("via-removed", b("x")))).isPositive();
      other.checkNow();
      assertThat(other.status().health()).isEqualTo(Health.OK);
      assertThat(get(other.store().get("via-removed"))).isPresent();
    } finally {
      sups.values().forEach(ConsensusSupervisor::close);
    }
  }

  @Test
  void close_isIdempotent_andClosesTheStore() throws Exception {
    ConsensusSupervisor s = start(SupervisorConfig.builder());
    ReplicatedStore store = s.store();
    s.close();
    s.close();
    assertThat(store.isClosed()).isTrue();
    assertThat(s.status().health()).isEqualTo(Health.CLOSED);
    assertThat(registry.find("meshd.raft.disk.free").gauge()).isNull();
    s.checkNow(); // a late scheduled check does nothing
    assertThat(store.isClosed()).isTrue();
  }

  @Test
  void settings_invalid_areRejectedNamingTheSetting() {
    assertThatThrownBy(() -> SupervisorConfig.builder().minFreeBytes(-1))
        .hasMessageContaining("minFreeBytes");
    assertThatThrownBy(() -> SupervisorConfig.builder().checkInterval(Duration.ZERO))
        .hasMessageContaining("checkInterval");
    assertThatThrownBy(() -> SupervisorConfig.builder().snapshotInterval(Duration.ofSeconds(-1)))
        .hasMessageContaining("snapshotInterval");
    assertThatThrownBy(() -> SupervisorConfig.builder()
        .rebuildBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .hasMessageContaining("rebuildBackoffMax");
  }
}
