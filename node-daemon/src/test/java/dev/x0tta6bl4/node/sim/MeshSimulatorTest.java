package dev.x0tta6bl4.node.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.x0tta6bl4.node.delivery.MessageId;
import dev.x0tta6bl4.node.delivery.SendResult;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The simulator itself: determinism, and that its faults mean what they say. */
class MeshSimulatorTest {
  private static final long MS = MeshSimulator.MS;

  private static ChurnScenario.Plan small() {
    return ChurnScenario.Plan.builder().nodes(12).kind(Topology.Kind.RANDOM).averageDegree(3)
        .failures(8).singleFailureRounds(2).minFailuresPerRound(2).maxFailuresPerRound(3)
        .crashProbability(0.5).quietNanos(3_000 * MS).probesPerRound(5)
        .config(SimConfig.defaults().withLoss(0.01, 0.01)).build();
  }

  @Test
  void sameSeed_replaysTheSameEventTrace_otherSeedsDiffer() {
    ChurnScenario.Report first = new ChurnScenario(42, small()).run();
    ChurnScenario.Report again = new ChurnScenario(42, small()).run();
    ChurnScenario.Report other = new ChurnScenario(43, small()).run();

    assertThat(again.traceHash()).isEqualTo(first.traceHash());
    assertThat(again.events()).isEqualTo(first.events());
    assertThat(again.framesSent()).isEqualTo(first.framesSent());
    assertThat(again.virtualNanos()).isEqualTo(first.virtualNanos());
    assertThat(other.traceHash()).isNotEqualTo(first.traceHash());
  }

  @Test
  void topology_sameSeedSameGraph_alwaysConnected() {
    for (Topology.Kind kind : Topology.Kind.values()) {
      for (long seed = 0; seed < 20; seed++) {
        Topology a = Topology.generate(kind, 100, 4, new SplittableRandom(seed));
        Topology b = Topology.generate(kind, 100, 4, new SplittableRandom(seed));
        assertThat(a.edges()).isEqualTo(b.edges());
        assertThat(a.connected()).as("%s seed %d", kind, seed).isTrue();
        assertThat(a.averageDegree()).as("%s seed %d", kind, seed).isBetween(3.0, 6.0);
      }
    }
  }

  @Test
  void silentCut_isNoticedByTheFailureDetectors_andRoutedAround() {
    MeshSimulator sim = new MeshSimulator(7, Topology.ring(6, MS), SimConfig.defaults());
    sim.runFor(3_000 * MS);
    assertThat(MeshInvariants.converged(sim, 10)).isEmpty();
    assertThat(sim.node(0).routes().nextHop("n001")).contains("n001");

    sim.cut(sim.link(0, 1), MeshSimulator.CutKind.SILENT);
    sim.runFor(200 * MS);
    assertThat(sim.node(0).connections()).as("nothing tells the ends yet").containsKey("n001");

    sim.runFor(2_000 * MS);
    assertThat(sim.node(0).connections()).doesNotContainKey("n001");
    assertThat(sim.node(1).connections()).doesNotContainKey("n000");
    assertThat(sim.node(0).deaths + sim.node(1).deaths).as("declared dead by a detector").isPositive();
    assertThat(sim.node(0).routes().nextHop("n001")).contains("n005");
    assertThat(MeshInvariants.converged(sim, 10)).isEmpty();
  }

  @Test
  void resetCut_closesBothEndsAtOnce() {
    MeshSimulator sim = new MeshSimulator(8, Topology.ring(6, MS), SimConfig.defaults());
    sim.runFor(3_000 * MS);

    sim.cut(sim.link(2, 3), MeshSimulator.CutKind.RESET);
    sim.runFor(20 * MS);

    assertThat(sim.node(2).connections()).doesNotContainKey("n003");
    assertThat(sim.node(3).connections()).doesNotContainKey("n002");
    assertThat(sim.node(2).deaths + sim.node(3).deaths).isZero();
    assertThat(MeshInvariants.converged(sim, 10)).isEmpty();
  }

