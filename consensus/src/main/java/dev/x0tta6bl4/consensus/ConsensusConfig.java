package dev.x0tta6bl4.consensus;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Immutable settings of one Raft member and its client; build with {@link #builder(String, Path)}.
 * Every setter validates its argument and names it in the error. Defaults run a single voter on
 * 127.0.0.1:7601, the embedded default of a lone node.
 */
public final class ConsensusConfig {
  /** Default Raft port (DESIGN.md section 9). */
  public static final int DEFAULT_PORT = 7601;

  private final String nodeId;
  private final Path storageDir;
  private final List<Voter> voters;
  private final boolean joining;
  private final UUID groupId;
  private final Duration electionTimeoutMin;
  private final Duration electionTimeoutMax;
  private final Duration firstElectionTimeoutMin;
  private final Duration firstElectionTimeoutMax;
  private final boolean fastFailover;
  private final Duration requestTimeout;
  private final Duration rpcTimeout;
  private final Duration retryBaseSleep;
  private final Duration retryMaxSleep;
  private final Duration closeThreshold;
  private final long snapshotThreshold;
  private final int snapshotRetention;
  private final long segmentSizeBytes;
  private final long logPreservedEntries;
  private final int maxValueBytes;
  private final int maxBatchOps;
  private final int maxInFlightBatches;
  private final Clock clock;
  private final UUID clientId;
  private final RaftTls tls;

  private ConsensusConfig(Builder b) {
    nodeId = b.nodeId;
    storageDir = b.storageDir;
    voters = b.voters == null
        ? List.of(new Voter(b.nodeId, "127.0.0.1", DEFAULT_PORT)) : List.copyOf(b.voters);
    joining = b.joining;
    groupId = b.groupId;
    electionTimeoutMin = b.electionTimeoutMin;
    electionTimeoutMax = b.electionTimeoutMax;
    firstElectionTimeoutMin = b.firstElectionTimeoutMin;
    firstElectionTimeoutMax = b.firstElectionTimeoutMax;
    fastFailover = b.fastFailover;
    requestTimeout = b.requestTimeout;
    rpcTimeout = b.rpcTimeout;
    retryBaseSleep = b.retryBaseSleep;
    retryMaxSleep = b.retryMaxSleep;
    closeThreshold = b.closeThreshold;
    snapshotThreshold = b.snapshotThreshold;
    snapshotRetention = b.snapshotRetention;
    segmentSizeBytes = b.segmentSizeBytes;
    logPreservedEntries = b.logPreservedEntries < 0 ? 2 * b.snapshotThreshold
        : b.logPreservedEntries;
    maxValueBytes = b.maxValueBytes;
    maxBatchOps = b.maxBatchOps;
    maxInFlightBatches = b.maxInFlightBatches;
    clock = b.clock;
    clientId = b.clientId == null ? UUID.randomUUID() : b.clientId;
    tls = b.tls;
    validate();
  }

  private void validate() {
    long self = voters.stream().filter(v -> v.id().equals(nodeId)).count();
    if (self != 1) {
      throw new IllegalArgumentException("voters: node '" + nodeId + "' must be listed exactly"
          + " once among the voters, got " + voters);
    }
    int n = voters.size();
    if (!joining && n != 1 && n != 3 && n != 5) {
      throw new IllegalArgumentException("voters: expected 1, 3 or 5 voters, got " + n);
    }
    if (voters.stream().map(Voter::id).distinct().count() != voters.size()) {
      throw new IllegalArgumentException("voters: duplicate voter id in " + voters);
    }
    if (electionTimeoutMax.compareTo(electionTimeoutMin) <= 0) {
      throw new IllegalArgumentException("electionTimeoutMax " + electionTimeoutMax
          + " must be greater than electionTimeoutMin " + electionTimeoutMin);
    }
    if (closeThreshold.compareTo(requestTimeout) <= 0) {
      throw new IllegalArgumentException("closeThreshold " + closeThreshold
          + " must exceed requestTimeout " + requestTimeout);
    }
  }

  public static Builder builder(String nodeId, Path storageDir) {
    return new Builder(nodeId, storageDir);
  }

  public String nodeId() { return nodeId; }
  public Path storageDir() { return storageDir; }
  public List<Voter> voters() { return voters; }
  /** True when this node starts with an empty group and waits to be added by the leader. */
  public boolean joining() { return joining; }
  public UUID groupId() { return groupId; }
  public Duration electionTimeoutMin() { return electionTimeoutMin; }
  public Duration electionTimeoutMax() { return electionTimeoutMax; }
  /** The election timeout before the group's first leader since start, when set (tests). */
  Optional<Duration> firstElectionTimeoutMin() {
    return Optional.ofNullable(firstElectionTimeoutMin);
  }

  Optional<Duration> firstElectionTimeoutMax() {
    return Optional.ofNullable(firstElectionTimeoutMax);
  }

  /**
   * True when a follower that lost its connection to the leader stands for election without
   * waiting for its election timer, in successor order ({@link LeaderLossWatch}).
   */
  public boolean fastFailover() { return fastFailover; }
  /** Deadline of one client operation, retries included; past it the caller sees no quorum. */
  public Duration requestTimeout() { return requestTimeout; }
  /** Timeout of one RPC attempt of the client and between servers. */
  public Duration rpcTimeout() { return rpcTimeout; }
  public Duration retryBaseSleep() { return retryBaseSleep; }
  public Duration retryMaxSleep() { return retryMaxSleep; }
  /** A JVM pause longer than this makes Ratis close the server (Ratis default 60 s). */
  public Duration closeThreshold() { return closeThreshold; }
  public long snapshotThreshold() { return snapshotThreshold; }
  public int snapshotRetention() { return snapshotRetention; }
  public long segmentSizeBytes() { return segmentSizeBytes; }
  /** Log entries kept behind the newest snapshot, so an older snapshot plus log still works. */
  public long logPreservedEntries() { return logPreservedEntries; }
  public int maxValueBytes() { return maxValueBytes; }
  public int maxBatchOps() { return maxBatchOps; }
  public int maxInFlightBatches() { return maxInFlightBatches; }
  public Clock clock() { return clock; }
  public UUID clientId() { return clientId; }
  /** Mutual TLS on every Raft connection; empty means plaintext gRPC. */
  public Optional<RaftTls> tls() { return Optional.ofNullable(tls); }

  public Voter self() {
    return voters.stream().filter(v -> v.id().equals(nodeId)).findFirst().orElseThrow(
        () -> new IllegalStateException("node '" + nodeId + "' is not among the voters"));
  }

  /** Builder; not thread-safe. */
  public static final class Builder {
    private final String nodeId;
    private final Path storageDir;
    private List<Voter> voters;
    private boolean joining;
    private UUID groupId = UUID.nameUUIDFromBytes("meshd-raft-group".getBytes(
        java.nio.charset.StandardCharsets.UTF_8));
    private Duration electionTimeoutMin = Duration.ofMillis(150);
    private Duration electionTimeoutMax = Duration.ofMillis(300);
    private Duration firstElectionTimeoutMin;
    private Duration firstElectionTimeoutMax;
    private boolean fastFailover = true;
    private Duration requestTimeout = Duration.ofSeconds(10);
    private Duration rpcTimeout = Duration.ofSeconds(3);
    private Duration retryBaseSleep = Duration.ofMillis(25);
    private Duration retryMaxSleep = Duration.ofMillis(200);
    private Duration closeThreshold = Duration.ofSeconds(60);
    private long snapshotThreshold = 10_000;
    private int snapshotRetention = 3;
    private long segmentSizeBytes = 1 << 20;
    private long logPreservedEntries = -1;
    private int maxValueBytes = 1 << 20;
    private int maxBatchOps = 256;
    private int maxInFlightBatches = 4;
    private Clock clock = Clock.systemUTC();
    private UUID clientId;
    private RaftTls tls;

    private Builder(String nodeId, Path storageDir) {
      new Voter(nodeId, "127.0.0.1", DEFAULT_PORT); // validates the id
      this.nodeId = nodeId;
      this.storageDir = Objects.requireNonNull(storageDir, "storageDir");
    }

    /** The voters of the group, this node included (1, 3 or 5). */
    public Builder voters(List<Voter> voters) {
      this.voters = List.copyOf(Objects.requireNonNull(voters, "voters"));
      return this;
    }

    /**
     * Starts this node outside the group: {@code currentVoters} are the existing voters (for the
     * client), {@code self} is where this node listens; a leader then adds it with
     * {@link ReplicatedStore#addVoter}.
     */
    public Builder joining(List<Voter> currentVoters, Voter self) {
      this.joining = true;
      Objects.requireNonNull(self, "self");
      java.util.ArrayList<Voter> all = new java.util.ArrayList<>(currentVoters);
      all.add(self);
      this.voters = List.copyOf(all);
      return this;
    }

    public Builder groupId(UUID id) {
      this.groupId = Objects.requireNonNull(id, "groupId");
      return this;
    }

    public Builder electionTimeout(Duration min, Duration max) {
      this.electionTimeoutMin = positive("electionTimeoutMin", min);
      this.electionTimeoutMax = positive("electionTimeoutMax", max);
      return this;
    }

    /**
     * The election timeout of a member until it first knows a leader (Ratis' first-election
     * timeout); defaults to {@link #electionTimeout}. Lets a test elect its first leader quickly
     * and still keep later elections slow.
     */
    Builder firstElectionTimeout(Duration min, Duration max) {
      this.firstElectionTimeoutMin = positive("firstElectionTimeoutMin", min);
      this.firstElectionTimeoutMax = positive("firstElectionTimeoutMax", max);
      if (max.compareTo(min) <= 0) {
        throw new IllegalArgumentException("firstElectionTimeoutMax " + max
            + " must be greater than firstElectionTimeoutMin " + min);
      }
      return this;
    }

    /** See {@link ConsensusConfig#fastFailover()}; on by default. */
    public Builder fastFailover(boolean on) {
      this.fastFailover = on;
      return this;
    }

    public Builder requestTimeout(Duration d) {
      this.requestTimeout = positive("requestTimeout", d);
      return this;
    }

    public Builder rpcTimeout(Duration d) {
      this.rpcTimeout = positive("rpcTimeout", d);
      return this;
    }

    public Builder retrySleep(Duration base, Duration max) {
      this.retryBaseSleep = positive("retryBaseSleep", base);
      this.retryMaxSleep = positive("retryMaxSleep", max);
      if (max.compareTo(base) < 0) {
        throw new IllegalArgumentException("retryMaxSleep " + max + " < retryBaseSleep " + base);
      }
      return this;
    }

    public Builder closeThreshold(Duration d) {
      this.closeThreshold = positive("closeThreshold", d);
      return this;
    }

    public Builder snapshotThreshold(long entries) {
      this.snapshotThreshold = atLeast("snapshotThreshold", entries, 1);
      return this;
    }

    public Builder snapshotRetention(int files) {
      this.snapshotRetention = (int) atLeast("snapshotRetention", files, 2);
      return this;
    }

    public Builder segmentSizeBytes(long bytes) {
      this.segmentSizeBytes = atLeast("segmentSizeBytes", bytes, 64 << 10);
      return this;
    }

    public Builder logPreservedEntries(long entries) {
      this.logPreservedEntries = atLeast("logPreservedEntries", entries, 0);
      return this;
    }

    public Builder maxValueBytes(int bytes) {
      this.maxValueBytes = (int) atLeast("maxValueBytes", bytes, 1);
      if (bytes > Limits.MAX_VALUE_BYTES) {
        throw new IllegalArgumentException("maxValueBytes " + bytes + " exceeds the protocol limit "
            + Limits.MAX_VALUE_BYTES);
      }
      return this;
    }

    public Builder batching(int maxBatchOps, int maxInFlightBatches) {
      this.maxBatchOps = (int) atLeast("maxBatchOps", maxBatchOps, 1);
      if (maxBatchOps > Limits.MAX_OPS_PER_REQUEST) {
        throw new IllegalArgumentException("maxBatchOps " + maxBatchOps + " exceeds "
            + Limits.MAX_OPS_PER_REQUEST);
      }
      this.maxInFlightBatches = (int) atLeast("maxInFlightBatches", maxInFlightBatches, 1);
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public Builder clientId(UUID id) {
      this.clientId = Objects.requireNonNull(id, "clientId");
      return this;
    }

    /**
     * Secures the Raft port, the server's connections to its peers and this node's Raft client
     * with mutual TLS ({@link RaftTls#fromIdentity} for the node's SVID). Off by default.
     */
    public Builder tls(RaftTls tls) {
      this.tls = Objects.requireNonNull(tls, "tls");
      return this;
    }

    public ConsensusConfig build() {
      return new ConsensusConfig(this);
    }

    private static Duration positive(String name, Duration d) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be a positive duration, got " + d);
      }
      return d;
    }

    private static long atLeast(String name, long v, long min) {
      if (v < min) {
        throw new IllegalArgumentException(name + " must be >= " + min + ", got " + v);
      }
      return v;
    }
  }
}
