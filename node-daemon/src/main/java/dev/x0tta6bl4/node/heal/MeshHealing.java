package dev.x0tta6bl4.node.heal;

import dev.x0tta6bl4.mapek.Action;
import dev.x0tta6bl4.mapek.ActionVeto;
import dev.x0tta6bl4.mapek.Actuator;
import dev.x0tta6bl4.mapek.Candidate;
import dev.x0tta6bl4.mapek.Detector;
import dev.x0tta6bl4.mapek.Diagnosis;
import dev.x0tta6bl4.mapek.NeighbourhoodCorrelator;
import dev.x0tta6bl4.mapek.Policy;
import dev.x0tta6bl4.mapek.Sensor;
import dev.x0tta6bl4.mapek.Snapshot;
import dev.x0tta6bl4.node.mesh.MeshRouter;
import dev.x0tta6bl4.node.transport.MeshLinks;
import dev.x0tta6bl4.node.wiring.Container;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The mesh area of self-healing (issue 8): senses the node's links and routing, detects
 * unresponsive neighbours, degraded links, misbehaving peers, clock skew and isolation, and
 * drops, re-costs, quarantines and redials links. See {@link MeshSensors}, {@link
 * MeshDetectors} and {@link MeshActuators} for each part and docs/healing-mesh.md for the whole.
 *
 * <p>Policies: {@code neighbour-unresponsive} → {@code drop-link}; {@code link-degraded} → {@code
 * raise-link-cost}; {@code link-cost-restorable} → {@code restore-link-cost}; {@code
 * misbehaving-peer} → {@code quarantine-peer} (which also sends signed notices to the other
 * neighbours); {@code peer-reported} (a neighbour's notice, evidence only) → {@code
 * raise-link-cost}; {@code isolated} → {@code reconnect}; {@code clock-skew}, {@code
 * node-suspect} and {@code local-node-suspect} (the loop's neighbourhood correlator names the
 * local node when several of its links fail in one tick: dropping them would not help) → {@code
 * alert} only. Every diagnosis also gets {@code alert} as a low-priority fallback, so a refused or
 * failed remedy still reaches an operator.
 *
 * <p>Veto: {@code drop-link} and {@code quarantine-peer} are refused unless the node keeps at
 * least one other link that is up, heard within half of {@code unresponsiveAfter}, not in
 * quarantine and not itself being dropped or quarantined (the actions in flight count): the
 * node's last usable link is never taken.
 *
 * <p>The alert itself is the node's ({@link Alerts}, registered by {@code HealingComponent}); the
 * loop's correlator groups {@link #linkSymptomKinds()} of every module.
 *
 * <p>Built once per node by {@code HealingModules}; its sensors, detectors and policies run on the
 * loop thread, its actuators on the loop's executor. Holds no resources.
 */
public final class MeshHealing implements HealingModule {
  private final String localNodeId;
  private final MeshHealingSettings settings;
  private final MeshSensors sensors;
  private final MeshDetectors detectors;
  private final MeshActuators actuators;
  private final QuarantineNotices notices;

  /** The mesh area for the node's own links and router, sending and hearing notices. */
  public static MeshHealing forNode(String localNodeId, MeshLinks links, MeshRouter router,
      MeshHealingSettings settings, Clock clock, MeterRegistry registry,
      QuarantineNotices notices) {
    return new MeshHealing(localNodeId, MeshControl.of(links, router), settings, clock, registry,
        notices);
  }

  /** The mesh area for the node's own links and router. */
  public static MeshHealing forNode(String localNodeId, MeshLinks links, MeshRouter router,
      MeshHealingSettings settings, Clock clock, MeterRegistry registry) {
    return new MeshHealing(localNodeId, MeshControl.of(links, router), settings, clock, registry);
  }

  /** Without quarantine notices: none sent, none heard. */
  public MeshHealing(String localNodeId, MeshControl mesh, MeshHealingSettings settings,
      Clock clock, MeterRegistry registry) {
    this(localNodeId, mesh, settings, clock, registry, null);
  }

  /**
   * @param notices sends this node's quarantine notices and holds its neighbours'; null for none
   */
  public MeshHealing(String localNodeId, MeshControl mesh, MeshHealingSettings settings,
      Clock clock, MeterRegistry registry, QuarantineNotices notices) {
    this.localNodeId = localNodeId;
    this.settings = settings;
    this.notices = notices;
    this.actuators = new MeshActuators(localNodeId, mesh, settings, clock, registry, notices);
    this.sensors = new MeshSensors(mesh, settings, actuators::quarantines,
        notices == null ? Map::of : notices::reporters, actuators::sawLinked);
    this.detectors = new MeshDetectors(settings,
        notices == null ? peer -> "" : notices::describe);
  }

  @Override
  public String name() {
    return "mesh";
  }

  @Override
  public List<Sensor> sensors() {
    return sensors.sensors();
  }

  @Override
  public List<Detector> detectors() {
    return detectors.detectors();
  }

  @Override
  public List<Policy> policies() {
    return List.of(Policy.of("mesh", this::propose));
  }

  @Override
  public List<Actuator> actuators() {
    return actuators.actuators();
  }

  @Override
  public ActionVeto veto() {
    return this::veto;
  }

  /** Symptoms about one link, for the loop's neighbourhood correlation. */
  @Override
  public Set<String> linkSymptomKinds() {
    return Set.of(MeshDetectors.NEIGHBOUR_UNRESPONSIVE, MeshDetectors.LINK_DEGRADED);
  }

