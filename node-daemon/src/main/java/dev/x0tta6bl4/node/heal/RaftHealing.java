package dev.x0tta6bl4.node.heal;

import dev.x0tta6bl4.consensus.SupervisorStatus.Health;
import dev.x0tta6bl4.mapek.Action;
import dev.x0tta6bl4.mapek.ActionVeto;
import dev.x0tta6bl4.mapek.Actuator;
import dev.x0tta6bl4.mapek.Candidate;
import dev.x0tta6bl4.mapek.Detector;
import dev.x0tta6bl4.mapek.Diagnosis;
import dev.x0tta6bl4.mapek.MapekException;
import dev.x0tta6bl4.mapek.Policy;
import dev.x0tta6bl4.mapek.Sensor;
import dev.x0tta6bl4.mapek.Snapshot;
import dev.x0tta6bl4.node.ConsensusComponent;
import dev.x0tta6bl4.node.LocalNode;
import dev.x0tta6bl4.node.config.HealingAction;
import dev.x0tta6bl4.node.config.NodeConfig;
import dev.x0tta6bl4.node.config.RaftHealingConfig;
import dev.x0tta6bl4.node.wiring.Container;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Self-healing of this node's Raft member (issue 8): senses role, leader, term, indexes,
 * follower lag and contact, snapshot index and age, disk free and log size from the
 * {@link ConsensusComponent}; detects {@code no-leader}, {@code raft-leader-degraded} and
 * {@code follower-lagging}; acts with {@code transfer-leadership}, {@code snapshot-and-purge}
 * and {@code rebuild-raft}; and owns the quorum veto ({@link QuorumVeto}). docs/healing-raft.md
 * describes thresholds, policies and tests.
 *
 * <p>The leader counts as degraded when its own node is: the supervisor reports DISK_LOW or
 * LOG_FAILED, the state machine trails the commit index by more than
 * {@link Settings#applyBacklogMax()} entries, or {@link NodeHealing} flags the node
 * ({@code node.degraded}: free disk below its floor, heap after GC or GC pause time above their
 * limits). Each of these makes a leader slow or soon unable to append; a follower with none of
 * them is a better leader.
 *
 * <p>Built once per node by {@link #forNode}; sensors, detectors and the veto run on the loop
 * thread, actuators on its executor. Holds no resources; the consensus component is closed by
 * the container.
 */
public final class RaftHealing implements HealingModule {
  private static final Logger log = LoggerFactory.getLogger(RaftHealing.class);

  // Readings (subject LOCAL unless said otherwise).
  public static final String RUNNING = "raft.running";
  public static final String HEALTH = "raft.health"; // SupervisorStatus.Health ordinal
  public static final String IS_LEADER = "raft.is_leader";
  public static final String LEADER_KNOWN = "raft.leader_known";
  public static final String LEADER = "raft.leader"; // subject: the leader's id, value 1
  public static final String TERM = "raft.term";
  public static final String COMMIT_INDEX = "raft.commit_index";
  public static final String APPLIED_INDEX = "raft.applied_index";
  public static final String APPLY_BACKLOG = "raft.apply_backlog";
  public static final String SNAPSHOT_INDEX = "raft.snapshot_index";
  public static final String SNAPSHOT_AGE = "raft.snapshot_age_seconds";
  public static final String DISK_FREE = "raft.disk_free_bytes";
  public static final String LOG_BYTES = "raft.log_bytes";
  public static final String FOLLOWER_LAG = "raft.follower_lag"; // subject: follower id
  public static final String PEER_CONTACT = "raft.peer_contact_seconds"; // subject: peer id

  // Symptom and action kinds.
  public static final String NO_LEADER = "no-leader";
  public static final String LEADER_DEGRADED = "raft-leader-degraded";
  public static final String FOLLOWER_LAGGING = "follower-lagging";
  public static final String TRANSFER_LEADERSHIP = "transfer-leadership";
  public static final String SNAPSHOT_AND_PURGE = "snapshot-and-purge";
  public static final String REBUILD_RAFT = "rebuild-raft";

  /**
   * Thresholds and timings of the Raft healing.
   *
   * @param noLeaderGrace how long no leader may be known before {@code no-leader} (elections
   *     normally finish within two election timeouts)
   * @param followerLagMax entries a follower may trail the leader's commit index
   * @param followerContactMax how old a peer's last reply may be before it counts as unhealthy
   *     (the node caps it at {@code consensus.election-timeout-min})
   * @param applyBacklogMax committed but unapplied entries above which the leader is degraded
   * @param confirmTicks consecutive ticks a condition must hold before it is a symptom
   * @param transferTimeout bound of one leadership transfer
   * @param snapshotTimeout bound of one snapshot and purge
   * @param rebuildTimeout bound of one rebuild
   * @param cooldown least time between two starts of one action on one subject
   * @param verifyWindow how long after an action its symptom must clear
   * @param voterAffectingKinds action kinds (of any area) that take their subject voter out,
   *     counted by the quorum veto
   */
  public record Settings(Duration noLeaderGrace, long followerLagMax,
      Duration followerContactMax, long applyBacklogMax, int confirmTicks,
      Duration transferTimeout, Duration snapshotTimeout, Duration rebuildTimeout,
      Duration cooldown, Duration verifyWindow, Set<String> voterAffectingKinds) {
    public Settings {
      positive("noLeaderGrace", noLeaderGrace);
      positive("followerContactMax", followerContactMax);
      positive("transferTimeout", transferTimeout);
      positive("snapshotTimeout", snapshotTimeout);
      positive("rebuildTimeout", rebuildTimeout);
      positive("verifyWindow", verifyWindow);
      if (cooldown == null || cooldown.isNegative()) {
        throw new MapekException("raft healing: cooldown must be >= 0, got " + cooldown);
      }
      if (followerLagMax < 0 || applyBacklogMax < 0) {
        throw new MapekException("raft healing: followerLagMax and applyBacklogMax must be >= 0,"
            + " got " + followerLagMax + " and " + applyBacklogMax);
      }
      if (confirmTicks < 1) {
        throw new MapekException("raft healing: confirmTicks must be >= 1, got " + confirmTicks);
      }
      voterAffectingKinds = Set.copyOf(voterAffectingKinds);
      if (!voterAffectingKinds.contains(TRANSFER_LEADERSHIP)
          || !voterAffectingKinds.contains(REBUILD_RAFT)) {
        throw new MapekException("raft healing: voterAffectingKinds must contain "
            + TRANSFER_LEADERSHIP + " and " + REBUILD_RAFT + ", got " + voterAffectingKinds);
      }
    }

    /**
     * How old a peer's last reply may be before it counts as unhealthy, before the cap at the
     * election timeout ({@link #withContactAtMost}); not a configuration key, because the
     * right limit follows from the Raft timings (see docs/configuration.md).
     */
    static final Duration FOLLOWER_CONTACT_MAX = Duration.ofSeconds(3);

    /** The defaults of configuration section {@code mapek.raft}. */
    public static Settings defaults() {
      return of(RaftHealingConfig.defaults());
    }

    /** The settings of configuration section {@code mapek.raft}. */
    public static Settings of(RaftHealingConfig c) {
      return new Settings(c.noLeaderGrace(), c.followerLagMax(), FOLLOWER_CONTACT_MAX,
          c.applyBacklogMax(), c.confirmTicks(), c.transferTimeout(), c.snapshotTimeout(),
          c.rebuildTimeout(), c.cooldown(), c.verifyWindow(), c.voterAffectingActions().stream()
              .map(HealingAction::kind).collect(java.util.stream.Collectors.toSet()));
    }

    /**
     * A copy whose {@code followerContactMax} is at most {@code limit}: a follower silent for an
     * election timeout may already be standing for election, so it cannot count as healthy.
     */
    public Settings withContactAtMost(Duration limit) {
      return followerContactMax.compareTo(limit) <= 0 ? this : new Settings(noLeaderGrace,
          followerLagMax, limit, applyBacklogMax, confirmTicks, transferTimeout,
          snapshotTimeout, rebuildTimeout, cooldown, verifyWindow, voterAffectingKinds);
    }

    private static void positive(String name, Duration d) {
      if (d == null || d.isZero() || d.isNegative()) {
        throw new MapekException("raft healing: " + name + " must be positive, got " + d);
      }
    }
  }

  private final RaftMember member;
  private final Settings settings;
  private final QuorumVeto veto;

  RaftHealing(RaftMember member, Settings settings) {
    this.member = member;
    this.settings = settings;
    this.veto = new QuorumVeto(settings.voterAffectingKinds(), TRANSFER_LEADERSHIP);
  }

  /**
   * The node's Raft healing, or an empty module when consensus is off. Settings come from a
   * {@link Settings} binding when the container has one (tests), else from {@code mapek.raft}.
   */
  public static HealingModule forNode(NodeConfig config, LocalNode local, Container container) {
    if (!config.consensus().enabled()) {
      return () -> "raft (consensus off)";
    }
    Settings s = container.find(Settings.class)
        .orElseGet(() -> Settings.of(config.mapek().raft()));
    return new RaftHealing(RaftMember.of(container.get(ConsensusComponent.class)),
        s.withContactAtMost(config.consensus().electionTimeoutMin()));
  }

  @Override
  public String name() {
    return "raft";
  }

  @Override
  public List<Sensor> sensors() {
    return List.of(new RaftSensor(member, settings));
  }

  @Override
  public List<Detector> detectors() {
    return List.of(RaftDetectors.noLeader(settings), RaftDetectors.leaderDegraded(member.selfId(),
        settings), RaftDetectors.followerLagging(settings));
  }

  @Override
  public List<Policy> policies() {
    return List.of(Policy.of("raft", this::propose));
  }

  private List<Candidate> propose(Diagnosis d, Snapshot s) {
    List<Candidate> out = new ArrayList<>();
    switch (d.kind()) {
      case LEADER_DEGRADED -> {
        Optional<Action> transfer = transferTarget(s, member.selfId()).map(to -> new Action(
            TRANSFER_LEADERSHIP, member.selfId(), Map.of(QuorumVeto.TARGET_PARAM, to)));
        transfer.ifPresent(t -> out.add(new Candidate(t, 80, "move leadership from the degraded "
            + member.selfId() + " to the healthiest follower " + t.params().get("to"))));
        double health = s.value(HEALTH, LOCAL).orElse(-1);
        if (health == Health.LOG_FAILED.ordinal()) {
          out.add(new Candidate(Action.of(REBUILD_RAFT, member.selfId()), 50,
              "the leader's Raft log failed: rebuild its server if leadership cannot move"));
        }
        // No alert here: while the quorum rule refuses the transfer the incident stays blocked
        // (logged with the veto's reason), and if an election moves leadership meanwhile it is
        // "cleared without action", not credited to an alert.
      }
      case NO_LEADER -> {
        double health = s.value(HEALTH, LOCAL).orElse(-1);
        boolean stuck = s.value(RUNNING, LOCAL).orElse(0) == 0
            || health == Health.LOG_FAILED.ordinal() || health == Health.DOWN.ordinal();
        if (stuck) {
          out.add(new Candidate(Action.of(REBUILD_RAFT, member.selfId()), 60,
              "this member is not serving (" + healthName(health) + "): rebuild its server"));
        }
        out.add(Alerts.candidate(d, 30, "no leader: the quorum may be lost elsewhere"));
      }
      case FOLLOWER_LAGGING -> out.add(Alerts.candidate(d, 40,
          "a follower on another node trails; the leader sends it a snapshot if it must"));
      default -> {
        // not ours
      }
    }
    return out;
  }

  /**
   * The healthiest follower to hand leadership to: known healthy, least behind, most recently
   * heard from. Empty when no follower is known healthy.
   */
  static Optional<String> transferTarget(Snapshot s, String self) {
    Map<String, Double> healthy = s.metric(QuorumVeto.VOTER_HEALTHY);
    return s.metric(QuorumVeto.VOTER).keySet().stream()
        .filter(v -> !v.equals(self))
        .filter(v -> Double.valueOf(1.0).equals(healthy.get(v)))
        .min(Comparator.<String>comparingDouble(
                v -> s.value(FOLLOWER_LAG, v).orElse(Double.MAX_VALUE))
            .thenComparingDouble(v -> s.value(PEER_CONTACT, v).orElse(Double.MAX_VALUE))
            .thenComparing(Comparator.naturalOrder()));
  }

  @Override
  public Set<String> alertKinds() {
    return Set.of(NO_LEADER, FOLLOWER_LAGGING);
  }

  @Override
  public List<Actuator> actuators() {
    return List.of(
        Actuator.of(TRANSFER_LEADERSHIP, this::transfer).withTimeout(settings.transferTimeout())
            .withCooldown(settings.cooldown()).withVerifyWindow(settings.verifyWindow()),
        Actuator.of(SNAPSHOT_AND_PURGE, this::snapshotAndPurge)
            .withTimeout(settings.snapshotTimeout()).withCooldown(settings.cooldown())
            .withVerifyWindow(settings.verifyWindow()),
        Actuator.of(REBUILD_RAFT, this::rebuild).withTimeout(settings.rebuildTimeout())
            .withCooldown(settings.cooldown()).withVerifyWindow(settings.verifyWindow()));
  }

  private CompletableFuture<Void> transfer(Action a) {
    String to = a.params().get(QuorumVeto.TARGET_PARAM);
    if (to == null) {
      return CompletableFuture.failedFuture(new MapekException(a.key() + " names no target"));
    }
    log.warn("self-healing: moving Raft leadership from {} to {}", member.selfId(), to);
    return member.transferLeadership(to);
  }

  private CompletableFuture<Void> snapshotAndPurge(Action a) {
    long before = member.logSizeBytes();
    return member.snapshotAndPurge().thenAccept(index -> log.warn(
        "self-healing: snapshot of {} taken and its Raft log purged up to {} ({} -> {} bytes)",
        member.selfId(), index, before, member.logSizeBytes()));
  }

  private CompletableFuture<Void> rebuild(Action a) {
    try {
      member.rebuildNow("self-healing: " + a.key());
      return CompletableFuture.completedFuture(null);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public ActionVeto veto() {
    return veto;
  }

  static String healthName(double ordinal) {
    Health[] values = Health.values();
    int i = (int) ordinal;
    return i >= 0 && i < values.length && i == ordinal ? values[i].name() : "unknown";
  }
}
