package dev.x0tta6bl4.consensus;

import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.util.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ratis state machine of meshd: applies {@link Request}s to a {@link KvState}, answers
 * {@link Query}s, and takes, loads and reloads snapshots through a {@link SnapshotStore}.
 *
 * <p>Threads: Ratis calls {@code applyTransaction}, {@code takeSnapshot} and
 * {@code reinitialize} on its single state machine updater thread, the only writer; queries and
 * {@code startTransaction} come from RPC threads and read under the read lock. One instance per
 * Raft server; Ratis closes it with the server.
 */
final class KvStateMachine extends BaseStateMachine {
  private static final Logger LOG = LoggerFactory.getLogger(KvStateMachine.class);
  private static final Pattern SEGMENT = Pattern.compile("log_(?:inprogress_)?(\\d+)(?:-\\d+)?");

  private final SnapshotStore snapshots;
  private final RaftMetrics metrics;
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private volatile KvState state = new KvState();
  private final AtomicLong lastTerm = new AtomicLong();
  private final AtomicReference<Throwable> logFailure = new AtomicReference<>();
  private volatile RaftPeerId leader;

  KvStateMachine(SnapshotStore snapshots, RaftMetrics metrics) {
    this.snapshots = snapshots;
    this.metrics = metrics;
  }

  @Override
  public SnapshotStore getStateMachineStorage() {
    return snapshots;
  }

