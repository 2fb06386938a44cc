package dev.x0tta6bl4.node.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LinkCostEstimatorTest {
  private static final long MS = 1_000_000L;
  private static final long HEARTBEAT = 100 * MS;

  @Test
  void noSamples_reportsBaseCost() {
    assertThat(new LinkCostEstimator().reportedCost()).isEqualTo(LinkCostEstimator.DEFAULT_BASE_COST);
  }

  @Test
  void rttAtOrBelowFloor_costsBase() {
    LinkCostEstimator estimator = new LinkCostEstimator();

    OptionalLong change = estimator.onRttSample(300_000, 0);

    assertThat(change).isEmpty();
    assertThat(estimator.currentCost()).isEqualTo(100);
  }

  @ParameterizedTest
  @ValueSource(longs = {1L, 2L, 3L, 4L, 5L})
  void jitterWithin20Percent_neverChangesReportedCost(long seed) {
    System.out.println("LinkCostEstimatorTest jitter seed=" + seed);
    Random random = new Random(seed);
    LinkCostEstimator estimator = new LinkCostEstimator();
    long rtt = 10 * MS;
    long now = 0;
    estimator.onRttSample(rtt, now);
    long reported = estimator.reportedCost();
    assertThat(reported).isEqualTo(1_000);
    for (int i = 0; i < 20_000; i++) {
      now += HEARTBEAT;
      long sample = Math.round(rtt * (0.8 + 0.4 * random.nextDouble()));
      assertThat(estimator.onRttSample(sample, now)).as("sample %d at %d", sample, i).isEmpty();
    }
    assertThat(estimator.reportedCost()).isEqualTo(reported);
  }

  @Test
  void jitteryFirstSample_laterSteadyRtt_noChangeReported() {
    LinkCostEstimator estimator = new LinkCostEstimator();
    estimator.onRttSample(12 * MS, 0);
    long now = 0;
    for (int i = 0; i < 200; i++) {
      now += HEARTBEAT;
      assertThat(estimator.onRttSample(10 * MS, now)).isEmpty();
    }
    assertThat(estimator.currentCost()).isEqualTo(1_000);
    assertThat(estimator.reportedCost()).isEqualTo(1_200);
  }

  @Test
  void rttDoubles_reportedAfterAboutOneSmoothingTime() {
    LinkCostEstimator estimator = new LinkCostEstimator();
    long now = 0;
    for (int i = 0; i < 100; i++) {
      estimator.onRttSample(10 * MS, now);
      now += HEARTBEAT;
    }
    long changedAt = -1;
    long start = now;
    OptionalLong change = OptionalLong.empty();
    for (int i = 0; i < 200 && change.isEmpty(); i++) {
      change = estimator.onRttSample(20 * MS, now);
      changedAt = now;
      now += HEARTBEAT;
    }

    assertThat(change).isPresent();
    assertThat(change.getAsLong()).isBetween(1_300L, 2_000L);
    double seconds = (changedAt - start) / 1e9;
    assertThat(seconds).isBetween(0.3, 2.5);
    // and it settles at twice the old cost without further flapping.
    for (int i = 0; i < 200; i++) {
      now += HEARTBEAT;
      estimator.onRttSample(20 * MS, now);
    }
    assertThat(estimator.currentCost()).isBetween(1_990L, 2_010L);
  }

  @Test
  void loss_raisesCostByInverseSquareOfDeliveryRatio() {
    LinkCostEstimator estimator = new LinkCostEstimator();
    estimator.onRttSample(10 * MS, 0);

    OptionalLong change = estimator.onDeliverySample(10, 5, 0);

    assertThat(change).hasValue(4_000);
    estimator.onDeliverySample(10, 0, HEARTBEAT * 1_000);
    assertThat(estimator.currentCost()).isEqualTo(100_000);
  }

  @Test
  void invalidArguments_throwNamingTheValue() {
    assertThatThrownBy(() -> new LinkCostEstimator(0, Duration.ofMillis(1), Duration.ofSeconds(1), 0.3, 0.1))
        .isInstanceOf(RoutingException.class).hasMessageContaining("baseCost 0");
    assertThatThrownBy(() -> new LinkCostEstimator().onDeliverySample(3, 4, 0))
        .isInstanceOf(RoutingException.class).hasMessageContaining("4/3");
    assertThatThrownBy(() -> new LinkCostEstimator().onRttSample(-1, 0))
        .isInstanceOf(RoutingException.class).hasMessageContaining("-1");
  }
}
