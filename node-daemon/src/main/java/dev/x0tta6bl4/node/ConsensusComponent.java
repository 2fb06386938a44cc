package dev.x0tta6bl4.node;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.x0tta6bl4.consensus.ConsensusConfig;
import dev.x0tta6bl4.consensus.ConsensusSupervisor;
import dev.x0tta6bl4.consensus.RaftTls;
import dev.x0tta6bl4.consensus.ReplicatedStore;
import dev.x0tta6bl4.consensus.SupervisorConfig;
import dev.x0tta6bl4.consensus.SupervisorStatus;
import dev.x0tta6bl4.consensus.Voter;
import dev.x0tta6bl4.node.config.ConfigException;
import dev.x0tta6bl4.node.config.NodeConfig;
import dev.x0tta6bl4.node.config.VoterAddress;
import dev.x0tta6bl4.node.wiring.Component;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's member of the replicated store: maps the {@code consensus} section onto a {@link
 * ConsensusConfig} and runs the {@link ReplicatedStore} (Raft server and client) under a {@link
 * ConsensusSupervisor}, which rebuilds a server that closed itself or whose log failed, refuses
 * writes while the disk is nearly full, and takes a snapshot every {@code
 * consensus.snapshot-interval} when something was applied since the newest one. The local API
 * reaches the store only through {@link #store()}, asked on every request, so a rebuilt store is
 * picked up at once.
 *
 * <p>Lifecycle NEW → RUNNING → CLOSED: built and started by the container after the node's
 * identity, closed before the meter registry (which removes the {@code meshd.raft.*} meters).
 * The supervisor's checks run on the node's scheduler thread; {@link #store()} is called from
 * any thread.
 */
public final class ConsensusComponent implements Component {
  private static final Logger log = LoggerFactory.getLogger(ConsensusComponent.class);

  private final ConsensusConfig config;
  private final NodeConfig.Consensus section;
  private final MeterRegistry registry;
  private final ScheduledExecutorService scheduler;
  private volatile ConsensusSupervisor supervisor;
  private volatile boolean closed;

  /**
   * Checks the section against this node and builds the Raft settings; nothing starts yet.
   *
   * @throws ConfigException when this node is not among the voters, its entry is not {@code
   *     consensus.bind}, or the Raft port is another server's (exit code 78)
   */
  public ConsensusComponent(NodeConfig nodeConfig, LocalNode local, RaftTls tls,
      MeterRegistry registry, ScheduledExecutorService scheduler, Clock clock) {
    nodeConfig.checkConsensusFor(local.nodeId());
    this.section = nodeConfig.consensus();
    this.config = consensusConfig(section, local, tls, clock);
    this.registry = registry;
    this.scheduler = scheduler;
  }

  /**
   * The consensus module's settings for this node's section; {@code tls} secures the Raft port
   * (the node always passes the one built from its identity; null, plaintext, only in tests of
   * this mapping and of the component's lifecycle).
   */
  static ConsensusConfig consensusConfig(NodeConfig.Consensus c, LocalNode local, RaftTls tls,
      Clock clock) {
    Voter self = new Voter(local.nodeId(), c.bind().host(), c.bind().port());
    List<Voter> voters = c.voters().stream().map(ConsensusComponent::voter).toList();
    ConsensusConfig.Builder b = ConsensusConfig.builder(local.nodeId(),
            c.storageDirIn(local.stateDir()))
        .electionTimeout(c.electionTimeoutMin(), c.electionTimeoutMax())
        .fastFailover(c.fastFailover())
        .requestTimeout(c.requestTimeout())
        .snapshotThreshold(c.snapshotThreshold())
        .snapshotRetention(c.snapshotRetention())
        .segmentSizeBytes(c.logSegmentSize().bytes())
        .maxValueBytes(Math.toIntExact(c.maxValueSize().bytes()))
        .clock(clock);
    if (tls != null) {
      b.tls(tls);
    }
    if (c.join()) {
      b.joining(voters, self);
    } else {
      b.voters(voters.isEmpty() ? List.of(self) : voters);
    }
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      // The section's own checks should have caught this; say where to look all the same.
      throw new ConfigException("consensus: " + e.getMessage());
    }
  }

  private static Voter voter(VoterAddress v) {
    return new Voter(v.id(), v.address().host(), v.address().port());
  }

  @Override
  public synchronized void start() {
    if (supervisor != null || closed) {
      return;
    }
    try {
      Files.createDirectories(config.storageDir());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the Raft storage directory "
          + config.storageDir(), e);
    }
    supervisor = ConsensusSupervisor.start(config, SupervisorConfig.builder()
        .snapshotInterval(section.snapshotInterval())
        .minFreeBytes(section.minFreeSpace().bytes())
        .build(), registry, scheduler);
    log.info("Raft member started {} {} {} {} {}", kv("node_id", config.nodeId()),
        kv("raft_address", config.self().address()),
        kv("raft_tls", config.tls().map(RaftTls::description).orElse("off")),
        kv("voters", config.voters().stream().map(Voter::id).toList()),
        kv("storage_dir", config.storageDir().toString()));
  }

  /** The supervisor's view: the store's status plus disk, health and rebuilds. */
  public SupervisorStatus status() {
    return running().status();
  }

  private ConsensusSupervisor running() {
    ConsensusSupervisor s = supervisor;
    if (s == null || closed) {
      throw new IllegalStateException("the Raft member of '" + config.nodeId() + "' is "
          + (closed ? "closed" : "not started"));
    }
    return s;
  }

  /**
   * The running store.
   *
   * @throws IllegalStateException before {@link #start()} or after {@link #close()}
   */
  public ReplicatedStore store() {
    return running().store();
  }

  // ---------------------------------------------------------------- self-healing hooks

  /** How long ago this member last heard from each peer it tracks; see ReplicatedStore. */
  public Map<String, Duration> peerContact() {
    return store().peerContact();
  }

  /** Bytes of this member's Raft log segments on disk. */
  public long logSizeBytes() {
    return store().logSizeBytes();
  }

  /** Ids of the voters of the group's current configuration as this member knows it. */
  public List<String> voterIds() {
    return store().voters().stream().map(Voter::id).toList();
  }

  /** Asks the group to move leadership to {@code voterId}; see ReplicatedStore. */
  public CompletableFuture<Void> transferLeadership(String voterId) {
    return store().transferLeadership(voterId);
  }

  /**
   * Takes a snapshot of this member now and purges its log behind it; completes with the index
   * the log was purged up to (the entries Ratis preserves and the open segment stay).
   */
  public CompletableFuture<Long> snapshotAndPurge() {
    ReplicatedStore s = store();
    return s.snapshot().thenCompose(s::purgeLog);
  }

  /**
   * Rebuilds this member's Raft server now (the supervisor's rebuild, without its backoff);
   * blocks the caller for about a second.
   */
  public void rebuildNow(String why) {
    running().rebuildNow(why);
  }

  /** The settings the store runs with. */
  public ConsensusConfig config() {
    return config;
  }

  /** The Raft storage directory of this node. */
  public Path storageDir() {
    return config.storageDir();
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (supervisor != null) {
      supervisor.close();
    }
  }
}
