package dev.x0tta6bl4.node.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PhiAccrualDetectorTest {
  private static final long MS = 1_000_000L;

  private static PhiAccrualDetector detector(int window, long maxSample) {
    return new PhiAccrualDetector(window, 20 * MS, 50 * MS, 100 * MS, maxSample);
  }

  @Test
  void create_beforeAnyInterval_bootstrapsWithEstimateAndQuarterSpread() {
    PhiAccrualDetector d = detector(100, 250 * MS);

    assertThat(d.sampleCount()).isEqualTo(2);
    assertThat(d.meanNanos()).isEqualTo(100.0 * MS);
    assertThat(d.stdDeviationNanos()).isEqualTo(25.0 * MS);
    assertThat(d.phi(123 * MS)).isZero();
    assertThat(d.lastHeartbeatNanos()).isEmpty();
  }

  @Test
  void heartbeat_regularIntervals_sigmaIsTheMinimumFloor() {
    PhiAccrualDetector d = detector(100, 250 * MS);
    for (int i = 0; i <= 200; i++) {
      d.heartbeat(i * 100 * MS);
    }

    assertThat(d.sampleCount()).isEqualTo(100);
    assertThat(d.meanNanos()).isEqualTo(100.0 * MS);
    assertThat(d.stdDeviationNanos()).isEqualTo(20.0 * MS);
  }

  @Test
  void statistics_afterWindowSlides_equalDirectComputationOverLastSamples() {
    long seed = 0x5eedL;
    System.out.println("seed=" + seed);
    SplittableRandom random = new SplittableRandom(seed);
    int window = 50;
    PhiAccrualDetector d = new PhiAccrualDetector(window, 1_000, 0, 100 * MS, 10_000 * MS);
    Deque<Long> last = new ArrayDeque<>();
    long t = 0;
    d.heartbeat(t);
    for (int i = 0; i < 5_000; i++) {
      long interval = 50 * MS + random.nextLong(150 * MS);
      t += interval;
      d.heartbeat(t);
      last.addLast(interval / 1_000);
      if (last.size() > window) {
        last.removeFirst();
      }
    }
    double mean = last.stream().mapToLong(Long::longValue).average().orElseThrow();
    double var = last.stream().mapToDouble(x -> (x - mean) * (x - mean)).sum() / last.size();

    assertThat(d.meanNanos()).isCloseTo(mean * 1_000, within(1.0));
    assertThat(d.stdDeviationNanos()).isCloseTo(Math.sqrt(var) * 1_000, within(10.0));
  }

  @Test
  void heartbeat_intervalLongerThanMaxSample_isNotRecorded() {
    PhiAccrualDetector d = detector(100, 250 * MS);
    d.heartbeat(0);
    d.heartbeat(100 * MS);
    int before = d.sampleCount();
    double meanBefore = d.meanNanos();

    d.heartbeat(500 * MS);

    assertThat(d.sampleCount()).isEqualTo(before);
    assertThat(d.meanNanos()).isEqualTo(meanBefore);
    assertThat(d.lastHeartbeatNanos()).hasValue(500 * MS);
  }

  @Test
  void phi_growingSilence_isMonotonicAndFinite() {
    PhiAccrualDetector d = detector(100, 250 * MS);
    for (int i = 0; i <= 50; i++) {
      d.heartbeat(i * 100 * MS);
    }
    long last = 5_000 * MS;
    double previous = -1;
    for (long silence = 0; silence <= 600_000 * MS; silence += 5 * MS) {
      double phi = d.phi(last + silence);
      assertThat(phi).isFinite().isGreaterThanOrEqualTo(previous);
      previous = phi;
    }
    assertThat(previous).isGreaterThan(1_000);
  }

  @Test
  void silenceUntilPhi_defaultSettingsRegularHeartbeats_isMeanPlusPausePlusAbout5Sigma() {
    PhiAccrualDetector d = PhiAccrualDetector.create(FailureDetectorSettings.defaults());
    for (int i = 0; i <= 300; i++) {
      d.heartbeat(i * 100 * MS);
    }

    long onset = d.silenceUntilPhi(8.0);

    System.out.println("phi=8 after " + onset / 1e6 + " ms of silence");
    assertThat(onset).isBetween(250 * MS, 258 * MS);
    assertThat(d.phiAfterSilence(onset)).isGreaterThanOrEqualTo(8.0);
    assertThat(d.phiAfterSilence(onset - 10_000)).isLessThan(8.0);
  }

  @Test
  void phi_logisticApproximation_staysWithin2e4OfExactNormalTail() {
    // sigma 20 ms, no pause, mean 100 ms: y = (t - 100 ms) / 20 ms.
    PhiAccrualDetector d = new PhiAccrualDetector(100, 20 * MS, 0, 100 * MS, 250 * MS);
    for (int i = 0; i <= 200; i++) {
      d.heartbeat(i * 100 * MS);
    }
    for (double y = -3; y <= 3; y += 0.25) {
      long silence = Math.round((100 + 20 * y) * MS);
      double approxTail = Math.pow(10, -d.phiAfterSilence(silence));

      assertThat(approxTail).as("y=%s", y).isCloseTo(exactNormalTail(y), within(2e-4));
    }
  }

  @Test
  void constructor_invalidArguments_throwNamingTheArgument() {
    assertThatThrownBy(() -> new PhiAccrualDetector(1, 20 * MS, 0, 100 * MS, 250 * MS))
        .isInstanceOf(MembershipException.class)
        .hasMessageContaining("windowSize: 1")
        .hasMessageContaining("2..10000");
    assertThatThrownBy(() -> new PhiAccrualDetector(100, 10, 0, 100 * MS, 250 * MS))
        .hasMessageContaining("minStdDeviationNanos: 10");
    assertThatThrownBy(() -> new PhiAccrualDetector(100, 20 * MS, -1, 100 * MS, 250 * MS))
        .hasMessageContaining("acceptablePauseNanos: -1");
    assertThatThrownBy(() -> new PhiAccrualDetector(100, 20 * MS, 0, 100 * MS, 50 * MS))
        .hasMessageContaining("maxSampleNanos: 50000000");
    assertThatThrownBy(() -> detector(100, 250 * MS).silenceUntilPhi(Double.NaN))
        .hasMessageContaining("phi: NaN");
  }

  /** P(Z > y) for a standard normal, by Simpson's rule over [y, y + 12]. */
  private static double exactNormalTail(double y) {
    int n = 20_000;
    double h = 12.0 / n;
    double sum = pdf(y) + pdf(y + 12);
    for (int i = 1; i < n; i++) {
      sum += (i % 2 == 1 ? 4 : 2) * pdf(y + i * h);
    }
    return sum * h / 3;
  }

  private static double pdf(double x) {
    return Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI);
  }
}
