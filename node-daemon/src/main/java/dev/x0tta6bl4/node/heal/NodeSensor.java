package dev.x0tta6bl4.node.heal;

import static dev.x0tta6bl4.node.heal.HealingModule.LOCAL;

import dev.x0tta6bl4.consensus.DiskSpaceProbe;
import dev.x0tta6bl4.mapek.Reading;
import dev.x0tta6bl4.mapek.Sensor;
import dev.x0tta6bl4.pqc.IdentitySource;
import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.OptionalDouble;

/**
 * Reads the node itself once per tick: heap, GC pause share over a sliding window (deltas of
 * the collectors' accumulated time), process CPU, free space of the state directory and the
 * time left on the node's certificate; and derives {@code node.degraded}, a bit set of the
 * conditions that make this node a poor Raft leader (see {@link NodeHealing#degradedReasons}).
 * A figure that cannot be read is left out (never reported as 0). Runs on the loop thread,
 * which owns the GC window.
 */
final class NodeSensor implements Sensor {
  private final NodeHealing.Settings settings;
  private final JvmProbe jvm;
  private final DiskSpaceProbe disk;
  private final Path stateDir;
  private final IdentitySource identity;
  private final Clock clock;
  /** (wall millis, accumulated GC millis) samples covering the last gcWindow. */
  private final Deque<long[]> gcSamples = new ArrayDeque<>();

  NodeSensor(NodeHealing.Settings settings, JvmProbe jvm, DiskSpaceProbe disk, Path stateDir,
      IdentitySource identity, Clock clock) {
    this.settings = settings;
    this.jvm = jvm;
    this.disk = disk;
    this.stateDir = stateDir;
    this.identity = identity;
    this.clock = clock;
  }

  @Override
  public String name() {
    return "node";
  }

  @Override
  public List<Reading> read() {
    List<Reading> out = new ArrayList<>();
    int degraded = 0;
    long now = clock.millis();

    double heap = jvm.heapUsedRatio();
    out.add(new Reading(NodeHealing.HEAP_USED, LOCAL, heap));
    OptionalDouble afterGc = jvm.heapAfterGcRatio();
    afterGc.ifPresent(v -> out.add(new Reading(NodeHealing.HEAP_AFTER_GC, LOCAL, v)));
    if (afterGc.orElse(heap) > settings.heapMaxRatio()) {
      degraded |= NodeHealing.DEGRADED_HEAP;
    }

    OptionalDouble gc = gcPauseRatio(now, jvm.gcMillisTotal());
    gc.ifPresent(v -> out.add(new Reading(NodeHealing.GC_PAUSE, LOCAL, v)));
    if (gc.orElse(0) > settings.gcPauseMaxRatio()) {
      degraded |= NodeHealing.DEGRADED_GC;
    }

    jvm.processCpu().ifPresent(v -> out.add(new Reading(NodeHealing.CPU, LOCAL, v)));

    try {
      long free = disk.usableBytes(stateDir);
      out.add(new Reading(NodeHealing.DISK_FREE, LOCAL, free));
      if (free < settings.diskMinFreeBytes()) {
        degraded |= NodeHealing.DEGRADED_DISK;
      }
    } catch (IOException | RuntimeException e) {
      // Unknown free space: no reading; the Raft supervisor's own disk check still runs.
    }

    if (identity != null) {
      X509Certificate leaf = identity.current().leaf();
      Duration ttl = Duration.ofMillis(leaf.getNotAfter().getTime() - now);
      Duration lifetime = Duration.ofMillis(leaf.getNotAfter().getTime()
          - leaf.getNotBefore().getTime());
      out.add(new Reading(NodeHealing.CERT_TTL, LOCAL, ttl.toMillis() / 1000.0));
      out.add(new Reading(NodeHealing.CERT_LIFETIME, LOCAL, lifetime.toMillis() / 1000.0));
    }
    out.add(new Reading(NodeHealing.DEGRADED, LOCAL, degraded));
    return out;
  }

  /** Share of wall time spent in GC over the window; empty until two samples exist. */
  private OptionalDouble gcPauseRatio(long now, long gcTotal) {
    gcSamples.addLast(new long[] {now, gcTotal});
    long window = settings.gcWindow().toMillis();
    while (gcSamples.size() > 2 && now - gcSamples.peekFirst()[0] > window) {
      gcSamples.removeFirst();
    }
    long[] oldest = gcSamples.peekFirst();
    long wall = now - oldest[0];
    if (gcSamples.size() < 2 || wall <= 0) {
      return OptionalDouble.empty();
    }
    return OptionalDouble.of(Math.min(1.0, Math.max(0, gcTotal - oldest[1]) / (double) wall));
  }
}
