package dev.x0tta6bl4.node.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class FailureDetectorSettingsTest {
  private static final long MS = 1_000_000L;

  @Test
  void defaults_haveDocumentedValues() {
    FailureDetectorSettings s = FailureDetectorSettings.defaults();

    assertThat(s.heartbeatInterval()).isEqualTo(Duration.ofMillis(100));
    assertThat(s.phiThreshold()).isEqualTo(8.0);
    assertThat(s.minStdDeviation()).isEqualTo(Duration.ofMillis(20));
    assertThat(s.acceptableHeartbeatPause()).isEqualTo(Duration.ofMillis(50));
    assertThat(s.windowSize()).isEqualTo(200);
    assertThat(s.maxIntervalSample()).isEqualTo(Duration.ofMillis(250));
    assertThat(s.maxSilenceBeforeSuspicion()).isEqualTo(Duration.ofMillis(400));
    assertThat(s.probeFanout()).isEqualTo(3);
    assertThat(s.probeTimeout()).isEqualTo(Duration.ofMillis(250));
    assertThat(s.suspicionTimeout()).isEqualTo(Duration.ofMillis(400));
    assertThat(s.freshnessWindow()).isEqualTo(Duration.ofMillis(150));
    assertThat(s.localPauseThreshold()).isEqualTo(Duration.ofMillis(250));
    assertThat(s.directSilenceLimit()).isEqualTo(Duration.ofSeconds(2));
    assertThat(s.maxPendingProbes()).isEqualTo(256);
  }

  @Test
  void defaults_timingBudget_meetsDetectionBoundAndToleratesA300msStall() {
    FailureDetectorSettings s = FailureDetectorSettings.defaults();
    PhiAccrualDetector d = PhiAccrualDetector.create(s);
    for (int i = 0; i <= 300; i++) {
      d.heartbeat(i * 100 * MS);
    }
    long onset = d.silenceUntilPhi(s.phiThreshold());
    long interval = s.heartbeatInterval().toNanos();
    long suspicion = s.suspicionTimeout().toNanos();
    long jitter = 20 * MS;

    // Worst case: onset bound, one tick late, suspicion timeout, plus the last frame's delay.
    assertThat(s.worstCaseDetectionDelay().toNanos() + jitter).isLessThanOrEqualTo(1_000 * MS);
    // Shortest silence that can kill, against the longest gap a 300 ms stall makes.
    long stallGap = 300 * MS + interval + jitter;
    assertThat(onset + suspicion).isGreaterThan(stallGap + 200 * MS);
    // Helpers answer UNREACHABLE (seen on their tick, up to one interval late) in time.
    assertThat(s.probeTimeout().toNanos() + interval + 2 * jitter).isLessThan(suspicion);
    // A helper asked during a 300 ms stall waits long enough for the target to speak again.
    assertThat(s.probeTimeout().toNanos()).isGreaterThan(stallGap - onset);
    // Steady jittered heartbeats (gap <= interval + jitter) stay far below the threshold.
    assertThat(d.phiAfterSilence(interval + jitter)).isLessThan(1.0);
  }

  @Test
  void toBuilder_changedValue_keepsTheOthers() {
    FailureDetectorSettings s =
        FailureDetectorSettings.defaults().toBuilder().probeFanout(5).build();

    assertThat(s.probeFanout()).isEqualTo(5);
    assertThat(s.toBuilder().probeFanout(3).build()).isEqualTo(FailureDetectorSettings.defaults());
  }

  @Test
  void build_invalidValues_throwNamingTheKeyAndTheRange() {
    assertThatThrownBy(() -> builder().heartbeatInterval(Duration.ZERO).build())
        .isInstanceOf(MembershipException.class)
        .hasMessage("failure-detector.heartbeat-interval: PT0S; expected > 0");
    assertThatThrownBy(() -> builder().phiThreshold(Double.NaN).build())
        .hasMessageContaining("failure-detector.phi-threshold: NaN");
    assertThatThrownBy(() -> builder().windowSize(1).build())
        .hasMessageContaining("failure-detector.window-size: 1; expected 2..10000");
    assertThatThrownBy(() -> builder().probeFanout(-1).build())
        .hasMessageContaining("failure-detector.probe-fanout: -1; expected 0..16");
    assertThatThrownBy(() -> builder().probeTimeout(Duration.ofMillis(300)).build())
        .hasMessageContaining(
            "failure-detector.probe-timeout: PT0.3S; expected < suspicion-timeout - heartbeat-interval");
    assertThatThrownBy(() -> builder().localPauseThreshold(Duration.ofMillis(100)).build())
        .hasMessageContaining("failure-detector.local-pause-threshold");
    assertThatThrownBy(() -> builder().acceptableHeartbeatPause(Duration.ofMillis(-1)).build())
        .hasMessageContaining("failure-detector.acceptable-heartbeat-pause: PT-0.001S");
    assertThatThrownBy(() -> builder().maxIntervalSample(Duration.ofMillis(50)).build())
        .hasMessageContaining("failure-detector.max-interval-sample");
    assertThatThrownBy(() -> builder().directSilenceLimit(Duration.ofMillis(800)).build())
        .hasMessageContaining("failure-detector.direct-silence-limit");
    assertThatThrownBy(() -> builder().maxPendingProbes(0).build())
        .hasMessageContaining("failure-detector.max-pending-probes: 0");
    assertThatThrownBy(() -> builder().freshnessWindow(null).build())
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("freshness-window");
  }

  private static FailureDetectorSettings.Builder builder() {
    return FailureDetectorSettings.builder();
  }

  @Test
  void scaledTo_defaultInterval_equalsDefaults() {
    assertThat(FailureDetectorSettings.scaledTo(java.time.Duration.ofMillis(100)))
        .isEqualTo(FailureDetectorSettings.defaults());
  }

  @Test
  void scaledTo_doubleInterval_doublesEveryTimeAndStaysValid() {
    FailureDetectorSettings s = FailureDetectorSettings.scaledTo(java.time.Duration.ofMillis(200));
    FailureDetectorSettings d = FailureDetectorSettings.defaults();

    assertThat(s.suspicionTimeout()).isEqualTo(d.suspicionTimeout().multipliedBy(2));
    assertThat(s.probeTimeout()).isEqualTo(d.probeTimeout().multipliedBy(2));
    assertThat(s.worstCaseDetectionDelay()).isEqualTo(d.worstCaseDetectionDelay().multipliedBy(2));
    assertThat(FailureDetectorSettings.scaledTo(java.time.Duration.ofMillis(50)).probeFanout())
        .isEqualTo(d.probeFanout());
  }
}
