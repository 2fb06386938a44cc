package dev.x0tta6bl4.node.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Node crashes and restarts, partitions, TCP segment loss and dropped data frames on a 30-node
 * mesh: after every quiet period routes converge again and unicast probes are acknowledged and
 * delivered exactly once; throughout, no message reaches an application twice within one process
 * life and no send ends in silence (see {@link ChurnScenario} and {@link SimLedger}).
 *
 * <p>Each later round crashes a random node silently (restarted in the next round with a new
 * boot id and empty state), every third round cuts a random half of the mesh off; with loss,
 * during each fault window every frame's segment is lost with 2 % probability (it arrives a
 * retransmission timeout late, the frames behind it wait) and 2 % of data, ack and broadcast
 * frames are dropped outright. Broadcast probes, which flooding does not retransmit, are then
 * checked for at-most-once only.
 */
class MeshFaultsSimulationTest {

  static ChurnScenario.Plan.Builder thirtyNodes() {
    return ChurnScenario.Plan.builder().nodes(30).kind(Topology.Kind.RANDOM).averageDegree(4)
        .failures(30).singleFailureRounds(3).minFailuresPerRound(3).maxFailuresPerRound(6)
        .backgroundPerSecond(100);
  }

  @Test
  void crashesRestartsAndPartitions_deliveryRecovers_noDuplicateReachesAnApplication() {
    ChurnScenario.Plan plan = thirtyNodes().crashProbability(1.0).partitionEvery(3).build();
    List<ChurnScenario.Report> reports = MeshChurnSimulationTest.runSeeds(plan, 3_000, 3);
    for (ChurnScenario.Report r : reports) {
      assertThat(r.crashes()).as("seed %d", r.seed()).isGreaterThanOrEqualTo(3);
      assertThat(r.partitions()).as("seed %d", r.seed()).isPositive();
      assertThat(r.backgroundDelivered()).as("seed %d", r.seed()).isPositive();
    }
  }

  @Test
  void segmentLossAndDroppedDataFrames_deliveryRetransmits_noDuplicateReachesAnApplication() {
    ChurnScenario.Plan plan = thirtyNodes().failures(20).crashProbability(0.5)
        .config(SimConfig.defaults().withLoss(0.02, 0.02)).build();
    List<ChurnScenario.Report> reports = MeshChurnSimulationTest.runSeeds(plan, 4_000, 2);
    for (ChurnScenario.Report r : reports) {
      assertThat(r.framesLost()).as("seed %d", r.seed()).isPositive();
      assertThat(r.backgroundDelivered()).as("seed %d", r.seed()).isPositive();
    }
  }
}
