package dev.x0tta6bl4.node.heal;

import dev.x0tta6bl4.mapek.Actuator;
import dev.x0tta6bl4.mapek.ControlLoop;
import dev.x0tta6bl4.mapek.ControlLoopBuilder;
import dev.x0tta6bl4.mapek.IncidentView;
import dev.x0tta6bl4.mapek.KnowledgeBase;
import dev.x0tta6bl4.mapek.Mode;
import dev.x0tta6bl4.mapek.TimelineEvent;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.UnaryOperator;

/**
 * A control loop built from healing modules by the node's own {@link HealingComponent#assemble}
 * (without the neighbourhood correlator), with a direct executor and a fake clock.
 */
final class TestLoops {
  private TestLoops() {}

  static ControlLoop loop(Clock clock, MeterRegistry registry, Mode mode,
      HealingModule... modules) {
    return loop(clock, registry, mode, Runnable::run, a -> a, 1, 20, modules);
  }

  /**
   * With an executor for actions, a wrapper around every actuator (invariant checks) and the
   * number of action starts allowed per minute ({@code mapek.rate-limit}, 20 by default).
   */
  static ControlLoop loop(Clock clock, MeterRegistry registry, Mode mode, Executor executor,
      UnaryOperator<Actuator> wrap, int clearTicks, int startsPerMinute,
      HealingModule... modules) {
    ControlLoopBuilder b = ControlLoop.builder().clock(clock).executor(executor)
        .meterRegistry(registry).knowledge(KnowledgeBase.inMemory(16, 1_000)).mode(mode)
        .clearTicks(clearTicks).rateLimit(startsPerMinute, Duration.ofMinutes(1));
    return HealingComponent.assemble(b, List.of(modules), "n0", 0, registry, wrap).build();
  }

  static List<TimelineEvent.Type> types(IncidentView v) {
    return v.timeline().stream().map(TimelineEvent::type).toList();
  }

  static IncidentView incident(ControlLoop loop, String kind) {
    return loop.incidents().stream().filter(i -> i.kind().equals(kind)).findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " incident in " + loop.incidents()));
  }

  /** A clock that moves only when the test advances it; also a fake mesh's monotonic time. */
  static final class FakeClock extends Clock {
    private Instant now = Instant.parse("2026-12-05T12:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    long nanos() {
      return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }
}