  @Test
  void shortCut_tcpResendsAfterTheRepair_connectionAndMessageSurvive() {
    MeshSimulator sim = new MeshSimulator(9, Topology.ring(4, MS), SimConfig.defaults());
    sim.runFor(3_000 * MS);
    long connection = sim.node(0).connections().get("n001");

    sim.cut(sim.link(0, 1), MeshSimulator.CutKind.SILENT);
    SendResult<MessageId> sent = sim.node(0).send("n001", new byte[] {1}, sim.now());
    sim.runFor(100 * MS);
    sim.repair(sim.link(0, 1));
    sim.runFor(1_000 * MS);

    MessageId id = ((SendResult.Accepted<MessageId>) sent).id();
    assertThat(sim.node(0).connections()).containsEntry("n001", connection);
    assertThat(sim.ledger().get(id).acknowledged()).isTrue();
    assertThat(sim.ledger().get(id).deliveredInLives).hasSize(1);
    assertThat(sim.ledger().violations()).isEmpty();
  }

  @Test
  void crash_isSilent_restartComesBackWithANewBootAndEmptyState() {
    MeshSimulator sim = new MeshSimulator(10, Topology.ring(6, MS), SimConfig.defaults());
    sim.runFor(3_000 * MS);
    long oldBoot = sim.node(3).bootId;

    sim.crash(3);
    sim.runFor(100 * MS);
    assertThat(sim.node(2).connections()).as("a crash is silent").containsKey("n003");
    sim.runFor(3_000 * MS);
    assertThat(sim.node(2).connections()).doesNotContainKey("n003");
    assertThat(sim.node(0).routes().nextHop("n003")).isEmpty();
    assertThat(MeshInvariants.converged(sim, 10)).isEmpty();

    sim.restart(3);
    assertThat(sim.node(3).bootId).isGreaterThan(oldBoot);
    assertThat(sim.node(3).routes().size()).isZero();
    sim.runFor(4_000 * MS);
    assertThat(MeshInvariants.converged(sim, 10)).isEmpty();
    SendResult<MessageId> sent = sim.node(0).send("n003", new byte[] {2}, sim.now());
    sim.runFor(500 * MS);
    assertThat(sim.ledger().get(((SendResult.Accepted<MessageId>) sent).id()).acknowledged()).isTrue();
  }

  /**
   * Found by the acceptance run of seed 2: its 200-node geometric mesh is 42 hops across, and
   * with the former default TTL of 32 a broadcast from one end never reached the other.
   */
  @Test
  void meshMoreThanThirtyTwoHopsAcross_broadcastAndUnicastReachTheFarSide() {
    MeshSimulator sim = new MeshSimulator(12, Topology.ring(80, MS), SimConfig.defaults());
    sim.runFor(4_000 * MS);
    assertThat(MeshInvariants.converged(sim, 10)).isEmpty();
    assertThat(sim.node(0).routes().route("n040").orElseThrow().hops()).isEqualTo(40);

    SendResult<MessageId> sent = sim.node(0).send("n040", new byte[] {3}, sim.now());
    var broadcast = sim.node(0).broadcast(new byte[] {4}, sim.now());
    sim.runFor(1_000 * MS);

    assertThat(sim.ledger().get(((SendResult.Accepted<MessageId>) sent).id()).acknowledged()).isTrue();
    var id = ((SendResult.Accepted<dev.x0tta6bl4.node.delivery.BroadcastId>) broadcast).id();
    assertThat(sim.ledger().broadcastDeliveries(id, 40, sim.node(40).incarnation)).isEqualTo(1);
  }

  @Test
  void invariants_reportARouteOverADeadLink() {
    MeshSimulator sim = new MeshSimulator(11, Topology.ring(6, MS), SimConfig.defaults());
    sim.runFor(3_000 * MS);
    sim.cut(sim.link(0, 1), MeshSimulator.CutKind.SILENT);

    assertThat(MeshInvariants.converged(sim, 10))
        .anyMatch(p -> p.contains("over a link that is down"))
        .anyMatch(p -> p.contains("routes to unreachable") || p.contains("n001"));
  }

  @Test
  void seeds_comeFromThePropertyWhenSet() {
    String before = System.getProperty(SimSeeds.PROPERTY);
    try {
      System.clearProperty(SimSeeds.PROPERTY);
      assertThat(SimSeeds.seeds(5, 3)).containsExactly(5L, 6L, 7L);
      System.setProperty(SimSeeds.PROPERTY, "123");
      assertThat(SimSeeds.seeds(5, 3)).containsExactly(123L);
      System.setProperty(SimSeeds.PROPERTY, "x");
      assertThatThrownBy(() -> SimSeeds.seeds(5, 3)).hasMessageContaining("meshd.sim.seed=x");
    } finally {
      if (before == null) {
        System.clearProperty(SimSeeds.PROPERTY);
      } else {
        System.setProperty(SimSeeds.PROPERTY, before);
      }
    }
  }
}
