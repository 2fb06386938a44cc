package dev.x0tta6bl4.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.x0tta6bl4.consensus.ConsensusException.DiskFullException;
import dev.x0tta6bl4.consensus.ConsensusException.NoQuorumException;
import dev.x0tta6bl4.consensus.ConsensusException.StorageFailureException;
import dev.x0tta6bl4.consensus.SupervisorStatus.Health;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6 acceptance, disk full: a single voter's storage on a real 6 MiB tmpfs (2 MiB of it
 * taken by a filler file the test deletes later) is written until the disk is full. Needs root
 * (mount); skipped with the reason otherwise.
 */
class DiskFullTest {
  private static final Duration LONG = Duration.ofSeconds(30);
  private static final int VALUE_BYTES = 16 << 10;

  @TempDir Path dir;
  private Path mnt;
  private ScheduledExecutorService scheduler;

  @BeforeEach
  void mountTmpfs() throws Exception {
    mnt = dir.resolve("mnt");
    Files.createDirectories(mnt);
    String user = System.getProperty("user.name");
    assumeTrue("root".equals(user), "mounting a tmpfs needs root; running as " + user);
    String mount = run("mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", mnt.toString());
    assumeTrue(mount.isEmpty(), "mount -t tmpfs failed: " + mount);
    scheduler = Executors.newSingleThreadScheduledExecutor();
  }

  @AfterEach
  void unmount() throws Exception {
    if (scheduler == null) {
      return; // skipped before mounting
    }
    scheduler.shutdownNow();
    String umount = run("umount", mnt.toString());
    if (!umount.isEmpty()) {
      System.out.println("umount failed (" + umount + "), detaching lazily");
      run("umount", "-l", mnt.toString());
    }
  }

  private ConsensusConfig config() throws IOException {
    return ConsensusConfig.builder("n1", mnt.resolve("n1"))
        .voters(List.of(new Voter("n1", "127.0.0.1", TestCluster.freePort())))
        .segmentSizeBytes(256 << 10).requestTimeout(Duration.ofSeconds(3)).build();
  }

  /** No free-space floor: the Raft log itself hits the full disk and Ratis closes it. */
  @Test
  void logHitsFullDisk_writesFailTyped_ackedKept_resumeAfterSpaceFreed_andSurviveRestart()
      throws Exception {
    Path filler = mnt.resolve("filler");
    fill(filler, 2 << 20); // freed later to make room again
    ConsensusConfig config = config();
    SupervisorConfig settings = SupervisorConfig.builder().checkInterval(Duration.ofMillis(50))
        .minFreeBytes(0).rebuildBackoff(Duration.ofMillis(100), Duration.ofSeconds(1)).build();
    Map<String, byte[]> acked = new LinkedHashMap<>();
    List<String> unknown = new ArrayList<>();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (ConsensusSupervisor sup = ConsensusSupervisor.start(config, settings, registry,
        scheduler)) {
      awaitLeader(sup);
      DiskFullException refused = fillUntilRefused(sup, acked, unknown);
      System.out.printf("disk full after %d acknowledged writes of %d B (%d with unknown"
          + " outcome): %s%n", acked.size(), VALUE_BYTES, unknown.size(), refused.getMessage());
      assertThat(acked).hasSizeGreaterThan(50);
      assertThat(sup.store().logFailure()).as("Ratis' log failed for real")
          .hasValueSatisfying(f -> assertThat(ReplicatedStore.isNoSpace(f)).isTrue());
      assertThat(sup.status().health()).isEqualTo(Health.LOG_FAILED);
      assertThat(sup.status().rebuilds()).isZero(); // no room for a segment: it waits

      // Ratis closed its log: stale reads are served and have every acknowledged write;
      // linearizable reads fail at once with a typed error.
      assertAllPresent(sup, acked, ReadConsistency.STALE);
      assertThatThrownBy(() -> sup.store().get("k0").get(10, TimeUnit.SECONDS))
          .hasCauseInstanceOf(StorageFailureException.class);

      Files.delete(filler);
      long freed = System.nanoTime();
      long version = putWhenAccepted(sup, "after-free", value("after-free"));
      acked.put("after-free", value("after-free"));
      System.out.printf("writes accepted again %d ms after the filler was deleted; %d"
          + " rebuild(s) (%s), status %s%n", (System.nanoTime() - freed) / 1_000_000,
          sup.status().rebuilds(), sup.status().lastRebuild().orElseThrow(),
          sup.status().health());
      assertThat(version).isPositive();
      assertThat(sup.status().rebuilds()).isGreaterThanOrEqualTo(1);
      assertThat(registry.get("meshd.raft.rebuilds").tag("reason", "log_failed").counter()
          .count()).isGreaterThanOrEqualTo(1);
      assertThat(registry.get("meshd.raft.writes.refused").counter().count()).isPositive();
      assertAllPresent(sup, acked, ReadConsistency.LINEARIZABLE);
    }

    // A later restart (a fresh supervisor and store on the same storage) has them all.
    try (ConsensusSupervisor again = ConsensusSupervisor.start(config, settings,
        new SimpleMeterRegistry(), scheduler)) {
      awaitLeader(again);
      assertAllPresent(again, acked, ReadConsistency.LINEARIZABLE);
    }
  }

