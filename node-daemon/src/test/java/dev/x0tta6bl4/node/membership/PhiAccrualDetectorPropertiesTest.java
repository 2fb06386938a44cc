package dev.x0tta6bl4.node.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayDeque;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

/** Properties of the phi detector over arbitrary arrival histories (jqwik prints the seed). */
class PhiAccrualDetectorPropertiesTest {
  private static final long MS = 1_000_000L;

  @Property(tries = 200)
  void phi_anyHistory_isFiniteNonNegativeAndMonotonicInSilence(
      @ForAll @Size(max = 300) List<@LongRange(min = 0, max = 2_000) Long> intervalsMs,
      @ForAll @IntRange(min = 2, max = 64) int window) {
    PhiAccrualDetector d = new PhiAccrualDetector(window, 5 * MS, 10 * MS, 100 * MS, 1_000 * MS);
    long t = 0;
    d.heartbeat(t);
    for (long interval : intervalsMs) {
      t += interval * MS;
      d.heartbeat(t);
    }
    double previous = 0;
    for (long silence = 0; silence <= 30_000 * MS; silence += 37 * MS) {
      double phi = d.phi(t + silence);
      assertThat(phi).isFinite().isGreaterThanOrEqualTo(previous);
      previous = phi;
    }
  }

  @Property(tries = 200)
  void statistics_anyHistory_matchRecomputationOverRecordedSamples(
      @ForAll @Size(min = 1, max = 300) List<@LongRange(min = 0, max = 2_000) Long> intervalsMs,
      @ForAll @IntRange(min = 2, max = 64) int window) {
    long maxSample = 1_000 * MS;
    PhiAccrualDetector d = new PhiAccrualDetector(window, 1_000, 0, 100 * MS, maxSample);
    ArrayDeque<Long> model = new ArrayDeque<>(List.of(75_000L, 125_000L));
    long t = 0;
    d.heartbeat(t);
    for (long interval : intervalsMs) {
      t += interval * MS;
      d.heartbeat(t);
      if (interval * MS <= maxSample) {
        model.addLast(interval * 1_000);
        if (model.size() > window) {
          model.removeFirst();
        }
      }
    }
    double mean = model.stream().mapToLong(Long::longValue).average().orElseThrow();
    double var = model.stream().mapToDouble(x -> (x - mean) * (x - mean)).sum() / model.size();

    assertThat(d.sampleCount()).isEqualTo(model.size());
    assertThat(d.meanNanos()).isCloseTo(mean * 1_000, within(1.0));
    assertThat(d.stdDeviationNanos())
        .isCloseTo(Math.max(Math.sqrt(var), 1.0) * 1_000, within(50.0));
  }
}
