package dev.x0tta6bl4.node.api;

import dev.x0tta6bl4.consensus.ReplicatedStore;
import dev.x0tta6bl4.consensus.SupervisorStatus;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * How the local API reaches the node's replicated store: a supplier asked on every request (so
 * whoever owns the store may replace it, e.g. a supervisor that rebuilds a failed Raft server)
 * and the largest value a {@code PUT /v1/kv} may carry. When consensus is disabled the KV and
 * cluster endpoints answer 503 {@code consensus_disabled}. Immutable; the supplier is called on
 * event loops and must be fast.
 */
public final class ConsensusAccess {
  private static final ConsensusAccess DISABLED = new ConsensusAccess(null, null, 0);

  private final Supplier<ReplicatedStore> store;
  private final Supplier<SupervisorStatus> supervision;
  private final int maxValueBytes;

  private ConsensusAccess(Supplier<ReplicatedStore> store,
      Supplier<SupervisorStatus> supervision, int maxValueBytes) {
    this.store = store;
    this.supervision = supervision;
    this.maxValueBytes = maxValueBytes;
  }

  /** No replicated store on this node ({@code consensus.enabled: false}). */
  public static ConsensusAccess disabled() {
    return DISABLED;
  }

  /**
   * The store {@code store} supplies; it may throw {@link IllegalStateException} while the store
   * is not running (answered 503 {@code unavailable}).
   *
   * @param maxValueBytes largest value of one key, at least 1
   */
  public static ConsensusAccess of(Supplier<ReplicatedStore> store, int maxValueBytes) {
    Objects.requireNonNull(store, "store");
    if (maxValueBytes < 1) {
      throw new IllegalArgumentException("maxValueBytes must be >= 1, got " + maxValueBytes);
    }
    return new ConsensusAccess(store, null, maxValueBytes);
  }

  /**
   * As {@link #of}, for a store kept by a {@link dev.x0tta6bl4.consensus.ConsensusSupervisor}:
   * {@code GET /v1/cluster} then also reports its health, disk and rebuilds.
   */
  public static ConsensusAccess supervised(Supplier<ReplicatedStore> store,
      Supplier<SupervisorStatus> supervision, int maxValueBytes) {
    ConsensusAccess plain = of(store, maxValueBytes);
    return new ConsensusAccess(plain.store, Objects.requireNonNull(supervision, "supervision"),
        maxValueBytes);
  }

  boolean enabled() {
    return store != null;
  }

  /** The store now; throws {@link IllegalStateException} when there is none. */
  ReplicatedStore store() {
    if (store == null) {
      throw new IllegalStateException("consensus is disabled on this node");
    }
    return store.get();
  }

  int maxValueBytes() {
    return maxValueBytes;
  }

  /** The supervisor's view now, when the store is supervised. */
  Optional<SupervisorStatus> supervision() {
    return supervision == null ? Optional.empty() : Optional.of(supervision.get());
  }
}
