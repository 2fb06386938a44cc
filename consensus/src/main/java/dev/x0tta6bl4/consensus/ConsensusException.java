package dev.x0tta6bl4.consensus;

/**
 * Base of every error the consensus module reports. Expected outcomes of replicated operations
 * (not leader, no quorum, value too large, storage failure, disk full) arrive as subclasses of
 * this type in the failed {@link java.util.concurrent.CompletableFuture}; invalid arguments are
 * thrown directly as {@link IllegalArgumentException}.
 */
public class ConsensusException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ConsensusException(String message) {
    super(message);
  }

  public ConsensusException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * This node cannot serve the request because another node leads the group. The hint names the
   * leader this node believes in, when it knows one.
   */
  public static final class NotLeaderException extends ConsensusException {
    private static final long serialVersionUID = 1L;
    private final String leaderHint;

    public NotLeaderException(String leaderHint, Throwable cause) {
      super("not the Raft leader" + (leaderHint == null ? " (leader unknown)" : "; leader is "
          + leaderHint), cause);
      this.leaderHint = leaderHint;
    }

    /** The leader's peer id, or empty when no leader is known. */
    public java.util.Optional<String> leaderHint() {
      return java.util.Optional.ofNullable(leaderHint);
    }
  }

  /**
   * The request did not complete within its deadline, usually because no quorum of voters is
   * reachable or no leader is elected. Retryable; the outcome of a write is unknown.
   */
  public static final class NoQuorumException extends ConsensusException {
    private static final long serialVersionUID = 1L;

    public NoQuorumException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** A value, key or batch exceeds a configured or protocol limit. Not retryable. */
  public static final class ValueTooLargeException extends ConsensusException {
    private static final long serialVersionUID = 1L;

    public ValueTooLargeException(String message) {
      super(message);
    }
  }

  /**
   * The Raft log or snapshot storage failed (disk full, I/O error, server closed after a log
   * failure). Writes are refused until the storage recovers and the server is rebuilt.
   */
  public static class StorageFailureException extends ConsensusException {
    private static final long serialVersionUID = 1L;

    public StorageFailureException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * Writes are refused because the disk under the Raft storage is full or has less free space
   * than the configured minimum; nothing of the refused write was applied. Reads are still
   * served. Retry after space is freed: the {@link ConsensusSupervisor} resumes writes (and
   * rebuilds the server if its log failed) without a restart.
   */
  public static final class DiskFullException extends StorageFailureException {
    private static final long serialVersionUID = 1L;

    public DiskFullException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