  @Override
  public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage storage)
      throws IOException {
    getLifeCycle().startAndTransition(() -> {
      super.initialize(server, groupId, storage);
      snapshots.init(storage);
      long snapshotIndex = load();
      checkLogCoversSnapshot(storage, snapshotIndex);
    });
  }

  /** Loads the newest valid snapshot into memory; returns its index, or -1 when none. */
  private long load() throws IOException {
    Optional<SnapshotStore.Loaded> loaded = snapshots.loadLatestValid();
    lock.writeLock().lock();
    try {
      if (loaded.isPresent()) {
        state = loaded.get().state();
        TermIndex ti = loaded.get().snapshot().info().getTermIndex();
        setLastAppliedTermIndex(ti);
        LOG.info("loaded snapshot {} ({} keys, revision {})", ti, state.size(), state.revision());
        return ti.getIndex();
      }
      state = new KvState();
      setLastAppliedTermIndex(null);
      return -1;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * Refuses to start when the log on disk begins after the loaded snapshot: the entries in
   * between are gone, so replay would stall silently. This happens when the newest snapshot was
   * corrupt and the log had already been purged past the older one.
   */
  private static void checkLogCoversSnapshot(RaftStorage storage, long snapshotIndex)
      throws IOException {
    Path current = storage.getStorageDir().getCurrentDir().toPath();
    long firstLogIndex = Long.MAX_VALUE;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(current, "log_*")) {
      for (Path p : files) {
        Matcher m = SEGMENT.matcher(p.getFileName().toString());
        if (m.matches()) {
          firstLogIndex = Math.min(firstLogIndex, Long.parseLong(m.group(1)));
        }
      }
    }
    if (firstLogIndex != Long.MAX_VALUE && firstLogIndex > snapshotIndex + 1) {
      throw new IOException("the Raft log in " + current + " starts at index " + firstLogIndex
          + " but the newest valid snapshot ends at " + snapshotIndex + ": entries "
          + (snapshotIndex + 1) + ".." + (firstLogIndex - 1) + " are lost on this node."
          + " Move this member's storage directory aside and re-add it so the leader installs"
          + " a snapshot");
    }
  }

  @Override
  public synchronized void pause() {
    // Ratis calls pause() for every chunk of an installed snapshot: only the first one pauses.
    if (getLifeCycleState() == LifeCycle.State.RUNNING) {
      getLifeCycle().transition(LifeCycle.State.PAUSING);
      getLifeCycle().transition(LifeCycle.State.PAUSED);
    }
  }

  @Override
  public synchronized void reinitialize() throws IOException {
    // Ratis replaced the snapshot directory with the leader's snapshot: load it.
    long index = load();
    metrics.snapshotsInstalled.increment();
    LOG.info("reinitialized from installed snapshot at index {}", index);
    if (getLifeCycleState() == LifeCycle.State.PAUSED) {
      getLifeCycle().transition(LifeCycle.State.STARTING);
      getLifeCycle().transition(LifeCycle.State.RUNNING);
    }
  }

  @Override
  public TransactionContext startTransaction(RaftClientRequest request) throws IOException {
    TransactionContext trx = super.startTransaction(request);
    try {
      KvCodec.decodeRequest(request.getMessage().getContent().asReadOnlyByteBuffer());
    } catch (MalformedCommandException e) {
      // Reject on the leader before the entry reaches the log.
      trx.setException(e);
    }
    return trx;
  }

  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
    LogEntryProto entry = trx.getLogEntry();
    Timer.Sample sample = Timer.start();
    List<OpResult> results;
    try {
      Request req = KvCodec.decodeRequest(
          entry.getStateMachineLogEntry().getLogData().asReadOnlyByteBuffer());
      lock.writeLock().lock();
      try {
        results = state.apply(req, entry.getIndex());
        updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
      } finally {
        lock.writeLock().unlock();
      }
    } catch (MalformedCommandException e) {
      // Deterministic on every replica: the entry changes nothing.
      metrics.invalidEntries.increment();
      LOG.error("Raft entry {} is not a valid command and is applied as a no-op: {}",
          entry.getIndex(), e.getMessage());
      results = List.of(new OpResult(OpResult.Code.INVALID, 0));
      updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
    }
    sample.stop(metrics.applyLatency);
    return CompletableFuture.completedFuture(Message.valueOf(
        org.apache.ratis.thirdparty.com.google.protobuf.ByteString.copyFrom(
            KvCodec.encodeResults(results))));
  }

  @Override
  public CompletableFuture<Message> query(Message request) {
    try {
      Query q = KvCodec.decodeQuery(request.getContent().asReadOnlyByteBuffer());
      QueryResult answer;
      lock.readLock().lock();
      try {
        answer = state.query(q);
      } finally {
        lock.readLock().unlock();
      }
      return CompletableFuture.completedFuture(Message.valueOf(
          org.apache.ratis.thirdparty.com.google.protobuf.ByteString.copyFrom(
              KvCodec.encodeAnswer(answer))));
    } catch (MalformedCommandException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public long takeSnapshot() throws IOException {
    TermIndex last = getLastAppliedTermIndex();
    if (last == null || last.getIndex() < 0) {
      return -1;
    }
    Optional<SnapshotStore.Snapshot> previous = snapshots.latest();
    if (previous.isPresent() && previous.get().index() >= last.getIndex()) {
      return previous.get().index();
    }
    Timer.Sample sample = Timer.start();
    // Only this thread mutates the state, so it cannot change while it is written.
    SnapshotStore.Snapshot s;
    try {
      s = snapshots.write(last, state);
    } catch (RuntimeException e) {
      // Ratis closes the server on anything but an IOException from takeSnapshot.
      throw new IOException("snapshot at " + last + " failed", e);
    }
    sample.stop(metrics.snapshotDuration);
    metrics.snapshotsTaken.increment();
    LOG.info("snapshot at {} written: {} bytes, {} keys", last, s.sizeBytes(), state.size());
    return last.getIndex();
  }

  @Override
  public void notifyLeaderChanged(RaftGroupMemberId memberId, RaftPeerId newLeaderId) {
    leader = newLeaderId;
    metrics.leaderChanges.increment();
    getServer().thenAccept(server -> {
      try {
        long term = server.getDivision(memberId.getGroupId()).getInfo().getCurrentTerm();
        if (lastTerm.getAndAccumulate(term, Math::max) < term) {
          metrics.elections.increment();
        }
      } catch (IOException e) {
        LOG.debug("no division for {} while counting elections", memberId, e);
      }
    });
  }

  @Override
  public void notifyLogFailed(Throwable cause, LogEntryProto failedEntry) {
    metrics.logFailures.increment();
    logFailure.set(cause);
    LOG.error("Raft log write failed at entry {}; writes will fail until the server is rebuilt",
        failedEntry == null ? "?" : failedEntry.getIndex(), cause);
  }

  /** The last log failure Ratis reported, if any. */
  Optional<Throwable> logFailure() {
    return Optional.ofNullable(logFailure.get());
  }

  /** Reads under the read lock; for status and tests. */
  <T> T read(java.util.function.Function<KvState, T> reader) {
    lock.readLock().lock();
    try {
      return reader.apply(state);
    } finally {
      lock.readLock().unlock();
    }
  }
}
