package dev.x0tta6bl4.consensus;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.function.ToDoubleFunction;

/**
 * The meters of one Raft member, all under {@code meshd.raft.*} (rendered by Prometheus as
 * {@code meshd_raft_*} with unit and {@code _total} suffixes). Counters and timers are updated
 * from Ratis threads; gauges read the owner's status when scraped. Closed by
 * {@link ReplicatedStore#close()}, which removes the meters from the registry.
 */
final class RaftMetrics implements AutoCloseable {
  private final OwnedMeters meters;

  final Timer applyLatency;
  final Timer requestLatency;
  final Timer snapshotDuration;
  final Counter snapshotsTaken;
  final Counter snapshotsCorrupt;
  final Counter snapshotsInstalled;
  final Counter leaderChanges;
  final Counter elections;
  final Counter fastElections;
  final Counter clientRetries;
  final Counter invalidEntries;
  final Counter logFailures;
  final Counter batchedOps;

  RaftMetrics(MeterRegistry registry) {
    this.meters = new OwnedMeters(registry);
    applyLatency = add(Timer.builder("meshd.raft.apply.latency")
        .description("Time to apply one committed Raft entry to the KV state machine")
        .publishPercentileHistogram(false)
        .register(registry));
    requestLatency = add(Timer.builder("meshd.raft.client.request.latency")
        .description("Time from submitting a write to its commit and apply, as seen by this node")
        .register(registry));
    snapshotDuration = add(Timer.builder("meshd.raft.snapshot.duration")
        .description("Time to write one snapshot (serialize, fsync, rename)")
        .register(registry));
    snapshotsTaken = counter("meshd.raft.snapshots.taken", "Snapshots written by this node");
    snapshotsCorrupt = counter("meshd.raft.snapshots.corrupt",
        "Snapshot files found corrupt or truncated on load and quarantined (never loaded)");
    snapshotsInstalled = counter("meshd.raft.snapshots.installed",
        "Snapshots installed from the leader on this follower");
    leaderChanges = counter("meshd.raft.leader.changes", "Leader changes observed by this node");
    elections = counter("meshd.raft.elections",
        "Elections observed by this node (a leader change into a higher term)");
    fastElections = counter("meshd.raft.elections.fast",
        "Elections this member stood for at once because its leader's connection dropped and it"
            + " was next in line (consensus.fast-failover)");
    clientRetries = counter("meshd.raft.client.retries",
        "Retries of the Ratis client (not leader, timeouts, connection failures)");
    invalidEntries = counter("meshd.raft.apply.invalid",
        "Raft entries that could not be decoded and were applied as no-ops");
    logFailures = counter("meshd.raft.log.failures", "Raft log write failures reported by Ratis");
    batchedOps = counter("meshd.raft.client.batched.ops",
        "Operations that travelled in a Raft entry shared with other operations");
  }

  private Counter counter(String name, String description) {
    return meters.counter(name, description);
  }

  private <M extends Meter> M add(M meter) {
    return meters.add(meter);
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
