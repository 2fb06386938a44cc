package dev.x0tta6bl4.node.heal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.x0tta6bl4.mapek.Detection;
import dev.x0tta6bl4.mapek.Reading;
import dev.x0tta6bl4.mapek.Severity;
import dev.x0tta6bl4.mapek.Snapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OverloadDetectorTest {
  private static final LoadHealingSettings D = LoadHealingSettings.defaults();
  /** The defaults with two exit ticks, to show the exit streak. */
  private final LoadHealingSettings settings = new LoadHealingSettings(D.window(),
      D.latencyHigh(), D.latencyLow(), D.inFlightHigh(), D.inFlightLow(), D.minSamples(),
      D.enterTicks(), 2, D.shedFactor(), D.minRate(), D.restoreStep(), D.restoreSlack(),
      D.restoreHold(), D.shedCooldown(), D.shedVerifyWindow(), D.restoreVerifyWindow());
  private final OverloadDetector detector = new OverloadDetector(settings);
  private long tick;

  /** One tick with p95 latency {@code p95Ms} over {@code samples} acks and {@code inFlight}. */
  private List<Detection> tick(double p95Ms, int samples, int inFlight) {
    List<Reading> r = new ArrayList<>();
    r.add(new Reading(LoadSensor.INFLIGHT, HealingModule.LOCAL, inFlight));
    r.add(new Reading(LoadSensor.DELIVERY_SAMPLES, HealingModule.LOCAL, samples));
    if (samples > 0) {
      r.add(new Reading(LoadSensor.DELIVERY_P95, HealingModule.LOCAL, p95Ms / 1e3));
    }
    return detector.detect(Snapshot.of(++tick, Instant.EPOCH, r, Set.of()));
  }

  @Test
  void detect_latencyAboveHighForEnterTicks_reportsOverloadUntilBelowLowForExitTicks() {
    assertThat(tick(300, 50, 10)).isEmpty(); // one tick above: not yet
    assertThat(detector.overloaded()).isTrue(); // but the restore detector must hold off
    List<Detection> second = tick(300, 50, 10);
    assertThat(second).singleElement().satisfies(d -> {
      assertThat(d.kind()).isEqualTo("overload");
      assertThat(d.subject()).isEqualTo("local");
      assertThat(d.severity()).isEqualTo(Severity.WARNING);
      assertThat(d.evidence()).startsWith("p95 admission to ack 300 ms over 50 acks");
    });
    assertThat(tick(200, 50, 10)).hasSize(1); // between the marks: still overloaded
    assertThat(tick(90, 50, 10)).hasSize(1); // one tick under the low mark
    assertThat(tick(200, 50, 10)).hasSize(1); // streak broken
    assertThat(tick(90, 50, 10)).hasSize(1);
    assertThat(tick(90, 50, 10)).isEmpty();
    assertThat(detector.overloaded()).isFalse();
  }

  @Test
  void detect_tooFewSamples_ignoresLatencyButInFlightStillCounts() {
    tick(5_000, 3, 10);
    assertThat(tick(5_000, 3, 10)).isEmpty();
    tick(0, 0, 5_000);
    assertThat(tick(0, 0, 5_000)).singleElement()
        .satisfies(d -> assertThat(d.evidence()).contains("too few acks"));
    tick(0, 0, 2_000); // under the high mark but over the low one: stays
    assertThat(tick(0, 0, 2_000)).hasSize(1);
    tick(0, 0, 1_000); // no acks while 1,000 wait: no evidence of calm
    assertThat(tick(0, 0, 1_000)).hasSize(1);
    tick(0, 0, 5);
    assertThat(tick(0, 0, 5)).isEmpty();
  }

  @Test
  void detect_slowPathWithoutQueue_thresholdsApplyAboveTheBaseLatency() {
    for (int i = 0; i < 3; i++) {
      List<Reading> r = List.of(new Reading(LoadSensor.INFLIGHT, HealingModule.LOCAL, 10),
          new Reading(LoadSensor.DELIVERY_SAMPLES, HealingModule.LOCAL, 50),
          new Reading(LoadSensor.DELIVERY_BASE, HealingModule.LOCAL, 0.400),
          new Reading(LoadSensor.DELIVERY_P95, HealingModule.LOCAL, 0.600));
      assertThat(detector.detect(Snapshot.of(++tick, Instant.EPOCH, r, Set.of()))).isEmpty();
    }
    List<Reading> queued = List.of(new Reading(LoadSensor.INFLIGHT, HealingModule.LOCAL, 10),
        new Reading(LoadSensor.DELIVERY_SAMPLES, HealingModule.LOCAL, 50),
        new Reading(LoadSensor.DELIVERY_BASE, HealingModule.LOCAL, 0.400),
        new Reading(LoadSensor.DELIVERY_P95, HealingModule.LOCAL, 0.700));
    detector.detect(Snapshot.of(++tick, Instant.EPOCH, queued, Set.of()));
    assertThat(detector.detect(Snapshot.of(++tick, Instant.EPOCH, queued, Set.of())))
        .singleElement().satisfies(d -> assertThat(d.evidence()).contains("base 400 ms"));
  }

  @Test
  void detect_fourTimesTheHighMark_isCritical() {
    tick(1_500, 50, 10);
    assertThat(tick(1_500, 50, 10)).singleElement()
        .satisfies(d -> assertThat(d.severity()).isEqualTo(Severity.CRITICAL));
  }

  @Test
  void settings_inconsistentValues_throwNamingTheKey() {
    assertThatThrownBy(() -> new LoadHealingSettings(Duration.ofMillis(500),
        Duration.ofMillis(100), Duration.ofMillis(200), 10, 5, 10, 2, 2, 0.5, 10, 1.5, 0.8,
        Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(4),
        Duration.ofSeconds(1)))
        .hasMessageContaining("mapek.load.latency-low");
    assertThatThrownBy(() -> new LoadHealingSettings(Duration.ofMillis(500),
        Duration.ofMillis(250), Duration.ofMillis(100), 10, 5, 10, 2, 2, 1.5, 10, 1.5, 0.8,
        Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(4),
        Duration.ofSeconds(1)))
        .hasMessage("mapek.load.shed-factor must be within (0, 1), got 1.5");
  }
}
