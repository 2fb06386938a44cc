package dev.x0tta6bl4.node.config;

import static dev.x0tta6bl4.node.config.NodeConfig.requireBelow;
import static dev.x0tta6bl4.node.config.NodeConfig.requireRange;

import java.time.Duration;

/**
 * Section {@code mapek.node}: thresholds and timings of the self-healing of the node itself
 * (free disk, Raft log size, heap, GC, certificate expiry; see {@code docs/healing-raft.md}).
 * The node maps it onto {@code heal.NodeHealing.Settings}; these defaults are the only copy of
 * the numbers.
 *
 * <p>The check against {@code consensus.min-free-space} (the disk floor must lie above the
 * point where Raft refuses writes) is made by {@link NodeConfig}, which sees both sections.
 *
 * @param diskMinFree free space of the state directory's file system below which the disk is
 *     under pressure, 0B..1TiB; 0B turns the check off
 * @param raftLogMax Raft log size above which the disk is under pressure, 0B..1TiB; 0B (the
 *     default) turns the check off
 * @param heapMaxRatio heap in use after GC, over the maximum, above which memory is under
 *     pressure, 0.1..1.0
 * @param heapClearRatio the ratio below which memory pressure ends, 0.05..1.0, below {@code
 *     heapMaxRatio}
 * @param gcPauseMaxRatio share of wall time spent in GC over {@code gcWindow} above which the
 *     node counts as degraded (its Raft leadership is moved away), 0.01..1.0
 * @param gcWindow the window of the GC share, 1s..1h
 * @param certRenewBefore time to expiry below which the node's certificate is near expiry,
 *     1m..30d (the identity service renews at a third of the lifetime; this is the backstop)
 * @param confirmTicks consecutive ticks a condition must hold before it is a symptom, 1..100
 * @param cooldown least time between two certificate rotations, 0s..1d
 * @param verifyWindow how long after a rotation its symptom must clear, 100ms..1h
 */
public record NodeHealingConfig(
    DataSize diskMinFree,
    DataSize raftLogMax,
    double heapMaxRatio,
    double heapClearRatio,
    double gcPauseMaxRatio,
    Duration gcWindow,
    Duration certRenewBefore,
    int confirmTicks,
    Duration cooldown,
    Duration verifyWindow) {
  private static final String P = "mapek.node.";
  private static final DataSize MAX_SIZE = DataSize.ofMebibytes(1024L * 1024);

  /** Validates the values. */
  public NodeHealingConfig {
    requireRange(P + "disk-min-free", diskMinFree, DataSize.ofBytes(0), MAX_SIZE);
    requireRange(P + "raft-log-max", raftLogMax, DataSize.ofBytes(0), MAX_SIZE);
    requireRange(P + "heap-max-ratio", heapMaxRatio, 0.1, 1.0);
    requireRange(P + "heap-clear-ratio", heapClearRatio, 0.05, 1.0);
    requireBelow(P + "heap-clear-ratio", heapClearRatio, P + "heap-max-ratio", heapMaxRatio);
    requireRange(P + "gc-pause-max-ratio", gcPauseMaxRatio, 0.01, 1.0);
    requireRange(P + "gc-window", gcWindow, Duration.ofSeconds(1), Duration.ofHours(1));
    requireRange(P + "cert-renew-before", certRenewBefore, Duration.ofMinutes(1),
        Duration.ofDays(30));
    requireRange(P + "confirm-ticks", confirmTicks, 1, 100);
    requireRange(P + "cooldown", cooldown, Duration.ZERO, Duration.ofDays(1));
    requireRange(P + "verify-window", verifyWindow, Duration.ofMillis(100), Duration.ofHours(1));
  }

  /**
   * Disk pressure below 256 MiB free, no Raft log limit, memory pressure above 90 % of the heap
   * after GC (until below 80 %), degraded above 25 % of time in GC over 10 s, certificate near
   * expiry within 2 h; 2 ticks to confirm, rotations at most once a minute, 5 s to verify.
   */
  public static NodeHealingConfig defaults() {
    return new NodeHealingConfig(DataSize.ofMebibytes(256), DataSize.ofBytes(0), 0.90, 0.80,
        0.25, Duration.ofSeconds(10), Duration.ofHours(2), 2, Duration.ofMinutes(1),
        Duration.ofSeconds(5));
  }

  /** A copy with {@code diskMinFree} replaced. */
  public NodeHealingConfig withDiskMinFree(DataSize value) {
    return new NodeHealingConfig(value, raftLogMax, heapMaxRatio, heapClearRatio,
        gcPauseMaxRatio, gcWindow, certRenewBefore, confirmTicks, cooldown, verifyWindow);
  }

  /**
   * Checks the disk floor against Raft's: below {@code consensus.min-free-space} Raft already
   * refuses writes, so a disk-pressure floor at or under it would report the problem only after
   * writes had stopped. Either floor at 0B (off) passes.
   */
  void checkAgainstRaftFloor(DataSize raftMinFree) {
    if (diskMinFree.bytes() > 0 && raftMinFree.bytes() > 0
        && diskMinFree.compareTo(raftMinFree) <= 0) {
      throw ConfigException.invalid(P + "disk-min-free",
          diskMinFree + " is not above consensus.min-free-space " + raftMinFree,
          "more than consensus.min-free-space (where Raft stops accepting writes), or 0B for"
              + " no disk check");
    }
  }
}
