package dev.x0tta6bl4.node.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SendAdmissionTest {
  private static final long MS = 1_000_000L;

  private final AtomicLong nanos = new AtomicLong(-5_000 * MS); // nanoTime may be negative
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private SendAdmission admission(double base, double burstSeconds) {
    return new SendAdmission(base, burstSeconds, nanos::get, registry);
  }

  private int admitted(SendAdmission a, int attempts) {
    int n = 0;
    for (int i = 0; i < attempts; i++) {
      if (a.tryAdmit() == 0) {
        n++;
      }
    }
    return n;
  }

  @Test
  void tryAdmit_unlimited_admitsEverythingAndCountsIt() {
    SendAdmission a = admission(SendAdmission.UNLIMITED, 0.1);

    assertThat(admitted(a, 10_000)).isEqualTo(10_000);
    assertThat(a.sample().admitted()).isEqualTo(10_000);
    assertThat(a.lowered()).isFalse();
  }

  @Test
  void tryAdmit_limited_admitsTheBurstThenOnePerIntervalWithExactRetryAfter() {
    SendAdmission a = admission(SendAdmission.UNLIMITED, 0.1);
    a.limit(100); // 10 ms per message, bucket of 100 * 0.1 = 10

    assertThat(admitted(a, 25)).isEqualTo(10);
    assertThat(a.tryAdmit()).isEqualTo(10 * MS); // the next token, exactly one interval away
    nanos.addAndGet(10 * MS);
    assertThat(a.tryAdmit()).isZero();
    assertThat(a.tryAdmit()).isEqualTo(10 * MS);
    nanos.addAndGet(3 * MS);
    assertThat(a.tryAdmit()).isEqualTo(7 * MS);
    SendAdmission.Sample s = a.sample();
    assertThat(s.admitted()).isEqualTo(11);
    assertThat(s.shed()).isEqualTo(18);
    assertThat(registry.find("meshd.api.requests.shed").functionCounter().count()).isEqualTo(18);
  }

  @Test
  void tryAdmit_overOneSecond_admitsRateTimesTimePlusBurst() {
    SendAdmission a = admission(SendAdmission.UNLIMITED, 0.1);
    a.limit(250);

    int n = 0;
    for (int step = 0; step < 1_000; step++) { // 1 s in 1 ms steps, 5 attempts each (5,000/s)
      n += admitted(a, 5);
      nanos.addAndGet(MS);
    }

    assertThat(n).isBetween(250 + 25 - 1, 250 + 25 + 1);
  }

  @Test
  void tryAdmit_idleLongerThanTheBucket_doesNotSaveUpMoreThanTheBurst() {
    SendAdmission a = admission(SendAdmission.UNLIMITED, 0.1);
    a.limit(100);
    nanos.addAndGet(60_000 * MS);

    assertThat(admitted(a, 100)).isEqualTo(10);
  }

  @Test
  void limit_aboveTheBase_isCappedAtTheBase_restoreReturnsToIt() {
    SendAdmission a = admission(50, 0.1);

    a.limit(10);
    assertThat(a.currentLimit()).isEqualTo(10);
    assertThat(a.lowered()).isTrue();
    a.limit(500);
    assertThat(a.currentLimit()).isEqualTo(50);
    assertThat(a.lowered()).isFalse();
    a.limit(10);
    a.restore();
    assertThat(a.currentLimit()).isEqualTo(50);
    assertThat(registry.find("meshd.api.admission.limit").gauge().value()).isEqualTo(50);
  }

  @Test
  void limit_newLimit_startsWithAFullBucketAndRecordsWhenItChanged() {
    SendAdmission a = admission(SendAdmission.UNLIMITED, 0.1);
    a.limit(100);
    admitted(a, 100); // bucket empty
    nanos.addAndGet(5 * MS);

    a.limit(200);

    assertThat(a.limitChangedNanos()).isEqualTo(nanos.get());
    assertThat(admitted(a, 100)).isEqualTo(20);
  }

  @Test
  void limit_belowOneMessagePerBurst_stillAdmitsOne() {
    SendAdmission a = admission(SendAdmission.UNLIMITED, 0.1);
    a.limit(0.5); // one message every 2 s

    assertThat(admitted(a, 10)).isEqualTo(1);
    assertThat(a.tryAdmit()).isEqualTo(2_000 * MS);
  }

  @Test
  void limit_notPositive_throwsNamingTheValue() {
    SendAdmission a = admission(SendAdmission.UNLIMITED, 0.1);

    assertThatThrownBy(() -> a.limit(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("admission limit must be > 0 messages/s, got 0.0");
    assertThatThrownBy(() -> a.limit(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> admission(-1, 0.1)).hasMessageContaining("base limit");
    assertThatThrownBy(() -> admission(10, 0)).hasMessageContaining("burst");
  }

  @Test
  void sample_latencies_areIntervalsSincePreviousSampleAndInFlightFollowsOutcomes() {
    SendAdmission a = admission(SendAdmission.UNLIMITED, 0.1);
    long t0 = a.now();
    a.accepted();
    a.accepted();
    nanos.addAndGet(30 * MS);
    a.outcome(t0, true);
    a.responded(t0);

    SendAdmission.Sample first = a.sample();
    assertThat(first.inFlight()).isEqualTo(1);
    assertThat(first.delivered()).isEqualTo(1);
    assertThat(first.deliveryLatencyMicros().getTotalCount()).isEqualTo(1);
    assertThat(first.deliveryLatencyMicros().getValueAtPercentile(50))
        .isBetween(29_500L, 30_500L);
    assertThat(first.requestLatencyMicros().getTotalCount()).isEqualTo(1);

    a.outcome(t0, false);
    SendAdmission.Sample second = a.sample();
    assertThat(second.inFlight()).isZero();
    assertThat(second.failed()).isEqualTo(1);
    assertThat(second.deliveryLatencyMicros().getTotalCount()).isZero();
  }

  @Test
  void outcome_admittedBeforeTheLimitChanged_countsButDoesNotEnterTheLatency() {
    SendAdmission a = admission(SendAdmission.UNLIMITED, 0.1);
    long before = a.now();
    a.accepted();
    nanos.addAndGet(5 * MS);
    a.limit(100);
    long after = a.now();
    a.accepted();
    nanos.addAndGet(800 * MS);

    a.outcome(before, true);
    a.outcome(after, true);

    SendAdmission.Sample s = a.sample();
    assertThat(s.delivered()).isEqualTo(2);
    assertThat(s.deliveryLatencyMicros().getTotalCount()).isEqualTo(1);
  }

  @Test
  void outcome_latencyBeyondTheRecorderRange_isClampedNotThrown() {
    SendAdmission a = admission(SendAdmission.UNLIMITED, 0.1);
    long t0 = a.now();
    a.accepted();
    nanos.addAndGet(3_600_000 * MS);

    a.outcome(t0, true);

    assertThat(a.sample().deliveryLatencyMicros().getMaxValue())
        .isGreaterThanOrEqualTo(SendAdmission.MAX_LATENCY_MICROS);
  }
}
