package dev.x0tta6bl4.consensus;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a {@link ConsensusSupervisor} knows about its Raft member, for the MAPE-K sensors and the
 * status API: the member's own {@link ConsensusStatus} (role, leader, term, indexes, follower
 * lag, snapshot index and age) plus the supervisor's view of disk and rebuilds.
 *
 * @param raft the current store's status (read now)
 * @param health the supervisor's verdict, see {@link Health}
 * @param diskFreeBytes usable bytes on the storage's file system at the last check; empty when
 *     the probe failed or no check ran yet
 * @param minFreeBytes the configured floor below which writes are refused (0 = off)
 * @param rebuilds servers rebuilt since the supervisor started
 * @param lastRebuild when and why the last rebuild happened
 * @param lastError the last failed rebuild or check, if it has not been cleared by a success
 */
public record SupervisorStatus(
    ConsensusStatus raft,
    Health health,
    OptionalLong diskFreeBytes,
    long minFreeBytes,
    long rebuilds,
    Optional<Rebuild> lastRebuild,
    Optional<String> lastError) {

  /** The supervisor's verdict on its member. */
  public enum Health {
    /** Server running, log writable, enough disk: reads and writes served. */
    OK,
    /** Free disk below the floor: writes refused with {@code DiskFullException}, reads served. */
    DISK_LOW,
    /**
     * The Raft log failed (Ratis closes it; it stays failed until a rebuild): writes and
     * linearizable reads refused, STALE reads served from the old server's state; the rebuild
     * waits for room for a new log segment and for its backoff.
     */
    LOG_FAILED,
    /** The server closed itself or a rebuild failed: a rebuild is due (after its backoff). */
    DOWN,
    /**
     * This member was removed from the group and Ratis closed its server: not rebuilt (it would
     * only be closed again). Its client still reaches the remaining voters; stop the node or add
     * it again with a fresh storage.
     */
    REMOVED,
    /** The supervisor was closed. */
    CLOSED
  }

  /** One completed rebuild. */
  public record Rebuild(Instant at, String reason, long tookMillis) {}

  /** True when writes are refused before they reach Raft. */
  public boolean writesRefused() {
    return health == Health.DISK_LOW || health == Health.LOG_FAILED || health == Health.DOWN;
  }
}
