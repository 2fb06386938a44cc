package dev.x0tta6bl4.consensus;

import dev.x0tta6bl4.consensus.ConsensusException.DiskFullException;
import dev.x0tta6bl4.consensus.ConsensusException.StorageFailureException;
import dev.x0tta6bl4.consensus.SupervisorStatus.Health;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the life of this node's {@link ReplicatedStore} and keeps it serving: Ratis does not
 * recover by itself from a server that closed itself (a JVM pause beyond
 * {@link ConsensusConfig#closeThreshold()}, a fatal log error) nor from a failed log write (disk
 * full: every later write fails until the server is rebuilt). Every
 * {@link SupervisorConfig#checkInterval()} the supervisor
 *
 * <ol>
 *   <li>reads the free space of the storage's file system and refuses writes early with
 *       {@link DiskFullException} while it is below {@link SupervisorConfig#minFreeBytes()}
 *       (reads are still served), so the log rarely hits a full disk at all;
 *   <li>rebuilds the server (close the store, start a fresh one on the same storage with a new
 *       client id) when it closed itself, or when its log failed and there is again room for a
 *       new log segment; consecutive rebuilds back off exponentially; each is counted and
 *       logged, and writes are refused with a typed error meanwhile;
 *   <li>asks for a snapshot when {@link SupervisorConfig#snapshotInterval()} has passed since
 *       the newest one and anything was applied since (the every-N-entries trigger is Ratis').
 * </ol>
 *
 * <p>Callers use {@link #store()} for every operation (through a {@code Supplier}), so a rebuild
 * swaps the store underneath them; operations in flight on the old store fail with
 * {@link ConsensusException.NoQuorumException} (outcome unknown) when it closes.
 *
 * <p>Threads: checks run on the injected scheduler (the node's housekeeping thread; a rebuild
 * blocks it for about a second) and are serialised by this object's monitor; {@link #store()}
 * and {@link #status()} may be called from any thread. Time comes from the store's
 * {@link ConsensusConfig#clock()}. The caller closes the supervisor, which closes the store; the
 * scheduler belongs to the caller.
 */
public final class ConsensusSupervisor implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ConsensusSupervisor.class);

  private final ConsensusConfig config;
  private final SupervisorConfig settings;
  private final MeterRegistry registry;
  private final Clock clock;
  private final SupervisorMetrics metrics;
  /** Free bytes a rebuild after a failed log needs: room for a new, preallocated segment. */
  private final long rebuildMinFree;
  private final Instant startedAt;
  private final AtomicLong rebuilds = new AtomicLong();

  private volatile ReplicatedStore store;
  private volatile Health health = Health.OK;
  private volatile long diskFree = -1;
  /** Other voters the Raft server was connected to at the last check; -1: unknown. */
  private volatile int connectedPeers = -1;
  private volatile SupervisorStatus.Rebuild lastRebuild;
  private volatile String lastError;
  private volatile String probeError;

  // Owned by checkNow() under the monitor.
  private ScheduledFuture<?> task;
  private boolean closed;
  private int consecutiveRebuilds;
  private Instant nextRebuildAt = Instant.MIN;
  private Instant lastTimedSnapshotAt;
  private CompletableFuture<Long> snapshotInFlight;

  private ConsensusSupervisor(ConsensusConfig config, SupervisorConfig settings,
      MeterRegistry registry) {
    this.config = Objects.requireNonNull(config, "config");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.registry = Objects.requireNonNull(registry, "registry");
    this.clock = config.clock();
    this.startedAt = clock.instant();
    // RaftProperties preallocates segments in steps of min(segment size, 4 MiB).
    this.rebuildMinFree = Math.max(settings.minFreeBytes(),
        Math.min(config.segmentSizeBytes(), 4L << 20));
    this.metrics = new SupervisorMetrics(registry);
  }

  /**
   * Starts the store and the periodic checks on {@code scheduler}. Fails like
   * {@link ReplicatedStore#start} when the first store cannot start (nothing is left running).
   */
  public static ConsensusSupervisor start(ConsensusConfig config, SupervisorConfig settings,
      MeterRegistry registry, ScheduledExecutorService scheduler) {
    Objects.requireNonNull(scheduler, "scheduler");
    ConsensusSupervisor s = new ConsensusSupervisor(config, settings, registry);
    try {
      s.store = ReplicatedStore.start(config, registry);
    } catch (RuntimeException e) {
      s.metrics.close();
      throw e;
    }
    s.registerGauges();
    s.checkNow();
    long period = settings.checkInterval().toMillis();
    synchronized (s) {
      s.task = scheduler.scheduleWithFixedDelay(s::checkNow, period, period,
          TimeUnit.MILLISECONDS);
    }
    LOG.info("supervising the Raft member '{}' on {} (check every {}, snapshot every {},"
        + " min free {} bytes)", config.nodeId(), config.storageDir(), settings.checkInterval(),
        settings.snapshotInterval(), settings.minFreeBytes());
    return s;
  }

  /** The live store; after a rebuild a different instance. Never null. */
  public ReplicatedStore store() {
    return store;
  }

  /** The store's status and the supervisor's view (disk, health, rebuilds), read now. */
  public SupervisorStatus status() {
    long free = diskFree;
    return new SupervisorStatus(store.status(), health,
        free < 0 ? OptionalLong.empty() : OptionalLong.of(free), settings.minFreeBytes(),
        rebuilds.get(), Optional.ofNullable(lastRebuild),
        Optional.ofNullable(lastError != null ? lastError : probeError));
  }

  // ---------------------------------------------------------------- the check

  /**
   * One round of checks; runs on the scheduler, and tests call it directly after moving the
   * clock or the disk probe. Never throws: an unexpected error is logged and counted so that
   * the next round still runs.
   */
  synchronized void checkNow() {
    if (closed) {
      return;
    }
    try {
      check(clock.instant());
    } catch (RuntimeException e) {
      metrics.checkErrors.increment();
      lastError = "supervisor check failed: " + ReplicatedStore.rootMessage(e);
      LOG.error("supervisor check of the Raft member '{}' failed", config.nodeId(), e);
    }
  }

  private void check(Instant now) {
    OptionalLong free = probeDisk();
    ReplicatedStore s = store;
    boolean diskLow = settings.minFreeBytes() > 0 && free.isPresent()
        && free.getAsLong() < settings.minFreeBytes();
    Optional<String> down = s.isClosed()
        ? Optional.of("the last rebuild failed: " + lastError) : s.serverDown();
    Optional<Throwable> logFailure = down.isPresent() ? Optional.empty() : s.logFailure();
    connectedPeers = down.isPresent() ? -1 : s.keepPeerConnections();

    if (down.isPresent() && !s.isClosed() && s.removedFromGroup()) {
      become(Health.REMOVED, "removed from the Raft group (" + down.get() + "); not rebuilt");
      s.refuseWrites(null); // its client still reaches the remaining voters
    } else if (down.isPresent()) {
      become(Health.DOWN, down.get());
      s.refuseWrites(refusal(() -> new StorageFailureException("the Raft server of '"
          + config.nodeId() + "' is down (" + down.get() + "); it is being rebuilt, retry", null)));
      rebuildWhenDue(now, metrics.rebuildsServerClosed, down.get());
    } else if (logFailure.isPresent()) {
      Throwable cause = logFailure.get();
      String why = "Raft log write failed: " + ReplicatedStore.rootMessage(cause);
      become(Health.LOG_FAILED, why);
      boolean noSpace = ReplicatedStore.isNoSpace(cause) || diskLow;
      s.refuseWrites(refusal(() -> noSpace ? diskFull(free, cause)
          : new StorageFailureException("the Raft log of '" + config.nodeId() + "' failed ("
              + ReplicatedStore.rootMessage(cause) + "); writes resume once the server is"
              + " rebuilt", cause)));
      // Ratis closes its log after a failed write and its leader stops answering read-index
      // requests: say so at once instead of letting linearizable reads run into the deadline.
      s.refuseLinearizableReads(() -> new StorageFailureException("the Raft log of '"
          + config.nodeId() + "' failed (" + ReplicatedStore.rootMessage(cause) + "):"
          + " linearizable reads are unavailable until the server is rebuilt; STALE reads"
          + " are served", cause));
      if (free.isPresent() && free.getAsLong() < rebuildMinFree) {
        LOG.debug("rebuild of '{}' waits for {} free bytes (now {})", config.nodeId(),
            rebuildMinFree, free.getAsLong());
      } else {
        rebuildWhenDue(now, metrics.rebuildsLogFailed, why);
      }
    } else if (diskLow) {
      become(Health.DISK_LOW, free.getAsLong() + " bytes free on the Raft storage, below the"
          + " floor of " + settings.minFreeBytes());
      s.refuseWrites(refusal(() -> diskFull(free, null)));
    } else {
      become(Health.OK, "serving");
      s.refuseWrites(null);
      s.refuseLinearizableReads(null);
      if (consecutiveRebuilds > 0 && lastRebuild != null
          && !now.isBefore(lastRebuild.at().plus(settings.rebuildBackoffMax()))) {
        consecutiveRebuilds = 0; // healthy for a full backoff period: start afresh
      }
      snapshotWhenDue(now, s);
    }
  }

  private OptionalLong probeDisk() {
    try {
      long free = settings.diskProbe().usableBytes(config.storageDir());
      diskFree = free;
      if (probeError != null) {
        LOG.info("free space of {} readable again: {} bytes", config.storageDir(), free);
        probeError = null;
      }
      return OptionalLong.of(free);
    } catch (IOException | RuntimeException e) {
      // Fail open: without a reading the floor is not enforced (the log failure path remains).
      diskFree = -1;
      if (probeError == null) {
        LOG.warn("cannot read the free space of {}; the free-space floor is not enforced until"
            + " it can", config.storageDir(), e);
      }
      probeError = "cannot read free space of " + config.storageDir() + ": "
          + ReplicatedStore.rootMessage(e);
      return OptionalLong.empty();
    }
  }

  private DiskFullException diskFull(OptionalLong free, Throwable cause) {
    String space = free.isEmpty() ? "" : " (" + free.getAsLong() + " bytes free"
        + (settings.minFreeBytes() > 0 ? ", floor " + settings.minFreeBytes() : "") + ")";
    String log = cause == null ? "" : "; the Raft log write failed with "
        + ReplicatedStore.rootMessage(cause);
    return new DiskFullException("the disk of the Raft storage " + config.storageDir()
        + " is full" + space + log + ": write refused, nothing applied; writes resume once"
        + " space is freed", cause);
  }

  private Supplier<ConsensusException> refusal(Supplier<ConsensusException> error) {
    return () -> {
      metrics.writesRefused.increment();
      return error.get();
    };
  }

  private void become(Health next, String why) {
    Health previous = health;
    health = next;
    if (previous == next) {
      return;
    }
    if (next == Health.REMOVED) {
      LOG.warn("Raft member '{}' was removed from the group: {}; stop this node or add it again",
          config.nodeId(), why);
    } else if (next == Health.OK) {
      LOG.info("Raft member '{}' is healthy again (was {}); writes accepted", config.nodeId(),
          previous);
    } else {
      LOG.warn("Raft member '{}' is {}: {}; writes refused", config.nodeId(), next, why);
    }
  }

  // ---------------------------------------------------------------- rebuild

  private void rebuildWhenDue(Instant now, Counter reason, String why) {
    if (now.isBefore(nextRebuildAt)) {
      return;
    }
    ReplicatedStore old = store;
    consecutiveRebuilds++;
    nextRebuildAt = now.plus(backoff(consecutiveRebuilds));
    LOG.warn("rebuilding the Raft server of '{}' on {} (attempt {} in a row): {}",
        config.nodeId(), config.storageDir(), consecutiveRebuilds, why);
    long started = clock.millis();
    // Callers still holding the old store get a typed, retryable error, not "closed".
    old.refuseWrites(refusal(() -> new StorageFailureException("the Raft server of '"
        + config.nodeId() + "' is being rebuilt (" + why + "); retry through the supervisor's"
        + " current store", null)));
    old.close();
    try {
      checkPortFree();
      // A fresh client id: the state machine remembers the old client's request numbers.
      ReplicatedStore fresh = ReplicatedStore.start(config, registry, UUID.randomUUID());
      store = fresh;
      long took = Math.max(0, clock.millis() - started);
      reason.increment();
      rebuilds.incrementAndGet();
      lastRebuild = new SupervisorStatus.Rebuild(now, why, took);
      lastError = null;
      become(Health.OK, "rebuilt");
      LOG.warn("rebuilt the Raft server of '{}' in {} ms (rebuild {} since start): {}",
          config.nodeId(), took, rebuilds.get(), why);
    } catch (RuntimeException e) {
      metrics.rebuildFailures.increment();
      lastError = "rebuild failed: " + ReplicatedStore.rootMessage(e);
      become(Health.DOWN, lastError);
      LOG.error("rebuilding the Raft server of '{}' failed; next attempt not before {}",
          config.nodeId(), nextRebuildAt, e);
    }
  }

  /**
   * Rebuilds the server now, whatever its health and ignoring the backoff: a decision of the
   * node's self-healing loop or an operator (a member stuck without a leader, say). Blocks the
   * caller for about a second; serialised with the periodic checks. Counted as
   * {@code meshd_raft_rebuilds_total{reason="requested"}}.
   *
   * @throws StorageFailureException when the new server cannot start (the periodic checks then
   *     retry with backoff, as after any failed rebuild)
   * @throws IllegalStateException after {@link #close()}
   */
  public synchronized void rebuildNow(String why) {
    if (closed) {
      throw new IllegalStateException("the supervisor of '" + config.nodeId() + "' is closed");
    }
    nextRebuildAt = Instant.MIN;
    long before = rebuilds.get();
    rebuildWhenDue(clock.instant(), metrics.rebuildsRequested, "requested: " + why);
    if (rebuilds.get() == before) {
      throw new StorageFailureException("the requested rebuild of the Raft server of '"
          + config.nodeId() + "' failed: " + lastError, null);
    }
  }

  /**
   * Ratis' gRPC server calls {@code System.exit} when it cannot bind its port (Ratis 3.2.2,
   * {@code GrpcServicesImpl}); a daemon must not die because something else grabbed the port
   * while the old server was closing, so try the bind first and count a failed attempt instead.
   * A race between this check and Ratis' bind remains.
   */
  private void checkPortFree() {
    Voter self = config.self();
    try (ServerSocket probe = new ServerSocket()) {
      probe.setReuseAddress(true);
      probe.bind(new InetSocketAddress(self.host(), self.port()));
    } catch (IOException e) {
      throw new StorageFailureException("the Raft port " + self.host() + ":" + self.port()
          + " is not free: " + ReplicatedStore.rootMessage(e), e);
    }
  }

  /** No wait before the first rebuild in a row; then base, 2 x base, ... up to the maximum. */
  private Duration backoff(int attempts) {
    Duration d = settings.rebuildBackoffBase();
    for (int i = 1; i < attempts && d.compareTo(settings.rebuildBackoffMax()) < 0; i++) {
      d = d.multipliedBy(2);
    }
    return d.compareTo(settings.rebuildBackoffMax()) > 0 ? settings.rebuildBackoffMax() : d;
  }

  // ---------------------------------------------------------------- time-based snapshots

  private void snapshotWhenDue(Instant now, ReplicatedStore s) {
    Duration interval = settings.snapshotInterval();
    if (interval.isZero() || (snapshotInFlight != null && !snapshotInFlight.isDone())) {
      return;
    }
    ConsensusStatus st = s.status();
    if (st.appliedIndex() <= st.lastSnapshotIndex()) {
      return; // nothing applied since the newest snapshot
    }
    Instant last = st.lastSnapshotAge().map(now::minus).orElse(startedAt);
    if (lastTimedSnapshotAt != null && lastTimedSnapshotAt.isAfter(last)) {
      last = lastTimedSnapshotAt; // a failed attempt waits a full interval too
    }
    if (now.isBefore(last.plus(interval))) {
      return;
    }
    lastTimedSnapshotAt = now;
    long applied = st.appliedIndex();
    LOG.info("time-based snapshot of '{}': {} since the last one, applied index {} > snapshot"
        + " index {}", config.nodeId(), Duration.between(last, now), applied,
        st.lastSnapshotIndex());
    snapshotInFlight = s.snapshot().whenComplete((index, error) -> {
      if (error != null) {
        metrics.timedSnapshotFailures.increment();
        LOG.warn("time-based snapshot of '{}' failed: {}", config.nodeId(),
            ReplicatedStore.rootMessage(error));
      } else {
        metrics.timedSnapshots.increment();
        LOG.info("time-based snapshot of '{}' taken at index {}", config.nodeId(), index);
      }
    });
  }

  // ---------------------------------------------------------------- lifecycle

  private void registerGauges() {
    metrics.gauge("meshd.raft.peers.connected", "Other voters this member's Raft server had an"
        + " open connection to at the last supervisor check, which also reopens closed ones"
        + " (NaN when unknown)", null, this,
        s -> s.connectedPeers < 0 ? Double.NaN : s.connectedPeers);
    metrics.gauge("meshd.raft.disk.free", "Usable bytes on the file system of the Raft storage"
        + " at the last supervisor check (NaN when unknown)", "bytes", this,
        s -> s.diskFree < 0 ? Double.NaN : s.diskFree);
    metrics.gauge("meshd.raft.writes.refusing", "1 while the supervisor refuses writes (disk"
        + " low, log failed, server down)", null, this,
        s -> s.health == Health.DISK_LOW || s.health == Health.LOG_FAILED
            || s.health == Health.DOWN ? 1 : 0);
  }

  /** Stops the checks and closes the store; idempotent. Waits for a running check. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    health = Health.CLOSED;
    if (task != null) {
      task.cancel(false);
    }
    store.close();
    metrics.close();
  }
}
