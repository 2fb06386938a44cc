package dev.x0tta6bl4.node.heal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.x0tta6bl4.mapek.ControlLoop;
import dev.x0tta6bl4.mapek.ControlLoopBuilder;
import dev.x0tta6bl4.mapek.IncidentState;
import dev.x0tta6bl4.mapek.IncidentView;
import dev.x0tta6bl4.mapek.KnowledgeBase;
import dev.x0tta6bl4.mapek.Mode;
import dev.x0tta6bl4.mapek.TimelineEvent;
import dev.x0tta6bl4.node.api.SendAdmission;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The load module in a real {@link ControlLoop} against a simulated send path: a FIFO served at
 * a fixed capacity (acknowledgements at the service rate, latency = time in the queue), arrivals
 * at a chosen offered rate through a real {@link SendAdmission}, all on one fake clock advanced in
 * 10 ms steps with a tick every 250 ms.
 */
class LoadHealingTest {
  private static final long MS = 1_000_000L;
  private static final Instant EPOCH = Instant.parse("2026-12-05T12:00:00Z");

  private final AtomicLong nanos = new AtomicLong();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final SendAdmission admission =
      new SendAdmission(SendAdmission.UNLIMITED, 0.1, nanos::get, registry);
  private final ArrayDeque<Long> queue = new ArrayDeque<>();
  /** (admitted at, latency) of every acknowledged send, in nanoseconds. */
  private final List<long[]> acked = new java.util.ArrayList<>();
  private double arrivalCredit;
  private double serviceCredit;

