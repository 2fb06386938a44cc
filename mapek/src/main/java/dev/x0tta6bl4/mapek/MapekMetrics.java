package dev.x0tta6bl4.mapek;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The loop's meters. Micrometer names are dotted; the Prometheus registry renders them as
 * {@code meshd_mapek_phase_duration_seconds{phase}}, {@code meshd_mapek_incidents_total{kind,state}},
 * {@code meshd_mapek_incidents_open}, {@code meshd_mapek_actions_total{action,outcome}},
 * {@code meshd_mapek_time_to_detect_seconds{kind}}, {@code meshd_mapek_time_to_recover_seconds{kind}},
 * {@code meshd_mapek_component_failures_total{component,name}},
 * {@code meshd_mapek_plan_refusals_total{rule}} and {@code meshd_mapek_ticks_total{mode}}.
 */
final class MapekMetrics {
  enum Phase { MONITOR, ANALYZE, PLAN, EXECUTE, KNOWLEDGE }

  private final MeterRegistry registry;
  private final Map<Phase, Timer> phases = new EnumMap<>(Phase.class);
  final AtomicInteger open = new AtomicInteger();

  MapekMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (Phase p : Phase.values()) {
      phases.put(p, Timer.builder("meshd.mapek.phase.duration")
          .description("Time spent in one MAPE-K phase per tick")
          .tag("phase", p.name().toLowerCase(Locale.ROOT))
          .publishPercentileHistogram()
          .register(registry));
    }
    Gauge.builder("meshd.mapek.incidents.open", open, AtomicInteger::get)
        .description("Incidents not yet resolved")
        .register(registry);
  }

  void phase(Phase phase, long nanos) {
    phases.get(phase).record(nanos, TimeUnit.NANOSECONDS);
  }

  void tick(Mode mode) {
    Counter.builder("meshd.mapek.ticks").description("Control loop ticks")
        .tag("mode", mode.label()).register(registry).increment();
  }

  void transition(String kind, IncidentState state) {
    Counter.builder("meshd.mapek.incidents")
        .description("Incidents entering each state, by incident kind")
        .tag("kind", kind).tag("state", state.label()).register(registry).increment();
  }

  void action(String action, String outcome) {
    Counter.builder("meshd.mapek.actions")
        .description("Actions by kind and outcome (started, succeeded, failed, timed_out, verified, not_verified, advised)")
        .tag("action", action).tag("outcome", outcome).register(registry).increment();
  }

  void timeToDetect(String kind, Duration d) {
    Timer.builder("meshd.mapek.time.to.detect")
        .description("From a symptom's onset to the incident being opened")
        .tag("kind", kind).publishPercentileHistogram().register(registry).record(nonNegative(d));
  }

  void timeToRecover(String kind, Duration d) {
    Timer.builder("meshd.mapek.time.to.recover")
        .description("From a symptom's onset to the incident being resolved")
        .tag("kind", kind).publishPercentileHistogram().register(registry).record(nonNegative(d));
  }

  void componentFailure(String component, String name) {
    Counter.builder("meshd.mapek.component.failures")
        .description("Sensors, detectors, correlator, policies, encoder or knowledge writes that threw")
        .tag("component", component).tag("name", name).register(registry).increment();
  }

  void refusal(String rule) {
    Counter.builder("meshd.mapek.plan.refusals")
        .description("Candidate actions refused by a guard rail, counted per tick planned")
        .tag("rule", rule).register(registry).increment();
  }

  private static Duration nonNegative(Duration d) {
    return d.isNegative() ? Duration.ZERO : d;
  }
}
