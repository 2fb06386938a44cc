package dev.x0tta6bl4.node.heal;

import dev.x0tta6bl4.consensus.ConsensusStatus;
import dev.x0tta6bl4.consensus.DiskSpaceProbe;
import dev.x0tta6bl4.consensus.SupervisorStatus;
import dev.x0tta6bl4.mapek.Action;
import dev.x0tta6bl4.mapek.Actuator;
import dev.x0tta6bl4.mapek.ControlLoop;
import dev.x0tta6bl4.mapek.IncidentView;
import dev.x0tta6bl4.mapek.Mode;
import dev.x0tta6bl4.node.ConsensusComponent;
import dev.x0tta6bl4.node.LocalNode;
import dev.x0tta6bl4.node.cluster.LocalCluster;
import dev.x0tta6bl4.node.config.DataSize;
import dev.x0tta6bl4.node.config.NodeConfig;
import dev.x0tta6bl4.node.config.NodeHealingConfig;
import dev.x0tta6bl4.pqc.IdentityFiles;
import dev.x0tta6bl4.pqc.MeshCertificateAuthority;
import dev.x0tta6bl4.pqc.SignatureAlgorithm;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * Three real nodes (LocalCluster, one Raft group of 3 voters over mutual TLS) each running the
 * Raft and node healing modules in their own control loop, ticked every 100 ms by this harness
 * (as the node's HealingComponent does every {@code mapek.tick-interval}). Faults are injected
 * through real paths: a disk probe bound in each node's container (free space of the state
 * directory), writes that grow the Raft log, and SVID files written into a node's identity
 * directory (nodes use the mesh CA source with a CA the test holds).
 *
 * <p>Every action start of a voter-affecting kind is checked against ground truth read from the
 * nodes themselves (not from the loop's snapshot): with the action's subject out, a majority of
 * the voters must be serving (Raft server running, member OK or DISK_LOW, leader or follower),
 * and a transfer's target must be one of them. Violations are collected for the test to assert.
 */
final class HealingCluster implements AutoCloseable {
  static final int VALUE_BYTES = 8 << 10;
  static final long SNAPSHOT_THRESHOLD = 100;
  /**
   * Measured here: with 8 KiB values (two log entries per write, ~4.6 KB each), a snapshot every
   * 100 entries and 200 entries preserved behind it, Ratis' own purging keeps the log between
   * about 0.88 and 1.3 MB. 1.2 MB is crossed late in each cycle, before Ratis' next purge, and
   * a snapshot-and-purge then brings the log back to about 200 entries (~0.95 MB).
   */
  static final long LOG_MAX_BYTES = 1_200_000;
  static final Duration CERT_RENEW_BEFORE = Duration.ofMinutes(5);

  final LocalCluster cluster;
  final Path caDir;
  final Map<String, Long> diskFree = new ConcurrentHashMap<>();
  final List<ControlLoop> loops = new ArrayList<>();
  final List<String> violations = new CopyOnWriteArrayList<>();
  final List<String> started = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
  private final ExecutorService actions = Executors.newFixedThreadPool(3);
  private final AtomicLong tickFailures = new AtomicLong();

  private final boolean hostedByNode;

  HealingCluster(Path dir, Mode mode) {
    this(dir, mode, false);
  }

  /**
   * @param hostedByNode run the modules in each node's own HealingComponent (mapek.mode auto,
   *     tick 100 ms) instead of harness loops; then actions are not checked against ground truth
   */
  HealingCluster(Path dir, Mode mode, boolean hostedByNode) {
    this.hostedByNode = hostedByNode;
    caDir = dir.resolve("test-ca");
    MeshCertificateAuthority ca = MeshCertificateAuthority.builder().trustDomain("cluster.test")
        .algorithm(SignatureAlgorithm.ED25519).svidLifetime(Duration.ofMinutes(10)).init();
    ca.save(caDir);
    RaftHealing.Settings raftSettings = fastRaft();
    NodeHealing.Settings nodeSettings = fastNode();
    cluster = LocalCluster.start(dir.resolve("nodes"), 3, LocalCluster.Topology.FULL,
        c -> hosted(customise(c, ca), hostedByNode), 11L, 3, (id, b) -> {
          diskFree.put(id, 100L << 30);
          return b.bindInstance(DiskSpaceProbe.class, (DiskSpaceProbe) p -> diskFree.get(id))
              .bindInstance(RaftHealing.Settings.class, raftSettings)
              .bindInstance(NodeHealing.Settings.class, nodeSettings);
        });
    try {
      if (!hostedByNode) {
        for (int i = 0; i < 3; i++) {
          loops.add(loopFor(i, mode));
        }
        ticker.scheduleWithFixedDelay(this::tickAll, 100, 100, TimeUnit.MILLISECONDS);
      }
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  static RaftHealing.Settings fastRaft() {
    RaftHealing.Settings d = RaftHealing.Settings.defaults();
    return new RaftHealing.Settings(d.noLeaderGrace(), d.followerLagMax(),
        d.followerContactMax(), d.applyBacklogMax(), d.confirmTicks(), d.transferTimeout(),
        d.snapshotTimeout(), d.rebuildTimeout(), Duration.ofMillis(500), Duration.ofSeconds(3),
        d.voterAffectingKinds());
  }

  static NodeHealing.Settings fastNode() {
    NodeHealing.Settings d = NodeHealing.Settings.defaults();
    return new NodeHealing.Settings(d.diskMinFreeBytes(), LOG_MAX_BYTES, d.heapMaxRatio(),
        d.heapClearRatio(), 1.0, d.gcWindow(), CERT_RENEW_BEFORE, d.confirmTicks(),
        Duration.ofMillis(500), Duration.ofSeconds(3));
  }

  /**
   * Small snapshots and segments so the log can be pushed past its limit with a few hundred
   * writes; the mesh CA identity source with the test's CA and 10-minute SVIDs, files checked
   * every second. GC pauses are not a leader-degradation signal here (limit 1.0): every node
   * shares this JVM, so a pause would degrade all three at once.
   */
  private NodeConfig customise(NodeConfig c, MeshCertificateAuthority ca) {
    // The certificate backstop must lie below the 10-minute SVIDs (NodeConfig checks it).
    NodeConfig.Mapek m = c.mapek();
    NodeHealingConfig n = m.node();
    c = c.withMapek(m.withAreas(m.mesh(), m.raft(), new NodeHealingConfig(n.diskMinFree(),
        n.raftLogMax(), n.heapMaxRatio(), n.heapClearRatio(), n.gcPauseMaxRatio(), n.gcWindow(),
        CERT_RENEW_BEFORE, n.confirmTicks(), n.cooldown(), n.verifyWindow()), m.load()));
    NodeConfig.Consensus k = c.consensus();
    NodeConfig.Identity id = c.identity();
    IdentityFiles.writeNodeIdentity(c.node().stateDir().resolve("identity"),
        ca.issueNodeIdentity(c.node().id()));
    return c.withConsensus(new NodeConfig.Consensus(k.enabled(), k.bind(), k.voters(), k.join(),
            k.electionTimeoutMin(), k.electionTimeoutMax(), k.fastFailover(), k.requestTimeout(),
            SNAPSHOT_THRESHOLD, k.snapshotInterval(), k.snapshotRetention(),
            DataSize.ofKibibytes(64), k.maxValueSize(), k.minFreeSpace(), k.storageDir()))
        .withIdentity(new NodeConfig.Identity(id.trustDomain(),
            NodeConfig.IdentitySourceKind.MESH_CA, null, caDir, id.algorithm(),
            Duration.ofMinutes(10), Duration.ofSeconds(1)));
  }

  private static NodeConfig hosted(NodeConfig c, boolean hostedByNode) {
    return hostedByNode ? c.withMapek(c.mapek().withMode(NodeConfig.MapekMode.AUTO)
        .withTickInterval(Duration.ofMillis(100))) : c;
  }

  private ControlLoop loopFor(int i, Mode mode) {
    LocalCluster.ClusterNode n = cluster.node(i);
    NodeConfig config = n.container().get(NodeConfig.class);
    LocalNode local = n.container().get(LocalNode.class);
    HealingModule raft = RaftHealing.forNode(config, local, n.container());
    HealingModule node = NodeHealing.forNode(config, local, n.container());
    // Composed like the node's HealingComponent (clear-ticks 2 as mapek.clear-ticks' default),
    // but with room for 100 action starts a minute instead of mapek.rate-limit's 20: the seeded
    // injection soaks start an action every second or two, and under the default a loop refuses
    // its 21st start within a minute by design (RaftHealingInjectionTest's 40 injections hit it at
    // the 28th: a snapshot-and-purge "blocked: rate-limit"). The limit itself is the planner's,
    // tested there.
    return TestLoops.loop(Clock.systemUTC(), new SimpleMeterRegistry(), mode, actions,
        a -> checked(n.id(), a), 2, 100, raft, node);
  }

  private Actuator checked(String nodeId, Actuator a) {
    return new Actuator(a.kind(), action -> {
      started.add(Instant.now() + " " + nodeId + " " + action.key() + action.params());
      if (action.kind().equals(RaftHealing.TRANSFER_LEADERSHIP)
          || action.kind().equals(RaftHealing.REBUILD_RAFT)) {
        groundTruthViolation(action).ifPresent(v -> violations.add(nodeId + ": " + v));
      }
      return a.handler().execute(action);
    }, a.timeout(), a.cooldown(), a.verifyWindow());
  }

  /** The quorum invariant against the nodes' real state at this instant. */
  private Optional<String> groundTruthViolation(Action action) {
    List<String> serving = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      if (serving(i)) {
        serving.add(cluster.node(i).id());
      }
    }
    List<String> left = serving.stream().filter(s -> !s.equals(action.subject())).toList();
    if (left.size() < 2) {
      return Optional.of(action.key() + " leaves " + left + " serving of 3 voters");
    }
    String to = action.params().get(QuorumVeto.TARGET_PARAM);
    if (action.kind().equals(RaftHealing.TRANSFER_LEADERSHIP) && !left.contains(to)) {
      return Optional.of(action.key() + " moves leadership to " + to + ", not serving "
          + serving);
    }
    return Optional.empty();
  }

  boolean serving(int i) {
    LocalCluster.ClusterNode n = cluster.node(i);
    if (!n.running()) {
      return false;
    }
    try {
      SupervisorStatus st = n.container().get(ConsensusComponent.class).status();
      return "RUNNING".equals(st.raft().serverState())
          && (st.health() == SupervisorStatus.Health.OK
              || st.health() == SupervisorStatus.Health.DISK_LOW)
          && (st.raft().role() == ConsensusStatus.Role.LEADER
              || st.raft().role() == ConsensusStatus.Role.FOLLOWER);
    } catch (RuntimeException e) {
      return false;
    }
  }

  private void tickAll() {
    for (ControlLoop loop : loops) {
      try {
        loop.tick();
      } catch (RuntimeException e) {
        tickFailures.incrementAndGet();
      }
    }
  }

  ConsensusComponent raft(int i) {
    return cluster.node(i).container().get(ConsensusComponent.class);
  }

  /** The index of the node that leads, or -1. */
  int leader() {
    for (int i = 0; i < 3; i++) {
      try {
        if (raft(i).status().raft().role() == ConsensusStatus.Role.LEADER) {
          return i;
        }
      } catch (RuntimeException e) {
        // not running
      }
    }
    return -1;
  }

  // ---------------------------------------------------------------- faults

  /** Node {@code i}'s state directory now has 1 MiB free (below the 256 MiB floor). */
  void fillDisk(int i) {
    diskFree.put(cluster.node(i).id(), 1L << 20);
  }

  void freeDisk(int i) {
    diskFree.put(cluster.node(i).id(), 100L << 30);
  }

  /**
   * Writes 8 KiB values through the leader until its Raft log exceeds {@link #LOG_MAX_BYTES}
   * (at most 400 writes); returns how many were written.
   */
  int growLog(String keyPrefix) throws Exception {
    int written = 0;
    byte[] value = new byte[VALUE_BYTES];
    while (written < 400) {
      int l = leader();
      if (l >= 0 && raft(l).logSizeBytes() > LOG_MAX_BYTES) {
        return written;
      }
      if (written % 50 == 0) {
        System.out.printf("growLog %d writes: leader n%d log %d bytes, start %d, commit %d%n",
            written, l, l >= 0 ? raft(l).logSizeBytes() : -1,
            l >= 0 ? raft(l).store().logStartIndex() : -1,
            l >= 0 ? raft(l).status().raft().commitIndex() : -1);
      }
      java.util.Arrays.fill(value, (byte) written);
      ConsensusComponent via = raft(l >= 0 ? l : 0);
      via.store().put(keyPrefix + (written % 20), value).get(10, TimeUnit.SECONDS);
      written++;
    }
    throw new AssertionError("the Raft log did not pass " + LOG_MAX_BYTES + " bytes in 400"
        + " writes; leader log " + (leader() >= 0 ? raft(leader()).logSizeBytes() : -1));
  }

  /**
   * Waits until no member's log is over the limit and no disk-pressure incident is open, and
   * returns the disk-pressure incidents first seen since {@code start}: at least the leader's
   * (a follower whose log stayed just under the limit has none), each resolved by a
   * snapshot-and-purge.
   */
  List<IncidentView> awaitLogHealed(Instant start, Duration timeout) {
    LocalCluster.await(() -> {
      for (int i = 0; i < 3; i++) {
        if (raft(i).logSizeBytes() > LOG_MAX_BYTES || incidents(i, NodeHealing.DISK_PRESSURE,
            start).stream().anyMatch(IncidentView::open)) {
          return false;
        }
      }
      return true;
    }, timeout, () -> "every Raft log back under " + LOG_MAX_BYTES + " bytes: " + logSizes()
        + " " + incidents(0) + incidents(1) + incidents(2));
    List<IncidentView> healed = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      // Only the log's incidents: a filled-disk incident of an earlier fault may close late.
      incidents(i, NodeHealing.DISK_PRESSURE, start).stream()
          .filter(v -> v.symptoms().stream().anyMatch(s -> s.evidence().contains("Raft log")))
          .forEach(healed::add);
    }
    if (healed.isEmpty()) {
      throw new AssertionError("no disk-pressure incident since " + start + "; logs "
          + logSizes());
    }
    for (IncidentView v : healed) {
      if (v.resolution() == null
          || !v.resolution().startsWith("resolved by " + RaftHealing.SNAPSHOT_AND_PURGE)) {
        throw new AssertionError("disk-pressure not healed by a snapshot and purge: " + v);
      }
    }
    return healed;
  }

  List<Long> logSizes() {
    List<Long> sizes = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      sizes.add(raft(i).logSizeBytes());
    }
    return sizes;
  }

  /**
   * Replaces node {@code i}'s SVID with one from the same CA that expires in two minutes, as a
   * failed or late renewal would leave it; the node picks the files up within a second.
   */
  void shortenCertificate(int i) {
    MeshCertificateAuthority shortLived = MeshCertificateAuthority.builder()
        .svidLifetime(Duration.ofMinutes(2)).load(caDir);
    IdentityFiles.writeNodeIdentity(cluster.node(i).container().get(NodeConfig.class).identity()
        .dirIn(cluster.node(i).container().get(LocalNode.class).stateDir()),
        shortLived.issueNodeIdentity(cluster.node(i).id()));
  }

  /** Seconds until node {@code i}'s current SVID expires. */
  long certSecondsLeft(int i) {
    return Duration.between(Instant.now(), cluster.node(i).container()
        .get(dev.x0tta6bl4.pqc.IdentitySource.class).current().leaf().getNotAfter().toInstant())
        .toSeconds();
  }

  List<IncidentView> incidents(int i) {
    return hostedByNode
        ? cluster.node(i).container().get(HealingComponent.class).incidents()
        : loops.get(i).incidents();
  }

  /**
   * Incidents of {@code kind} on node {@code i} first seen at or after {@code from} (less a
   * second: a tick that began just before the fault may have read it) and not resolved before it.
   */
  List<IncidentView> incidents(int i, String kind, Instant from) {
    return incidents(i).stream().filter(v -> v.kind().equals(kind))
        .filter(v -> !v.firstSeen().isBefore(from.minusSeconds(1)))
        .filter(v -> v.resolvedAt() == null || v.resolvedAt().isAfter(from))
        .collect(Collectors.toList());
  }

  boolean allQuiet() {
    for (int i = 0; i < 3; i++) {
      if (incidents(i).stream().anyMatch(IncidentView::open)) {
        return false;
      }
    }
    return true;
  }

  long tickFailures() {
    return tickFailures.get();
  }

  @Override
  public void close() {
    ticker.shutdownNow();
    try {
      ticker.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    loops.forEach(ControlLoop::close);
    actions.shutdownNow();
    if (cluster != null) {
      cluster.close();
    }
  }
}
