package dev.x0tta6bl4.node.heal;

import dev.x0tta6bl4.mapek.Action;
import dev.x0tta6bl4.mapek.Actuator;
import dev.x0tta6bl4.mapek.Candidate;
import dev.x0tta6bl4.mapek.Diagnosis;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code alert} action: what must not be automated (a follower lagging on another machine,
 * memory pressure, a group without a leader while this member is fine) is reported, not acted
 * on: one WARN log line and {@code meshd_heal_alerts_total{kind}}, where {@code kind} is the
 * incident kind ({@link #KINDS}, else {@code other}: a bounded label). The action's subject is the incident key, so an alert never
 * keeps another action on the same node busy; its cooldown keeps it from repeating every tick.
 * An alert fixes nothing: its short verification window lets the incident go back to planning
 * (another candidate, once allowed) instead of waiting on it.
 * Runs on the loop's executor; completes at once.
 */
final class Alerts {
  static final String KIND = "alert";
  private static final Logger log = LoggerFactory.getLogger(Alerts.class);

  /** The incident kinds that may raise an alert; their counters exist from the start at 0. */
  static final List<String> KINDS = List.of(RaftHealing.NO_LEADER, RaftHealing.LEADER_DEGRADED,
      RaftHealing.FOLLOWER_LAGGING, NodeHealing.DISK_PRESSURE, NodeHealing.MEMORY_PRESSURE,
      NodeHealing.CERT_NEAR_EXPIRY);

  private final MeterRegistry registry;

  Alerts(MeterRegistry registry) {
    this.registry = registry;
    KINDS.forEach(this::counter);
  }

  private Counter counter(String kind) {
    return Counter.builder("meshd.heal.alerts")
        .description("Alerts raised by the self-healing loop for what it must not fix itself")
        .tag("kind", kind)
        .register(registry);
  }

  /** A candidate alert for {@code diagnosis}. */
  static Candidate candidate(Diagnosis diagnosis, int priority, String rationale) {
    String evidence = diagnosis.symptoms().get(0).evidence();
    // The parameters of the node's one alert actuator (MeshActuators' in a node).
    return new Candidate(new Action(KIND, diagnosis.key(),
        Map.of("symptom", diagnosis.kind(), "detail", evidence)), priority, rationale);
  }

  /**
   * An alert actuator of the same contract as the node's (which the mesh module registers; a
   * loop has one actuator per kind), for loops built without the mesh module, e.g. in tests.
   */
  Actuator actuator(Duration cooldown) {
    return Actuator.of(KIND, action -> {
      String kind = action.params().getOrDefault("symptom", "unknown");
      counter(KINDS.contains(kind) ? kind : "other").increment();
      log.warn("self-healing alert {}: {}", action.subject(),
          action.params().getOrDefault("detail", ""));
      return CompletableFuture.completedFuture(null);
    }).withTimeout(Duration.ofSeconds(1)).withCooldown(cooldown)
        .withVerifyWindow(Duration.ofSeconds(2));
  }
}