  /**
   * A 3 MiB floor on the real file system: the supervisor refuses writes before Ratis' log hits
   * the full disk, every read is still served, and writes resume without a rebuild once space
   * is freed.
   */
  @Test
  void freeSpaceBelowFloor_writesRefusedEarly_readsServed_resumeWithoutRebuild()
      throws Exception {
    Path filler = mnt.resolve("filler");
    fill(filler, 2 << 20);
    SupervisorConfig settings = SupervisorConfig.builder().checkInterval(Duration.ofMillis(10))
        .minFreeBytes(3 << 20).build();
    Map<String, byte[]> acked = new LinkedHashMap<>();
    List<String> unknown = new ArrayList<>();
    try (ConsensusSupervisor sup = ConsensusSupervisor.start(config(), settings,
        new SimpleMeterRegistry(), scheduler)) {
      awaitLeader(sup);
      DiskFullException refused = fillUntilRefused(sup, acked, unknown);
      System.out.printf("refused below the floor after %d acknowledged writes: %s%n",
          acked.size(), refused.getMessage());
      assertThat(unknown).isEmpty();
      assertThat(refused).hasMessageContaining("floor 3145728");
      assertThat(sup.store().logFailure()).isEmpty();
      assertThat(sup.status().health()).isEqualTo(Health.DISK_LOW);
      assertAllPresent(sup, acked, ReadConsistency.LINEARIZABLE);

      Files.delete(filler);
      putWhenAccepted(sup, "after-free", value("after-free"));
      assertThat(sup.status().rebuilds()).isZero();
      assertThat(sup.status().health()).isEqualTo(Health.OK);
    }
  }

  /**
   * Three voters, one follower's storage on the tmpfs: when the follower's disk fills the group
   * keeps committing with the other two; once space is freed the follower's supervisor rebuilds
   * its server, which catches up from the leader to an identical state.
   */
  @Test
  @Tag("soak")
  void followerDiskFull_groupKeepsCommitting_followerRebuiltAndCaughtUp() throws Exception {
    Path filler = mnt.resolve("filler");
    fill(filler, 2 << 20);
    try (TestCluster c = new TestCluster(dir.resolve("disk"), 3,
        b -> b.requestTimeout(Duration.ofSeconds(20))
            .electionTimeout(Duration.ofMillis(500), Duration.ofMillis(1000)))) {
      String onTmpfs = "n3";
      ConsensusConfig config = ConsensusConfig.builder(onTmpfs, mnt.resolve(onTmpfs))
          .voters(c.voters).segmentSizeBytes(256 << 10)
          .requestTimeout(Duration.ofSeconds(20))
          .electionTimeout(Duration.ofMillis(500), Duration.ofMillis(1000)).build();
      SupervisorConfig settings = SupervisorConfig.builder().checkInterval(Duration.ofMillis(50))
          .minFreeBytes(0).rebuildBackoff(Duration.ofMillis(100), Duration.ofSeconds(1)).build();
      c.start("n1");
      c.start("n2");
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      try (ConsensusSupervisor follower = ConsensusSupervisor.start(config, settings, registry,
          scheduler)) {
        TestCluster.await(LONG, () -> follower.store().status().leaderId().isPresent(),
            "a leader");
        if (follower.store().status().role() == ConsensusStatus.Role.LEADER) {
          follower.store().transferLeadership("n1").get(30, TimeUnit.SECONDS);
        }
        String leader = c.awaitLeader(LONG);
        ReplicatedStore writer = c.node(leader);
        Map<String, byte[]> acked = new LinkedHashMap<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        int i = 0;
        for (; follower.status().health() == Health.OK; i++) {
          assertThat(i < 2_000 && System.nanoTime() < deadline)
              .as("the follower's disk filled within 2,000 writes and 60 s").isTrue();
          String key = "k" + i;
          writer.put(key, value(key)).get(20, TimeUnit.SECONDS); // never fails: quorum of 2
          acked.put(key, value(key));
        }
        SupervisorStatus broken = follower.status();
        System.out.printf("follower %s failed after %d writes: %s, log failure %s%n", onTmpfs,
            i, broken.health(), broken.raft().logFailure().orElse("-"));
        for (int j = 0; j < 20; j++, i++) { // the group still commits without it
          String key = "k" + i;
          writer.put(key, value(key)).get(20, TimeUnit.SECONDS);
          acked.put(key, value(key));
        }

        Files.delete(filler);
        long freed = System.nanoTime();
        byte[] expected = writer.stateDigest();
        TestCluster.await(LONG, () -> follower.status().health() == Health.OK
            && Arrays.equals(follower.store().stateDigest(), expected), "follower caught up");
        System.out.printf("follower rebuilt (%d rebuild(s), %d failed attempts) and caught up %d"
            + " ms after the filler was deleted%n", follower.status().rebuilds(),
            (long) registry.get("meshd.raft.rebuild.failures").counter().count(),
            (System.nanoTime() - freed) / 1_000_000);
        assertThat(follower.status().rebuilds()).isGreaterThanOrEqualTo(1);
        assertAllPresent(follower, acked, ReadConsistency.STALE);
      }
    }
  }

