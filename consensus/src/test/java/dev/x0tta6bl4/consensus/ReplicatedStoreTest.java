package dev.x0tta6bl4.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A single-voter store (the embedded default) over real Ratis gRPC on loopback. */
class ReplicatedStoreTest {
  @TempDir Path dir;

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static <T> T get(CompletableFuture<T> f) throws Exception {
    return f.get(20, TimeUnit.SECONDS);
  }

  @Test
  void putGetCasDelete_singleVoter_behaveAsDocumented() throws Exception {
    try (TestCluster c = new TestCluster(dir, 1, b -> b)) {
      ReplicatedStore s = c.start("n1");
      c.awaitLeader(Duration.ofSeconds(20));

      long v1 = get(s.put("a", b("one")));
      assertThat(get(s.get("a"))).contains(new Versioned(v1, b("one")));

      OpResult stale = get(s.compareAndSet("a", v1 + 100, b("x")));
      assertThat(stale).isEqualTo(new OpResult(OpResult.Code.CONFLICT, v1));
      OpResult swapped = get(s.compareAndSet("a", v1, b("two")));
      assertThat(swapped.code()).isEqualTo(OpResult.Code.OK);
      assertThat(swapped.version()).isGreaterThan(v1);
      assertThat(get(s.compareAndSet("new", 0, b("created"))).ok()).isTrue();
      assertThat(get(s.compareAndSet("new", 0, b("again"))).code())
          .isEqualTo(OpResult.Code.CONFLICT);

      assertThat(get(s.delete("a"))).isTrue();
      assertThat(get(s.delete("a"))).isFalse();
      assertThat(get(s.get("a"))).isEmpty();
      assertThat(get(s.get("new", ReadConsistency.STALE)).map(v -> new String(v.value(),
          StandardCharsets.UTF_8))).contains("created");

      get(s.putMember(new Member("n1", "spiffe://mesh/node/n1", List.of("127.0.0.1:7600"),
          Set.of("voter", "gateway"))));
      get(s.putSetting("mapek.mode", "advise"));
      assertThat(get(s.members(ReadConsistency.LINEARIZABLE))).singleElement()
          .satisfies(m -> assertThat(m.roles()).containsExactly("gateway", "voter"));
      assertThat(get(s.settings(ReadConsistency.LINEARIZABLE)))
          .isEqualTo(Map.of("mapek.mode", "advise"));

      ConsensusStatus st = s.status();
      assertThat(st.role()).isEqualTo(ConsensusStatus.Role.LEADER);
      assertThat(st.leaderId()).contains("n1");
      assertThat(st.commitIndex()).isGreaterThanOrEqualTo(st.appliedIndex() - 1);
      assertThat(c.registries.get("n1").get("meshd.raft.apply.latency").timer().count())
          .isGreaterThanOrEqualTo(8);
    }
  }

  @Test
  void put_valueOverLimit_failsWithValueTooLarge() throws Exception {
    try (TestCluster c = new TestCluster(dir, 1, b -> b.maxValueBytes(1024))) {
      ReplicatedStore s = c.start("n1");
      assertThatThrownBy(() -> get(s.put("k", new byte[1025])))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(ConsensusException.ValueTooLargeException.class)
          .hasMessageContaining("1025");
    }
  }

  @Test
  void concurrentPuts_areBatchedIntoSharedEntries_andAllApplied() throws Exception {
    try (TestCluster c = new TestCluster(dir, 1, b -> b.batching(64, 1))) {
      ReplicatedStore s = c.start("n1");
      c.awaitLeader(Duration.ofSeconds(20));
      List<CompletableFuture<Long>> futures = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        futures.add(s.put("k" + i, b("v" + i)));
      }
      CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
      assertThat(futures.stream().map(CompletableFuture::join).distinct().count()).isEqualTo(500);
      assertThat(s.stateMachine().read(KvState::size)).isEqualTo(500);
      // With one batch in flight, 500 queued puts must have shared entries.
      assertThat(c.registries.get("n1").get("meshd.raft.client.batched.ops").counter().count())
          .isGreaterThan(0);
      assertThat(s.status().commitIndex()).isLessThan(500);
    }
  }

  @Test
  void restart_restoresSnapshotAndReplaysLog_stateEqual() throws Exception {
    byte[] before;
    long snapIndex;
    try (TestCluster c = new TestCluster(dir, 1, b -> b.snapshotThreshold(100_000))) {
      ReplicatedStore s = c.start("n1");
      c.awaitLeader(Duration.ofSeconds(20));
      for (int i = 0; i < 50; i++) {
        get(s.put("k" + i, b("v" + i)));
      }
      snapIndex = get(s.snapshot());
      assertThat(snapIndex).isGreaterThan(0);
      for (int i = 50; i < 80; i++) {
        get(s.put("k" + i, b("v" + i)));
      }
      get(s.delete("k3"));
      before = s.stateDigest();
      assertThat(s.status().lastSnapshotIndex()).isEqualTo(snapIndex);
      assertThat(s.status().lastSnapshotAge()).isPresent();
    }
    try (TestCluster c = new TestCluster(dir, 1, b -> b.snapshotThreshold(100_000))) {
      ReplicatedStore s = c.start("n1");
      c.awaitLeader(Duration.ofSeconds(20));
      TestCluster.await(Duration.ofSeconds(20),
          () -> java.util.Arrays.equals(s.stateDigest(), before), "state restored");
      // Ratis also snapshots on a clean stop, so the restored snapshot may be newer.
      assertThat(s.status().lastSnapshotIndex()).isGreaterThanOrEqualTo(snapIndex);
      assertThat(get(s.get("k79"))).map(v -> new String(v.value(), StandardCharsets.UTF_8))
          .contains("v79");
      assertThat(get(s.get("k3"))).isEqualTo(Optional.empty());
    }
  }
}
