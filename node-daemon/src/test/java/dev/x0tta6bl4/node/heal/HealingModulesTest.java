package dev.x0tta6bl4.node.heal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.x0tta6bl4.mapek.Action;
import dev.x0tta6bl4.mapek.Actuator;
import dev.x0tta6bl4.mapek.Candidate;
import dev.x0tta6bl4.mapek.Detection;
import dev.x0tta6bl4.mapek.Diagnosis;
import dev.x0tta6bl4.mapek.IncidentView;
import dev.x0tta6bl4.mapek.Reading;
import dev.x0tta6bl4.mapek.Severity;
import dev.x0tta6bl4.mapek.Snapshot;
import dev.x0tta6bl4.mapek.Symptom;
import dev.x0tta6bl4.node.LocalNode;
import dev.x0tta6bl4.node.api.SendAdmission;
import dev.x0tta6bl4.node.cluster.LocalCluster;
import dev.x0tta6bl4.node.cluster.LocalCluster.ClusterNode;
import dev.x0tta6bl4.node.config.DataSize;
import dev.x0tta6bl4.node.config.HealingAction;
import dev.x0tta6bl4.node.config.LoadHealingConfig;
import dev.x0tta6bl4.node.config.MeshHealingConfig;
import dev.x0tta6bl4.node.config.NodeConfig;
import dev.x0tta6bl4.node.config.NodeHealingConfig;
import dev.x0tta6bl4.node.config.RaftHealingConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Configured thresholds reach the running areas: one real node (Raft on, loop in advise mode)
 * whose {@code mapek.mesh}, {@code mapek.raft}, {@code mapek.node}, {@code mapek.load} and
 * {@code api.send-*} keys all differ from the defaults. The node's own loop shows the disk floor
 * ({@code mapek.node.disk-min-free} set above the disk's free space opens {@code disk-pressure});
 * the modules {@link HealingModules#forNode} builds from the node's configuration and container
 * show the rest through their detectors, policies, actuators and veto.
 */
class HealingModulesTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  /** Above the free space of any disk this runs on, within the key's range (1TiB). */
  private static final DataSize DISK_FLOOR = DataSize.ofMebibytes(1024L * 1024);

  @TempDir static Path dir;
  private static LocalCluster cluster;
  private static ClusterNode node;
  private static Map<String, HealingModule> modules;

  static MeshHealingConfig mesh() {
    MeshHealingConfig d = MeshHealingConfig.defaults();
    return new MeshHealingConfig(Duration.ofSeconds(2), d.lossWindow(), d.minLossSamples(),
        d.degradedLossEnter(), d.degradedLossExit(), d.degradedRttEnter(), d.degradedRttExit(),
        d.costFactor(), d.restoreAfter(), d.dropHoldDown(), d.signatureFailures(),
        d.signatureWindow(), Duration.ofMinutes(7), d.clockSkewEnter(), d.clockSkewExit(),
        d.isolatedAfter(), d.replaceBelow());
  }

  static RaftHealingConfig raft() {
    RaftHealingConfig d = RaftHealingConfig.defaults();
    return new RaftHealingConfig(d.noLeaderGrace(), d.followerLagMax(), d.applyBacklogMax(),
        d.confirmTicks(), Duration.ofSeconds(7), d.snapshotTimeout(), d.rebuildTimeout(),
        Duration.ofSeconds(11), Duration.ofSeconds(4), List.of(HealingAction.TRANSFER_LEADERSHIP,
            HealingAction.REBUILD_RAFT, HealingAction.DROP_LINK));
  }

  static NodeHealingConfig nodeArea() {
    NodeHealingConfig d = NodeHealingConfig.defaults();
    return new NodeHealingConfig(DISK_FLOOR, d.raftLogMax(), d.heapMaxRatio(), d.heapClearRatio(),
        d.gcPauseMaxRatio(), d.gcWindow(), d.certRenewBefore(), 1, Duration.ofMinutes(3),
        Duration.ofSeconds(9));
  }

  static LoadHealingConfig load() {
    LoadHealingConfig d = LoadHealingConfig.defaults();
    return new LoadHealingConfig(d.window(), d.latencyHigh(), d.latencyLow(), d.inflightHigh(),
        d.inflightLow(), d.minSamples(), d.enterTicks(), d.exitTicks(), 0.4, 1, d.restoreStep(),
        d.restoreSlack(), d.restoreHold(), Duration.ofSeconds(3), Duration.ofSeconds(8),
        d.restoreVerifyWindow());
  }

  @BeforeAll
  static void startNode() {
    // The areas first: mapek.load.min-rate (1/s here) must not exceed the API's limit.
    cluster = LocalCluster.start(dir, 1, LocalCluster.Topology.LINE, c -> c
        .withMapek(c.mapek().withMode(NodeConfig.MapekMode.ADVISE)
            .withTickInterval(Duration.ofMillis(50))
            .withAreas(mesh(), raft(), nodeArea(), load()))
        .withApi(c.api().withSendRate(1.0, Duration.ofSeconds(20))), 1L, 1);
    node = cluster.node(0);
    NodeConfig config = node.container().get(NodeConfig.class);
    modules = HealingModules.forNode(config, node.container().get(LocalNode.class),
            node.container()).stream()
        .collect(Collectors.toMap(HealingModule::name, m -> m));
  }

  @AfterAll
  static void stopNode() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static Actuator actuator(String module, String kind) {
    return modules.get(module).actuators().stream().filter(a -> a.kind().equals(kind))
        .findFirst().orElseThrow(() -> new AssertionError(module + " has no actuator " + kind));
  }

  private static Snapshot snapshot(Reading... readings) {
    return Snapshot.of(1, Instant.now(), List.of(readings), Set.of());
  }

  @Test
  void nodeDiskFloor_reachesTheNodesOwnLoop_asADiskPressureIncident() throws IOException {
    long free = Files.getFileStore(dir).getUsableSpace();
    org.junit.jupiter.api.Assumptions.assumeTrue(free < DISK_FLOOR.bytes(),
        "the test disk has less than 1 TiB free");
    HealingComponent component = node.container().get(HealingComponent.class);
    Predicate<IncidentView> diskPressure = i -> i.kind().equals(NodeHealing.DISK_PRESSURE);

    LocalCluster.await(() -> component.loop().orElseThrow().incidents().stream()
        .anyMatch(diskPressure), WAIT, () -> "a disk-pressure incident on the node's loop");

    // With the default floor (256 MiB) the same disk is no pressure at all.
    NodeHealing.Settings defaults = NodeHealing.Settings.defaults();
    assertThat(free).isGreaterThan(defaults.diskMinFreeBytes());
    assertThat(component.mode()).isEqualTo("advise");
  }

  @Test
  void meshUnresponsiveAfter_reachesTheMeshDetectors() {
    List<Detection> at1s = new java.util.ArrayList<>();
    List<Detection> at3s = new java.util.ArrayList<>();
    modules.get("mesh").detectors().forEach(d -> {
      at1s.addAll(d.detect(snapshot(new Reading(MeshSensors.LINK_UP, "p", 1),
          new Reading(MeshSensors.LINK_SILENCE, "p", 1.0))));
      at3s.addAll(d.detect(snapshot(new Reading(MeshSensors.LINK_UP, "p", 1),
          new Reading(MeshSensors.LINK_SILENCE, "p", 3.0))));
    });

    // 1 s of silence is unresponsive under the default 500 ms, not under the configured 2 s.
    assertThat(at1s).noneMatch(d -> d.kind().equals(MeshDetectors.NEIGHBOUR_UNRESPONSIVE));
    assertThat(at3s).anyMatch(d -> d.kind().equals(MeshDetectors.NEIGHBOUR_UNRESPONSIVE)
        && d.subject().equals("p"));
    assertThat(MeshHealingSettings.of(mesh()).quarantinePeriod())
        .isEqualTo(Duration.ofMinutes(7));
  }

  @Test
  void raftTimingsAndVoterAffectingActions_reachTheRaftModule() {
    Actuator transfer = actuator("raft", RaftHealing.TRANSFER_LEADERSHIP);
    assertThat(transfer.timeout()).isEqualTo(Duration.ofSeconds(7));
    assertThat(transfer.cooldown()).isEqualTo(Duration.ofSeconds(11));
    assertThat(transfer.verifyWindow()).isEqualTo(Duration.ofSeconds(4));

    // drop-link is configured voter-affecting: with no voter set known the veto refuses it.
    Optional<String> refusal = modules.get("raft").veto()
        .veto(Action.of("drop-link", node.id()), snapshot(), List.of());
    assertThat(refusal).hasValueSatisfying(r -> assertThat(r).startsWith("quorum:"));
    Optional<String> withDefaults = new QuorumVeto(
        RaftHealing.Settings.defaults().voterAffectingKinds(), RaftHealing.TRANSFER_LEADERSHIP)
        .veto(Action.of("drop-link", node.id()), snapshot(), List.of());
    assertThat(withDefaults).isEmpty();
  }

  @Test
  void nodeTimings_reachTheRotateCertActuator() {
    Actuator rotate = actuator("node", NodeHealing.ROTATE_CERT);
    assertThat(rotate.cooldown()).isEqualTo(Duration.ofMinutes(3));
    assertThat(rotate.verifyWindow()).isEqualTo(Duration.ofSeconds(9));
  }

  @Test
  void loadShedFactor_reachesTheShedPlan_andItsActuatorTimings() {
    Diagnosis overload = Diagnosis.of(new Symptom(OverloadDetector.KIND, HealingModule.LOCAL,
        Severity.WARNING, "test", Instant.now()));
    List<Candidate> plan = modules.get("load").policies().stream()
        .flatMap(p -> p.propose(overload, snapshot(
            new Reading(LoadSensor.DELIVERED_RATE, HealingModule.LOCAL, 1000))).stream())
        .toList();

    assertThat(plan).singleElement().satisfies(c -> {
      assertThat(c.action().kind()).isEqualTo(LoadHealing.SHED);
      assertThat(c.action().params()).containsEntry("rate", "400.000"); // 0.4 x 1000/s
    });
    Actuator shed = actuator("load", LoadHealing.SHED);
    assertThat(shed.cooldown()).isEqualTo(Duration.ofSeconds(3));
    assertThat(shed.verifyWindow()).isEqualTo(Duration.ofSeconds(8));
  }

  @Test
  void apiSendRateAndBurst_reachTheNodesAdmissionControl() {
    SendAdmission admission = node.container().get(SendAdmission.class);
    assertThat(admission.baseLimit()).isEqualTo(1.0);

    // 1/s with a 20 s burst: 20 sends pass at once, then one per elapsed second.
    long start = System.nanoTime();
    int admitted = 0;
    for (int i = 0; i < 30; i++) {
      if (admission.tryAdmit() == 0) {
        admitted++;
      }
    }
    long elapsedSeconds = (System.nanoTime() - start) / 1_000_000_000L;
    assertThat(admitted).isBetween(20, 20 + (int) elapsedSeconds + 1);
  }

  @Test
  void healingActionKinds_areExactlyTheNodesActuatorKinds() {
    Set<String> actuators = modules.values().stream().flatMap(m -> m.actuators().stream())
        .map(Actuator::kind).collect(Collectors.toCollection(java.util.HashSet::new));
    actuators.add(Alerts.KIND); // the node's own, which HealingComponent adds to every loop

    assertThat(Arrays.stream(HealingAction.values()).map(HealingAction::kind))
        .containsExactlyInAnyOrderElementsOf(actuators);
  }

  @Test
  void settingsDefaults_keepTheNumbersFromBeforeTheyWereKeys() {
    assertThat(MeshHealingSettings.defaults()).isEqualTo(new MeshHealingSettings(
        Duration.ofMillis(500), Duration.ofSeconds(3), 10, 0.2, 0.05, Duration.ofMillis(250),
        Duration.ofMillis(100), 10, Duration.ofSeconds(10), Duration.ofSeconds(1), 1,
        Duration.ofSeconds(10), Duration.ofSeconds(60), 1.0, 0.5, Duration.ofSeconds(2), 2, 2));
    assertThat(LoadHealingSettings.defaults()).isEqualTo(new LoadHealingSettings(
        Duration.ofMillis(500), Duration.ofMillis(250), Duration.ofMillis(100), 4_096, 1_024, 10,
        2, 1, 0.25, 10, 1.5, 0.8, Duration.ofSeconds(2), Duration.ofSeconds(1),
        Duration.ofSeconds(6), Duration.ofSeconds(1)));
    assertThat(NodeHealing.Settings.defaults()).isEqualTo(new NodeHealing.Settings(256L << 20, 0,
        0.90, 0.80, 0.25, Duration.ofSeconds(10), Duration.ofHours(2), 2, Duration.ofMinutes(1),
        Duration.ofSeconds(5)));
    // "restart-node" left the default: no area has such an action, so counting it did nothing.
    assertThat(RaftHealing.Settings.defaults()).isEqualTo(new RaftHealing.Settings(
        Duration.ofSeconds(3), 1_000, Duration.ofSeconds(3), 10_000, 2, Duration.ofSeconds(10),
        Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofSeconds(30),
        Duration.ofSeconds(5), Set.of("transfer-leadership", "rebuild-raft", "quarantine-peer")));
  }
}