  /** Every diagnosis of this area, and the correlator's node suspects, may be alerted. */
  @Override
  public Set<String> alertKinds() {
    Set<String> kinds = new HashSet<>(symptomKinds());
    kinds.add(NeighbourhoodCorrelator.NODE_SUSPECT);
    kinds.add(NeighbourhoodCorrelator.LOCAL_NODE_SUSPECT);
    return Set.copyOf(kinds);
  }

  /** The symptom kinds this module detects. */
  public static Set<String> symptomKinds() {
    return Set.of(MeshDetectors.NEIGHBOUR_UNRESPONSIVE, MeshDetectors.LINK_DEGRADED,
        MeshDetectors.LINK_COST_RESTORABLE, MeshDetectors.MISBEHAVING_PEER,
        MeshDetectors.CLOCK_SKEW, MeshDetectors.ISOLATED, MeshDetectors.PEER_REPORTED);
  }

  /** The last actuator runs with the peers linked when each started, oldest first. */
  public List<MeshActuators.Run> runs() {
    return actuators.runs();
  }

  /** Peers in quarantine now, with the seconds left. */
  public Map<String, Double> quarantines() {
    return actuators.quarantines();
  }

  /** The quarantine notices this module sends and hears, if it has them. */
  public Optional<QuarantineNotices> notices() {
    return Optional.ofNullable(notices);
  }

  public MeshHealingSettings settings() {
    return settings;
  }

  List<Candidate> propose(Diagnosis d, Snapshot s) {
    if (!symptomKinds().contains(d.kind())
        && !d.kind().equals(NeighbourhoodCorrelator.NODE_SUSPECT)
        && !d.kind().equals(NeighbourhoodCorrelator.LOCAL_NODE_SUSPECT)) {
      return List.of(); // another area's incident: its module plans (and alerts) for it
    }
    List<Candidate> out = new ArrayList<>(2);
    String subject = d.subject();
    switch (d.kind()) {
      case MeshDetectors.NEIGHBOUR_UNRESPONSIVE -> out.add(new Candidate(
          Action.of(MeshActuators.DROP_LINK, subject), 90,
          "an open link that carries nothing still attracts routes: drop it so routing repairs"));
      case MeshDetectors.LINK_DEGRADED -> out.add(new Candidate(
          Action.of(MeshActuators.RAISE_LINK_COST, subject), 70,
          "a lossy or slow link still works: make routes prefer others while it stays up"));
      case MeshDetectors.LINK_COST_RESTORABLE -> out.add(new Candidate(
          Action.of(MeshActuators.RESTORE_LINK_COST, subject), 60,
          "the link is healthy (or gone) again: advertise its measured cost"));
      case MeshDetectors.MISBEHAVING_PEER -> {
        long signatures = (long) s.value(MeshSensors.PEER_SIGNATURE_FAILURES, subject).orElse(0);
        long malformed = (long) s.value(MeshSensors.PEER_MALFORMED_STRIKES, subject).orElse(0);
        QuarantineNotice.Reason reason = malformed > signatures
            ? QuarantineNotice.Reason.MALFORMED_FRAMES
            : QuarantineNotice.Reason.RELAYED_BAD_SIGNATURES;
        out.add(new Candidate(new Action(MeshActuators.QUARANTINE_PEER, subject, Map.of(
            MeshActuators.EVIDENCE, String.valueOf(signatures + malformed),
            MeshActuators.REASON, reason.label())), 95,
            "a peer that alters signed adverts or keeps sending malformed frames is hostile or"
                + " broken: refuse it for a period and tell the other neighbours"));
      }
      case MeshDetectors.PEER_REPORTED -> out.add(new Candidate(
          Action.of(MeshActuators.RAISE_LINK_COST, subject), 65,
          "a neighbour quarantined this peer: prefer other paths while the report lives, but"
              + " never quarantine on another node's word"));
      case MeshDetectors.ISOLATED -> out.add(new Candidate(
          Action.of(MeshActuators.RECONNECT, subject), 80,
          "no link at all: dial every known neighbour now instead of after backoff"));
      default -> { } // clock-skew, node-suspect, local-node-suspect: alert only
    }
    boolean alertOnly = out.isEmpty();
    out.add(Alerts.candidate(d, d.reason(), alertOnly ? 50 : 5,
        alertOnly ? "not safe to automate: tell the operator"
            : "fallback when the remedy is refused or did not help"));
    return out;
  }

  Optional<String> veto(Action action, Snapshot s, List<Action> inFlight) {
    if (!MeshActuators.LINK_REMOVING.contains(action.kind())) {
      return Optional.empty();
    }
    // Usable means clearly alive: heard within half the unresponsive threshold. A link already
    // half-way to silence does not count, so a node whose links all fall silent together (it is
    // the one cut off) does not drop one of them a tick before the others cross the threshold.
    double fresh = settings.unresponsiveAfter().toNanos() / 2e9;
    Set<String> usable = new HashSet<>();
    for (String peer : s.metric(MeshSensors.LINK_UP).keySet()) {
      if (s.value(MeshSensors.LINK_SILENCE, peer).orElse(0) < fresh
          && s.value(MeshSensors.PEER_QUARANTINED, peer).orElse(0) <= 0) {
        usable.add(peer);
      }
    }
    usable.remove(action.subject());
    for (Action other : inFlight) {
      if (MeshActuators.LINK_REMOVING.contains(other.kind())) {
        usable.remove(other.subject());
      }
    }
    if (usable.isEmpty()) {
      return Optional.of(action.kind() + " of " + action.subject() + " would leave "
          + localNodeId + " without a usable link");
    }
    return Optional.empty();
  }
}