  private final Clock clock = new Clock() {
    @Override
    public Instant instant() {
      return EPOCH.plusNanos(nanos.get());
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  };

  private ControlLoop loop(Mode mode, LoadHealing module) {
    ControlLoopBuilder b = ControlLoop.builder().clock(clock).nanoTime(nanos::get)
        .executor(Runnable::run).meterRegistry(registry).knowledge(KnowledgeBase.inMemory(32, 100))
        .mode(mode);
    module.sensors().forEach(b::sensor);
    module.detectors().forEach(b::detector);
    module.policies().forEach(b::policy);
    module.actuators().forEach(b::actuator);
    return b.veto(module.veto()).build();
  }

  /** Runs the simulated path for {@code millis} at {@code offered}/s against {@code capacity}/s. */
  private void run(ControlLoop loop, long millis, double offered, double capacity) {
    for (long t = 0; t < millis; t += 10) {
      nanos.addAndGet(10 * MS);
      arrivalCredit += offered / 100;
      while (arrivalCredit >= 1) {
        arrivalCredit--;
        if (admission.tryAdmit() == 0) {
          admission.accepted();
          queue.addLast(nanos.get());
        }
      }
      serviceCredit = Math.min(serviceCredit + capacity / 100, 2);
      while (serviceCredit >= 1 && !queue.isEmpty()) {
        serviceCredit--;
        long admittedAt = queue.removeFirst();
        admission.outcome(admittedAt, true);
        acked.add(new long[] {admittedAt, nanos.get() - admittedAt});
      }
      if (nanos.get() % (250 * MS) == 0) {
        loop.tick();
      }
    }
  }

  /** Latencies of sends admitted at or after {@code from}, sorted. */
  private long[] latenciesFrom(Instant from) {
    long fromNanos = java.time.Duration.between(EPOCH, from).toNanos();
    return acked.stream().filter(a -> a[0] >= fromNanos).mapToLong(a -> a[1]).sorted().toArray();
  }

  private static long p99(long[] sorted) {
    return sorted[(int) Math.ceil(sorted.length * 0.99) - 1];
  }

  private static List<TimelineEvent.Type> types(IncidentView incident) {
    return incident.timeline().stream().map(TimelineEvent::type).toList();
  }

  private static List<IncidentView> of(ControlLoop loop, String kind) {
    return loop.incidents().stream().filter(i -> i.kind().equals(kind)).toList();
  }

  @Test
  void overloadAtTwiceCapacity_shedsToHalfTheAckedRate_latencyRecovers_restoredWhenLoadDrops() {
    LoadHealing module = new LoadHealing(LoadHealingSettings.defaults(), admission, registry);
    ControlLoop loop = loop(Mode.AUTO, module);

    run(loop, 6_000, 400, 200);

    IncidentView overload = of(loop, "overload").get(0);
    assertThat(types(overload)).containsExactly(TimelineEvent.Type.DETECTED,
        TimelineEvent.Type.PLANNED, TimelineEvent.Type.ACTION_STARTED,
        TimelineEvent.Type.ACTION_SUCCEEDED, TimelineEvent.Type.VERIFIED,
        TimelineEvent.Type.RESOLVED);
    assertThat(overload.timeline().get(1).detail()).contains("shed-load/local");
    java.time.Duration recovery = java.time.Duration.between(overload.firstSeen(),
        overload.resolvedAt());
    assertThat(recovery).isLessThan(java.time.Duration.ofSeconds(3));
    assertThat(admission.sample().shed()).isPositive();
    assertThat(registry.find("meshd.heal.load.actions").tag("action", "shed-load").counter()
        .count()).isGreaterThanOrEqualTo(1);
    // Once recovered, sends admitted under the continuing overload keep within the detector's
    // high mark: the shed left the path headroom.
    long[] after = latenciesFrom(overload.resolvedAt());
    assertThat(after.length).isGreaterThan(100);
    assertThat(after[after.length - 1]).isLessThanOrEqualTo(250 * MS);

    run(loop, 4_000, 50, 200); // load drops to a quarter of capacity

    assertThat(admission.lowered()).isFalse();
    assertThat(admission.currentLimit()).isEqualTo(SendAdmission.UNLIMITED);
    IncidentView restore = of(loop, "load-shed-active").get(of(loop, "load-shed-active").size() - 1);
    assertThat(restore.state()).isEqualTo(IncidentState.RESOLVED);
    assertThat(types(restore)).contains(TimelineEvent.Type.ACTION_SUCCEEDED,
        TimelineEvent.Type.VERIFIED);
    long shedBefore = admission.sample().shed();
    run(loop, 2_000, 50, 200);
    assertThat(admission.sample().shed()).isEqualTo(shedBefore);
  }

  @Test
  void sustainedOverload_probesUpwardAndShedsAgain_latencyStaysBounded() {
    LoadHealing module = new LoadHealing(LoadHealingSettings.defaults(), admission, registry);
    ControlLoop loop = loop(Mode.AUTO, module);

    run(loop, 20_000, 400, 200);

    assertThat(of(loop, "load-shed-active")).isNotEmpty(); // it probed upward at least once
    assertThat(of(loop, "overload").stream().filter(IncidentView::open).count()).isLessThanOrEqualTo(1);
    // Probing upward overshoots the capacity now and then; the loop sheds again before admitted
    // sends exceed twice the high mark.
    IncidentView first = of(loop, "overload").stream().filter(i -> i.resolvedAt() != null)
        .min(java.util.Comparator.comparingLong(IncidentView::id)).orElseThrow();
    long[] after = latenciesFrom(first.resolvedAt());
    System.out.printf("sustained 2x overload: %d overload and %d restore incidents, p99 after"
            + " first recovery %.0f ms, max %.0f ms%n", of(loop, "overload").size(),
        of(loop, "load-shed-active").size(), p99(after) / 1e6, after[after.length - 1] / 1e6);
    assertThat(p99(after)).isLessThanOrEqualTo(500 * MS);
  }

  @Test
  void adviseMode_plansTheShedButNeverLowersAdmission() {
    LoadHealing module = new LoadHealing(LoadHealingSettings.defaults(), admission, registry);
    ControlLoop loop = loop(Mode.ADVISE, module);

    run(loop, 4_000, 400, 200);

    IncidentView overload = of(loop, "overload").get(0);
    assertThat(types(overload)).contains(TimelineEvent.Type.ADVISED)
        .doesNotContain(TimelineEvent.Type.ACTION_STARTED);
    assertThat(overload.timeline().stream().filter(e -> e.type() == TimelineEvent.Type.ADVISED)
        .findFirst().orElseThrow().detail()).contains("shed-load/local");
    assertThat(admission.lowered()).isFalse();
    assertThat(admission.sample().shed()).isZero();
  }

  @Test
  void loadBelowCapacity_noIncident() {
    LoadHealing module = new LoadHealing(LoadHealingSettings.defaults(), admission, registry);
    ControlLoop loop = loop(Mode.AUTO, module);

    run(loop, 5_000, 150, 200);

    assertThat(loop.incidents()).isEmpty();
    assertThat(admission.lowered()).isFalse();
  }
}
