package dev.x0tta6bl4.consensus;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The meters of a {@link ConsensusSupervisor}, under {@code meshd.raft.*} like
 * {@link RaftMetrics}. They outlive the stores the supervisor rebuilds (each store registers and
 * removes its own meters); closed with the supervisor, which removes them.
 */
final class SupervisorMetrics implements AutoCloseable {
  private final MeterRegistry registry;
  private final List<Meter> meters = new ArrayList<>();

  final Counter rebuildsServerClosed;
  final Counter rebuildsLogFailed;
  final Counter rebuildFailures;
  final Counter writesRefused;
  final Counter timedSnapshots;
  final Counter timedSnapshotFailures;
  final Counter checkErrors;

  SupervisorMetrics(MeterRegistry registry) {
    this.registry = registry;
    rebuildsServerClosed = rebuilds("server_closed");
    rebuildsLogFailed = rebuilds("log_failed");
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
    return add(Counter.builder("meshd.raft.rebuilds")
        .description("Raft servers closed and started again on the same storage by the supervisor")
        .tag("reason", reason)
        .register(registry));
  }

  private Counter counter(String name, String description) {
    return add(Counter.builder(name).description(description).register(registry));
  }

  private <M extends Meter> M add(M meter) {
    meters.add(meter);
    return meter;
  }

  /** Registers a gauge reading {@code fn(owner)} at scrape time. */
  <T> void gauge(String name, String description, String baseUnit, T owner, ToDoubleFunction<T> fn) {
    add(Gauge.builder(name, owner, fn).description(description).baseUnit(baseUnit)
        .strongReference(true).register(registry));
  }

  @Override
  public void close() {
    for (Meter m : meters) {
      registry.remove(m);
    }
    meters.clear();
  }
}
