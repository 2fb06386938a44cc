package dev.x0tta6bl4.node.heal;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.x0tta6bl4.mapek.Action;
import dev.x0tta6bl4.mapek.Actuator;
import dev.x0tta6bl4.mapek.Candidate;
import dev.x0tta6bl4.mapek.Diagnosis;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's one {@code alert} action, for what must not be automated (clock skew, a node that
 * looks cut off, a follower lagging on another machine, memory pressure, a group without a
 * leader while this member is fine): reported, not acted on. One WARN log line and {@code
 * meshd_heal_alerts_total{kind}}, where {@code kind} is the incident kind if some module declared
 * it ({@link HealingModule#alertKinds()}), else {@code other}: a bounded label, every declared
 * kind's counter present at 0 from the start.
 *
 * <p>The action's subject is the incident key, so an alert never keeps another action on the same
 * subject busy; its cooldown keeps it from repeating every tick. An alert fixes nothing: its short
 * verification window lets the incident go back to planning (another candidate, once allowed)
 * instead of waiting on it. The handler runs on the loop's executor and completes at once.
 */
final class Alerts {
  static final String KIND = "alert";
  /** Least time between two alerts for one incident in a node. */
  static final Duration COOLDOWN = Duration.ofSeconds(60);
  private static final Logger log = LoggerFactory.getLogger(Alerts.class);

  private final MeterRegistry registry;
  private final Set<String> kinds;

  /** @param kinds the incident kinds that may raise an alert (every module's {@code alertKinds}) */
  Alerts(MeterRegistry registry, Set<String> kinds) {
    this.registry = registry;
    this.kinds = Set.copyOf(kinds);
    this.kinds.forEach(this::counter);
    counter("other");
  }

  private Counter counter(String kind) {
    return Counter.builder("meshd.heal.alerts")
        .description("Alerts raised by the self-healing loop for what it must not fix itself")
        .tag("kind", kind)
        .register(registry);
  }

  /** A candidate alert for {@code diagnosis}, carrying its kind and first symptom's evidence. */
  static Candidate candidate(Diagnosis diagnosis, int priority, String rationale) {
    return candidate(diagnosis, diagnosis.symptoms().get(0).evidence(), priority, rationale);
  }

  /** A candidate alert for {@code diagnosis} with {@code detail} for the operator. */
  static Candidate candidate(Diagnosis diagnosis, String detail, int priority, String rationale) {
    return new Candidate(new Action(KIND, diagnosis.key(),
        Map.of("symptom", diagnosis.kind(), "detail", detail)), priority, rationale);
  }

  /** The alert actuator: 1 s timeout, {@code cooldown} per incident, 1 s verification window. */
  Actuator actuator(Duration cooldown) {
    return Actuator.of(KIND, action -> {
      String kind = action.params().getOrDefault("symptom", "unknown");
      counter(kinds.contains(kind) ? kind : "other").increment();
      log.warn("self-healing alert {} {} {}", kv("kind", kind), kv("subject", action.subject()),
          kv("detail", action.params().getOrDefault("detail", "")));
      return CompletableFuture.completedFuture(null);
    }).withTimeout(Duration.ofSeconds(1)).withCooldown(cooldown)
        .withVerifyWindow(Duration.ofSeconds(1));
  }
}
