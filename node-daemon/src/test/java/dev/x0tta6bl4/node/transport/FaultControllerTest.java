package dev.x0tta6bl4.node.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.x0tta6bl4.node.transport.FaultPlan.Direction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(FaultInjectorLeakWatch.class)
class FaultControllerTest {
  private static final long SEED = 0xC0FFEEL;

  private final FaultController controller = new FaultController(SEED);
  private final List<FaultInjectorFixture> fixtures = new ArrayList<>();

  @AfterEach
  void releaseEverything() {
    fixtures.forEach(FaultInjectorFixture::close);
  }

  private FaultInjectorFixture channel(String local, String peer) {
    FaultInjectorFixture fixture = new FaultInjectorFixture(controller.forLink(local, peer));
    fixtures.add(fixture);
    return fixture;
  }

  /** Sends one inbound and one outbound message and returns how many came through. */
  private static int roundTrip(FaultInjectorFixture fixture) {
    fixture.send(Direction.INBOUND, fixture.buffer(1, 8));
    fixture.send(Direction.OUTBOUND, fixture.buffer(2, 8));
    return fixture.receiveIds(Direction.INBOUND).size()
        + fixture.receiveIds(Direction.OUTBOUND).size();
  }

  @Test
  void forLink_nothingSet_passesEverything() {
    System.out.println("FaultController test seed: " + SEED);
    FaultInjectorFixture ab = channel("a", "b");

    assertThat(roundTrip(ab)).isEqualTo(2);
    assertThat(controller.plans("a", "b")).isEqualTo(FaultPlans.NONE);
  }

  @Test
  void set_afterChannelExists_changesTheExistingHandlerForThatLinkOnly() {
    FaultInjectorFixture ab = channel("a", "b");
    FaultInjectorFixture ba = channel("b", "a");

    controller.set("a", "b", FaultPlans.oneWay(Direction.OUTBOUND));

    ab.send(Direction.OUTBOUND, ab.buffer(1, 8));
    ab.send(Direction.INBOUND, ab.buffer(2, 8));
    assertThat(ab.receiveIds(Direction.OUTBOUND)).isEmpty();
    assertThat(ab.receiveIds(Direction.INBOUND)).containsExactly(2);
    assertThat(roundTrip(ba)).isEqualTo(2);
  }

  @Test
  void partition_ofANode_blocksEveryLinkOfItAtBothEndsAndNoOther() {
    FaultInjectorFixture ab = channel("a", "b");
    FaultInjectorFixture ba = channel("b", "a");
    FaultInjectorFixture ca = channel("c", "a");
    FaultInjectorFixture bc = channel("b", "c");

    controller.partition("a");

    assertThat(roundTrip(ab)).isZero();
    assertThat(roundTrip(ba)).isZero();
    assertThat(roundTrip(ca)).isZero();
    assertThat(roundTrip(bc)).isEqualTo(2);
    assertThat(controller.partitionedNodes()).containsExactly("a");
    // A link created during the partition is cut too.
    assertThat(roundTrip(channel("a", "d"))).isZero();
  }

  @Test
  void heal_afterPartition_restoresThePlansSetBefore() {
    FaultPlan slow = FaultPlan.builder().delay(Duration.ofMillis(20)).build();
    controller.set("a", "b", FaultPlans.both(slow));
    FaultInjectorFixture ab = channel("a", "b");
    FaultInjectorFixture ac = channel("a", "c");
    controller.partition("a");
    assertThat(roundTrip(ab)).isZero();

    controller.heal("a");

    assertThat(controller.plans("a", "b")).isEqualTo(FaultPlans.both(slow));
    assertThat(roundTrip(ac)).isEqualTo(2);
    ab.send(Direction.INBOUND, ab.buffer(3, 8));
    assertThat(ab.receiveIds(Direction.INBOUND)).isEmpty();
    ab.advanceMillis(20);
    assertThat(ab.receiveIds(Direction.INBOUND)).containsExactly(3);
    assertThat(controller.partitionedNodes()).isEmpty();
  }