  private static void assertAllPresent(ConsensusSupervisor sup, Map<String, byte[]> acked,
      ReadConsistency consistency) throws Exception {
    for (Map.Entry<String, byte[]> e : acked.entrySet()) {
      Optional<Versioned> v = sup.store().get(e.getKey(), consistency).get(10, TimeUnit.SECONDS);
      assertThat(v).as(e.getKey()).map(Versioned::value).hasValueSatisfying(
          x -> assertThat(x).isEqualTo(e.getValue()));
    }
  }

  /**
   * Puts 16 KiB values one at a time until a write is refused with {@link DiskFullException};
   * bounded by 2,000 writes and 25 s. A write that fails with {@link NoQuorumException} (the one
   * in flight when the log failed: it waits for its deadline) has an unknown outcome; any other
   * error fails the test.
   */
  private static DiskFullException fillUntilRefused(ConsensusSupervisor sup,
      Map<String, byte[]> acked, List<String> unknown) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(25).toNanos();
    for (int i = 0; i < 2_000 && System.nanoTime() < deadline; i++) {
      String key = "k" + i;
      byte[] v = value(key);
      try {
        sup.store().put(key, v).get(10, TimeUnit.SECONDS);
        acked.put(key, v);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof DiskFullException full) {
          return full;
        } else if (e.getCause() instanceof NoQuorumException) {
          unknown.add(key);
        } else {
          fail("write " + key + " failed with an unexpected error", e);
        }
      } catch (TimeoutException e) {
        fail("write " + key + " hung past its deadline", e);
      }
    }
    throw new AssertionError("writes were not refused within 2,000 writes or 25 s ("
        + acked.size() + " acknowledged)");
  }

  private static long putWhenAccepted(ConsensusSupervisor sup, String key, byte[] v)
      throws Exception {
    long deadline = System.nanoTime() + LONG.toNanos();
    ConsensusException last = null;
    while (System.nanoTime() < deadline) {
      try {
        return sup.store().put(key, v).get(10, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof ConsensusException ce)) {
          throw e;
        }
        last = ce; // refused while the supervisor waits, rebuilds or the new leader starts
        Thread.sleep(20); // poll interval; the deadline bounds the loop
      }
    }
    throw new AssertionError("writes not accepted within " + LONG + " after space was freed",
        last);
  }

  private static void awaitLeader(ConsensusSupervisor sup) {
    TestCluster.await(LONG, () -> sup.store().status().role() == ConsensusStatus.Role.LEADER,
        "the single voter leads");
  }

  private static byte[] value(String key) {
    byte[] v = Arrays.copyOf(key.getBytes(StandardCharsets.UTF_8), VALUE_BYTES);
    v[VALUE_BYTES - 1] = (byte) key.hashCode();
    return v;
  }

  private static void fill(Path file, int bytes) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      ByteBuffer zeros = ByteBuffer.allocate(64 << 10);
      for (int written = 0; written < bytes; written += zeros.capacity()) {
        zeros.clear();
        ch.write(zeros);
      }
      ch.force(true);
    }
  }

  /** Runs a command; returns its output when it fails, or "" on success. */
  private static String run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return String.join(" ", command) + " timed out";
    }
    return p.exitValue() == 0 ? "" : "exit " + p.exitValue() + ": " + out;
  }
}
