package dev.x0tta6bl4.consensus;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.ToDoubleFunction;

/**
 * The meters of a {@link ConsensusSupervisor}, under {@code meshd.raft.*} like
 * {@link RaftMetrics}. They outlive the stores the supervisor rebuilds (each store registers and
 * removes its own meters); closed with the supervisor, which removes them.
 */
final class SupervisorMetrics implements AutoCloseable {
  private final OwnedMeters meters;

  final Counter rebuildsServerClosed;
  final Counter rebuildsLogFailed;
  final Counter rebuildsRequested;
  final Counter rebuildFailures;
  final Counter writesRefused;
  final Counter timedSnapshots;
  final Counter timedSnapshotFailures;
  final Counter checkErrors;

  SupervisorMetrics(MeterRegistry registry) {
    this.meters = new OwnedMeters(registry);
    rebuildsServerClosed = rebuilds("server_closed");
    rebuildsLogFailed = rebuilds("log_failed");
    rebuildsRequested = rebuilds("requested");
    rebuildFailures = counter("meshd.raft.rebuild.failures",
        "Attempts to rebuild the Raft server that failed (retried with backoff)");
    writesRefused = counter("meshd.raft.writes.refused",
        "Writes refused before reaching Raft (disk below the floor, log failed, rebuilding)");
    timedSnapshots = counter("meshd.raft.snapshots.timed",
        "Snapshots triggered by the supervisor's time-based interval");
    timedSnapshotFailures = counter("meshd.raft.snapshots.timed.failures",
        "Time-based snapshots that failed");
    checkErrors = counter("meshd.raft.supervisor.check.errors",
        "Supervisor checks that failed with an unexpected error");
  }

  private Counter rebuilds(String reason) {
    return meters.counter("meshd.raft.rebuilds",
        "Raft servers closed and started again on the same storage by the supervisor",
        "reason", reason);
  }

  private Counter counter(String name, String description) {
    return meters.counter(name, description);
  }

  /** Registers a gauge reading {@code fn(owner)} at scrape time. */
  <T> void gauge(String name, String description, String baseUnit, T owner, ToDoubleFunction<T> fn) {
    meters.gauge(name, description, baseUnit, owner, fn);
  }

  @Override
  public void close() {
    meters.close();
  }
}