  @Test
  void partition_twoNodes_healingOneKeepsTheLinkBetweenThemCut() {
    FaultInjectorFixture ab = channel("a", "b");
    controller.partition("a");
    controller.partition("b");

    controller.heal("a");

    assertThat(roundTrip(ab)).isZero();
    controller.heal("b");
    assertThat(roundTrip(ab)).isEqualTo(2);
  }

  @Test
  void resetAndClear_removePlansAndPartitions() {
    FaultInjectorFixture ab = channel("a", "b");
    FaultInjectorFixture cd = channel("c", "d");
    controller.set("a", "b", FaultPlans.partition());
    controller.set("c", "d", FaultPlans.partition());

    controller.reset("a", "b");
    assertThat(roundTrip(ab)).isEqualTo(2);
    assertThat(roundTrip(cd)).isZero();

    controller.partition("a");
    controller.clear();
    assertThat(roundTrip(ab)).isEqualTo(2);
    assertThat(roundTrip(cd)).isEqualTo(2);
  }

  @Test
  void forLink_sameSeed_sameRandomDecisionsPerLink() {
    FaultPlans lossy = FaultPlans.both(FaultPlan.builder().lossProbability(0.5).build());
    List<List<Integer>> runs = new ArrayList<>();
    for (int run = 0; run < 2; run++) {
      FaultController fresh = new FaultController(SEED);
      fresh.set("a", "b", lossy);
      FaultInjectorFixture fixture = new FaultInjectorFixture(fresh.forLink("a", "b"));
      fixtures.add(fixture);
      for (int id = 1; id <= 100; id++) {
        fixture.send(Direction.INBOUND, fixture.buffer(id, 4));
      }
      runs.add(fixture.receiveIds(Direction.INBOUND));
    }
    assertThat(runs.get(0)).isEqualTo(runs.get(1)).hasSizeBetween(25, 75);
  }

  @Test
  void nodeIds_blankOrNull_throwNamingTheArgument() {
    assertThatThrownBy(() -> controller.forLink(" ", "b"))
        .isInstanceOf(FaultPlanException.class)
        .hasMessageContaining("localNode is ' '");
    assertThatThrownBy(() -> controller.set("a", null, FaultPlans.NONE))
        .hasMessageContaining("peerNode is null");
    assertThatThrownBy(() -> controller.partition(""))
        .hasMessageContaining("node is ''");
  }

  @Test
  void rewrite_replacesWrittenFramesOfThatLinkEndOnly_untilCleared() {
    FaultInjectorFixture ab = channel("a", "b");
    FaultInjectorFixture ba = channel("b", "a");
    Frame original = new Frame.Opaque(FrameType.DATA, new byte[] {1});
    Frame forged = new Frame.Opaque(FrameType.DATA, new byte[] {2});

    controller.rewrite("a", "b", frame -> frame.equals(original) ? forged : frame);

    ab.send(Direction.OUTBOUND, original);
    ab.send(Direction.INBOUND, original);
    ba.send(Direction.OUTBOUND, original);
    assertThat(ab.receiveAll(Direction.OUTBOUND)).containsExactly(forged);
    assertThat(ab.receiveAll(Direction.INBOUND)).containsExactly(original);
    assertThat(ba.receiveAll(Direction.OUTBOUND)).containsExactly(original);

    controller.clear();
    ab.send(Direction.OUTBOUND, original);
    assertThat(ab.receiveAll(Direction.OUTBOUND)).containsExactly(original);
  }

  @Test
  void rewrite_appliesToChannelsCreatedLater() {
    controller.rewrite("a", "b", frame -> new Frame.Opaque(FrameType.DATA, new byte[] {9}));
    FaultInjectorFixture ab = channel("a", "b");

    ab.send(Direction.OUTBOUND, new Frame.Opaque(FrameType.DATA, new byte[] {1}));

    assertThat(ab.receiveAll(Direction.OUTBOUND))
        .containsExactly(new Frame.Opaque(FrameType.DATA, new byte[] {9}));
  }
}
