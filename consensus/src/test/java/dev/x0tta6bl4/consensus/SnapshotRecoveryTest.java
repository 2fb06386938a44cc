package dev.x0tta6bl4.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Restart of a single voter with damaged snapshot files. */
class SnapshotRecoveryTest {
  private static final Duration LONG = Duration.ofSeconds(60);
  @TempDir Path dir;

  private static List<Path> snapshotFiles(Path smDir) throws Exception {
    try (Stream<Path> files = Files.list(smDir)) {
      return files.filter(p -> SnapshotStore.NAME.matcher(p.getFileName().toString()).matches())
          .sorted(Comparator.comparingLong(SnapshotRecoveryTest::index))
          .collect(Collectors.toList());
    }
  }

  private static long index(Path p) {
    String n = p.getFileName().toString();
    return Long.parseLong(n.substring(n.indexOf('_') + 1));
  }

  @Test
  void corruptNewestSnapshot_isDetectedNotLoaded_stateCompleteFromOlderSnapshotAndLog()
      throws Exception {
    byte[] before;
    Path smDir;
    try (TestCluster c = new TestCluster(dir, 1, b -> b.snapshotThreshold(100_000))) {
      ReplicatedStore s = c.start("n1");
      c.awaitLeader(LONG);
      ThreeVoterClusterTest.writeAll(s, "a", 50);
      s.snapshot().get(30, TimeUnit.SECONDS);
      ThreeVoterClusterTest.writeAll(s, "b", 30);
      s.snapshot().get(30, TimeUnit.SECONDS);
      ThreeVoterClusterTest.writeAll(s, "c", 20);
      s.delete("a7").get(30, TimeUnit.SECONDS);
      before = s.stateDigest();
      smDir = s.snapshots().directory();
    }
    List<Path> snaps = snapshotFiles(smDir);
    assertThat(snaps).hasSizeGreaterThanOrEqualTo(2);
    Path newest = snaps.get(snaps.size() - 1);
    long olderIndex = index(snaps.get(snaps.size() - 2));
    byte[] bytes = Files.readAllBytes(newest);
    bytes[bytes.length - 20] ^= 0x01;
    Files.write(newest, bytes);

    try (TestCluster c = new TestCluster(dir, 1, b -> b.snapshotThreshold(100_000))) {
      ReplicatedStore s = c.start("n1");
      assertThat(c.registries.get("n1").get("meshd.raft.snapshots.corrupt").counter().count())
          .isEqualTo(1);
      assertThat(newest).doesNotExist();
      assertThat(newest.resolveSibling(newest.getFileName() + ".corrupt")).exists();
      c.awaitLeader(LONG);
      TestCluster.await(LONG, () -> Arrays.equals(s.stateDigest(), before),
          "state replayed from snapshot " + olderIndex + " plus the log");
      assertThat(s.get("c19").get(30, TimeUnit.SECONDS)).isPresent();
      assertThat(s.get("a7").get(30, TimeUnit.SECONDS)).isEmpty();
    }
  }

  @Test
  void everySnapshotCorruptAfterPurge_refusesToStartWithAClearError() throws Exception {
    Path smDir;
    try (TestCluster c = new TestCluster(dir, 1, b -> b.segmentSizeBytes(64 << 10)
        .snapshotThreshold(10).logPreservedEntries(0))) {
      ReplicatedStore s = c.start("n1");
      c.awaitLeader(LONG);
      ThreeVoterClusterTest.writeAll(s, "k", 1500);
      TestCluster.await(LONG, () -> s.logStartIndex() > 1, "log purged behind a snapshot");
      smDir = s.snapshots().directory();
    }
    for (Path p : snapshotFiles(smDir)) {
      Files.write(p, new byte[] {0, 1, 2});
    }
    try (TestCluster c = new TestCluster(dir, 1, b -> b)) {
      assertThatThrownBy(() -> c.start("n1"))
          .isInstanceOf(ConsensusException.StorageFailureException.class)
          .hasMessageContaining("are lost on this node");
    }
  }
}
