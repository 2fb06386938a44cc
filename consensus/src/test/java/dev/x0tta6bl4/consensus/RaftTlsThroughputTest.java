package dev.x0tta6bl4.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Write throughput of three voters in one JVM, plaintext gRPC against mutual TLS (BCJSSE,
 * X25519MLKEM768), measured in the same run and interleaved (plain, TLS, plain, TLS) so that
 * machine noise hits both. Every write must be acknowledged and all replicas must end equal;
 * the figures are printed, not asserted. Tagged {@code load}: run with
 * {@code ./mvnw -B -o -q -pl consensus -am test -Dtest=RaftTlsThroughputTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Dtest.excludedGroups=}.
 */
@Tag("load")
class RaftTlsThroughputTest {
  private static final int WRITES = 4_000;
  private static final int IN_FLIGHT = 16;
  private static final int ROUNDS = 3;

  @TempDir Path dir;

  @Test
  void threeVoters_plainVersusMutualTls_writeThroughput() throws Exception {
    List<String> lines = new ArrayList<>();
    for (int round = 0; round < ROUNDS; round++) {
      for (boolean tls : new boolean[] {false, true}) {
        double perSecond = run(dir.resolve((tls ? "tls-" : "plain-") + round), tls);
        lines.add(String.format("round %d %-5s %,8.0f writes/s (%d writes of 100 B, %d in flight,"
            + " one writer on a follower)", round, tls ? "tls" : "plain", perSecond, WRITES,
            IN_FLIGHT));
      }
    }
    lines.forEach(System.out::println);
  }

  private double run(Path root, boolean tls) throws Exception {
    TestIdentities pki = tls ? new TestIdentities() : null;
    List<Voter> voters = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      voters.add(new Voter("n" + i, "127.0.0.1", TestCluster.freePort()));
    }
    List<ReplicatedStore> stores = new ArrayList<>();
    try {
      for (Voter v : voters) {
        ConsensusConfig.Builder b = ConsensusConfig.builder(v.id(), root.resolve(v.id()))
            .voters(voters).requestTimeout(Duration.ofSeconds(30));
        if (tls) {
          b.tls(pki.tls(v.id()));
        }
        stores.add(ReplicatedStore.start(b.build(), new SimpleMeterRegistry()));
      }
      ReplicatedStore writer = awaitFollowerWithLeader(stores);
      writeAll(writer, "warm", 500);
      long start = System.nanoTime();
      writeAll(writer, "k", WRITES);
      double seconds = (System.nanoTime() - start) / 1e9;
      TestCluster.await(Duration.ofSeconds(60), () -> {
        byte[] first = stores.get(0).stateDigest();
        return stores.stream().allMatch(s -> Arrays.equals(s.stateDigest(), first))
            && writer.get("k" + (WRITES - 1), ReadConsistency.STALE).join().isPresent();
      }, "identical replicas holding the last write");
      return WRITES / seconds;
    } finally {
      stores.forEach(ReplicatedStore::close);
    }
  }

  private static ReplicatedStore awaitFollowerWithLeader(List<ReplicatedStore> stores) {
    ReplicatedStore[] follower = new ReplicatedStore[1];
    TestCluster.await(Duration.ofSeconds(60), () -> {
      boolean led = stores.stream().anyMatch(s -> s.status().role() == ConsensusStatus.Role.LEADER);
      follower[0] = stores.stream()
          .filter(s -> s.status().role() == ConsensusStatus.Role.FOLLOWER
              && s.status().leaderId().isPresent())
          .findFirst().orElse(null);
      return led && follower[0] != null;
    }, "a leader and a follower that knows it");
    return follower[0];
  }

  private static void writeAll(ReplicatedStore store, String prefix, int n) throws Exception {
    Semaphore window = new Semaphore(IN_FLIGHT);
    List<CompletableFuture<Long>> acks = new ArrayList<>(n);
    byte[] value = new byte[100];
    for (int i = 0; i < n; i++) {
      window.acquire();
      CompletableFuture<Long> f = store.put(prefix + i, value);
      f.whenComplete((v, e) -> window.release());
      acks.add(f);
    }
    for (CompletableFuture<Long> f : acks) {
      assertThat(f.get(60, TimeUnit.SECONDS)).isPositive();
    }
  }
}
