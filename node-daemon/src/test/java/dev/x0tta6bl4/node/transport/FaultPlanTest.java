package dev.x0tta6bl4.node.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.x0tta6bl4.node.transport.FaultPlan.Direction;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FaultPlanTest {

  @Test
  void none_hasNoFaults() {
    FaultPlan none = FaultPlan.NONE;
    assertThat(none.delay()).isZero();
    assertThat(none.jitter()).isZero();
    assertThat(none.lossProbability()).isZero();
    assertThat(none.duplicateProbability()).isZero();
    assertThat(none.reorderProbability()).isZero();
    assertThat(none.corruptProbability()).isZero();
    assertThat(none.capsBandwidth()).isFalse();
    assertThat(none.blocked()).isFalse();
    assertThat(none.reorderWindow()).isEqualTo(FaultPlan.DEFAULT_REORDER_WINDOW);
    assertThat(none.queueLimit()).isEqualTo(FaultPlan.DEFAULT_QUEUE_LIMIT);
  }

  @Test
  void newBuilder_changingOneValue_keepsTheOthers() {
    FaultPlan plan =
        FaultPlan.builder()
            .delay(Duration.ofMillis(5))
            .jitter(Duration.ofMillis(2))
            .lossProbability(0.1)
            .duplicateProbability(0.2)
            .reorderProbability(0.3)
            .reorderWindow(Duration.ofMillis(7))
            .corruptProbability(0.4)
            .bandwidth(1_000, 500)
            .queueLimit(42)
            .build();

    FaultPlan blocked = plan.newBuilder().blocked(true).build();

    assertThat(blocked).isEqualTo(
        new FaultPlan(
            Duration.ofMillis(5),
            Duration.ofMillis(2),
            0.1,
            0.2,
            0.3,
            Duration.ofMillis(7),
            0.4,
            1_000,
            500,
            42,
            true));
    assertThat(plan.newBuilder().build()).isEqualTo(plan);
  }

  @ParameterizedTest
  @ValueSource(doubles = {-0.1, 1.01, Double.NaN, Double.POSITIVE_INFINITY})
  void probabilitySetters_outOfRange_throwNamingTheArgument(double bad) {
    assertThatThrownBy(() -> FaultPlan.builder().lossProbability(bad))
        .isInstanceOf(FaultPlanException.class)
        .hasMessageContaining("lossProbability")
        .hasMessageContaining(String.valueOf(bad));
    assertThatThrownBy(() -> FaultPlan.builder().duplicateProbability(bad))
        .hasMessageContaining("duplicateProbability");
    assertThatThrownBy(() -> FaultPlan.builder().reorderProbability(bad))
        .hasMessageContaining("reorderProbability");
    assertThatThrownBy(() -> FaultPlan.builder().corruptProbability(bad))
        .hasMessageContaining("corruptProbability");
  }

  @Test
  void durations_outOfRange_throwNamingTheArgument() {
    assertThatThrownBy(() -> FaultPlan.builder().delay(Duration.ofMillis(-1)))
        .isInstanceOf(FaultPlanException.class)
        .hasMessageContaining("delay is PT-0.001S");
    assertThatThrownBy(() -> FaultPlan.builder().jitter(Duration.ofHours(2)))
        .hasMessageContaining("jitter");
    assertThatThrownBy(() -> FaultPlan.builder().reorderWindow(Duration.ZERO))
        .hasMessageContaining("reorderWindow");
    assertThatThrownBy(() -> FaultPlan.builder().delay(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("delay");
  }

  @Test
  void bandwidth_inconsistentValues_throwNamingTheArgument() {
    assertThatThrownBy(() -> FaultPlan.builder().bandwidth(-1, 10))
        .isInstanceOf(FaultPlanException.class)
        .hasMessageContaining("bandwidthBytesPerSecond is -1");
    assertThatThrownBy(() -> FaultPlan.builder().bandwidth(1_000, 0))
        .hasMessageContaining("burstBytes is 0");
    assertThatThrownBy(() -> FaultPlan.builder().bandwidth(0, 10))
        .hasMessageContaining("burstBytes is 10");
    assertThatThrownBy(() -> FaultPlan.builder().bandwidth(1_000, FaultPlan.MAX_BURST_BYTES + 1))
        .hasMessageContaining("burstBytes");
    assertThat(FaultPlan.builder().bandwidth(1_000, 10).bandwidth(0, 0).build().capsBandwidth())
        .isFalse();
  }

  @Test
  void queueLimit_outOfRange_throwsNamingTheArgument() {
    assertThatThrownBy(() -> FaultPlan.builder().queueLimit(0))
        .isInstanceOf(FaultPlanException.class)
        .hasMessageContaining("queueLimit is 0");
  }

  @Test
  void canonicalConstructor_validatesLikeTheBuilder() {
    assertThatThrownBy(
            () ->
                new FaultPlan(
                    Duration.ZERO, Duration.ZERO, 2.0, 0, 0, Duration.ofMillis(1), 0, 0, 0, 1,
                    false))
        .isInstanceOf(FaultPlanException.class)
        .hasMessageContaining("lossProbability is 2.0");
  }

  @Test
  void faultPlans_helpers_blockTheRightDirections() {
    assertThat(FaultPlans.partition())
        .isEqualTo(FaultPlans.of(FaultPlan.BLOCKED, FaultPlan.BLOCKED));
    assertThat(FaultPlans.oneWay(Direction.INBOUND))
        .isEqualTo(FaultPlans.of(FaultPlan.BLOCKED, FaultPlan.NONE));
    assertThat(FaultPlans.oneWay(Direction.OUTBOUND))
        .isEqualTo(FaultPlans.of(FaultPlan.NONE, FaultPlan.BLOCKED));
    FaultPlan slow = FaultPlan.builder().delay(Duration.ofMillis(3)).build();
    assertThat(FaultPlans.both(slow).plan(Direction.INBOUND)).isEqualTo(slow);
    assertThat(FaultPlans.both(slow).plan(Direction.OUTBOUND)).isEqualTo(slow);
    assertThat(FaultPlans.NONE.with(Direction.OUTBOUND, slow))
        .isEqualTo(FaultPlans.of(FaultPlan.NONE, slow));
    assertThatThrownBy(() -> FaultPlans.of(null, FaultPlan.NONE))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("inbound");
  }
}
