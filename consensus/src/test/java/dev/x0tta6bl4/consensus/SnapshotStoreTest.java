package dev.x0tta6bl4.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.statemachine.SnapshotRetentionPolicy;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotStoreTest {
  @TempDir Path dir;
  private SimpleMeterRegistry registry;
  private RaftMetrics metrics;
  private SnapshotStore store;

  @BeforeEach
  void setUp() throws Exception {
    registry = new SimpleMeterRegistry();
    metrics = new RaftMetrics(registry);
    store = new SnapshotStore(Clock.fixed(Instant.ofEpochMilli(1_000_000), ZoneOffset.UTC),
        metrics);
    store.initDirectory(dir.resolve("sm"));
  }

  private static KvState state(int keys) {
    KvState s = new KvState();
    for (int i = 1; i <= keys; i++) {
      s.apply(new Request(new UUID(1, 1), i, i, List.of(new KvOp.Put("k" + i,
          ("value-" + i).getBytes(StandardCharsets.UTF_8)))), i);
    }
    return s;
  }

  private Path file(long term, long index) {
    return store.directory().resolve(SnapshotStore.fileName(term, index));
  }

  private long corruptCount() {
    return (long) registry.get("meshd.raft.snapshots.corrupt").counter().count();
  }

  @Test
  void write_thenLoad_returnsEqualStateAndLeavesNoTempFile() throws Exception {
    KvState s = state(100);
    SnapshotStore.Snapshot written = store.write(TermIndex.valueOf(2, 100), s);
    assertThat(written.sizeBytes()).isEqualTo(Files.size(file(2, 100)));
    assertThat(written.createdMillis()).isEqualTo(1_000_000);
    try (Stream<Path> files = Files.list(store.directory())) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("snapshot.2_100");
    }
    Optional<SnapshotStore.Loaded> loaded = store.loadLatestValid();
    assertThat(loaded).isPresent();
    assertThat(loaded.get().state().digest()).isEqualTo(s.digest());
    assertThat(loaded.get().snapshot().info().getTermIndex()).isEqualTo(TermIndex.valueOf(2, 100));
    assertThat(corruptCount()).isZero();
  }

  @Test
  void load_flippedByteInNewest_quarantinesItAndFallsBackToOlder() throws Exception {
    KvState older = state(50);
    store.write(TermIndex.valueOf(1, 50), older);
    store.write(TermIndex.valueOf(1, 80), state(80));
    Path newest = file(1, 80);
    byte[] bytes = Files.readAllBytes(newest);
    bytes[bytes.length / 2] ^= 0x40; // inside a value: only the checksum can tell
    Files.write(newest, bytes);

    Optional<SnapshotStore.Loaded> loaded = store.loadLatestValid();
    assertThat(loaded).isPresent();
    assertThat(loaded.get().snapshot().index()).isEqualTo(50);
    assertThat(loaded.get().state().digest()).isEqualTo(older.digest());
    assertThat(corruptCount()).isEqualTo(1);
    assertThat(newest).doesNotExist();
    assertThat(newest.resolveSibling("snapshot.1_80.corrupt")).exists();
    assertThat(store.getLatestSnapshot().getIndex()).isEqualTo(50);
  }

  @Test
  void load_truncatedOrForeignFiles_areAllRejected() throws Exception {
    store.write(TermIndex.valueOf(1, 10), state(10));
    byte[] good = Files.readAllBytes(file(1, 10));
    // Truncated body, truncated header, wrong name for its header, and a stranger's file.
    Files.write(file(1, 20), java.util.Arrays.copyOf(good, good.length - 3));
    Files.write(file(1, 30), java.util.Arrays.copyOf(good, 20));
    Files.write(file(1, 40), good);
    Files.writeString(file(1, 50), "not a snapshot at all, but long enough to have a header");
    Files.write(file(1, 60), good);
    Files.write(file(1, 60), new byte[] {1}, StandardOpenOption.APPEND);

    Optional<SnapshotStore.Loaded> loaded = store.loadLatestValid();
    assertThat(loaded).isPresent();
    assertThat(loaded.get().snapshot().index()).isEqualTo(10);
    assertThat(corruptCount()).isEqualTo(5);
  }

  @Test
  void load_noValidSnapshot_isEmpty() throws Exception {
    assertThat(store.loadLatestValid()).isEmpty();
    Files.writeString(file(1, 5), "garbage");
    assertThat(store.loadLatestValid()).isEmpty();
    assertThat(store.getLatestSnapshot()).isNull();
    assertThat(corruptCount()).isEqualTo(1);
  }

  @Test
  void cleanup_keepsTheNewestRetainedFilesOnly() throws Exception {
    for (int i = 1; i <= 5; i++) {
      store.write(TermIndex.valueOf(1, i * 10L), state(i));
    }
    Files.writeString(store.directory().resolve("snapshot.1_10.md5"), "x");
    SnapshotRetentionPolicy keep3 = new SnapshotRetentionPolicy() {
      @Override
      public int getNumSnapshotsRetained() {
        return 3;
      }
    };
    store.cleanupOldSnapshots(keep3);
    try (Stream<Path> files = Files.list(store.directory())) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("snapshot.1_30", "snapshot.1_40", "snapshot.1_50");
    }
  }
}
