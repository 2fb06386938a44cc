package dev.x0tta6bl4.node.heal;

import dev.x0tta6bl4.mapek.ActionVeto;
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
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.UnaryOperator;

/**
 * A control loop built from healing modules the way the node's HealingComponent does (the
 * combined veto is the first refusal of any module), with a direct executor and a fake clock.
 */
final class TestLoops {
  private TestLoops() {}

  static ControlLoop loop(Clock clock, MeterRegistry registry, Mode mode,
      HealingModule... modules) {
    return loop(clock, registry, mode, Runnable::run, a -> a, 1, modules);
  }

  /** With an executor for actions and a wrapper around every actuator (invariant checks). */
  static ControlLoop loop(Clock clock, MeterRegistry registry, Mode mode, Executor executor,
      UnaryOperator<Actuator> wrap, int clearTicks, HealingModule... modules) {
    ControlLoopBuilder b = ControlLoop.builder().clock(clock).executor(executor)
        .meterRegistry(registry).knowledge(KnowledgeBase.inMemory(16, 1_000)).mode(mode)
        .clearTicks(clearTicks);
    boolean alert = false;
    for (HealingModule m : modules) {
      m.sensors().forEach(b::sensor);
      m.detectors().forEach(b::detector);
      m.policies().forEach(b::policy);
      m.actuators().forEach(a -> b.actuator(wrap.apply(a)));
      alert |= m.actuators().stream().anyMatch(a -> a.kind().equals(Alerts.KIND));
    }
    if (!alert) { // in a node the mesh module brings the alert actuator
      b.actuator(wrap.apply(new Alerts(registry).actuator(Duration.ofMinutes(5))));
    }
    List<ActionVeto> vetoes = java.util.Arrays.stream(modules).map(HealingModule::veto).toList();
    b.veto((action, snapshot, inFlight) -> {
      for (ActionVeto v : vetoes) {
        Optional<String> refusal = v.veto(action, snapshot, inFlight);
        if (refusal.isPresent()) {
          return refusal;
        }
      }
      return Optional.empty();
    });
    return b.build();
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
