package dev.x0tta6bl4.node.heal;

import dev.x0tta6bl4.mapek.Action;
import dev.x0tta6bl4.mapek.Actuator;
import dev.x0tta6bl4.mapek.Candidate;
import dev.x0tta6bl4.mapek.Detector;
import dev.x0tta6bl4.mapek.Diagnosis;
import dev.x0tta6bl4.mapek.Policy;
import dev.x0tta6bl4.mapek.Sensor;
import dev.x0tta6bl4.mapek.Snapshot;
import dev.x0tta6bl4.node.LocalNode;
import dev.x0tta6bl4.node.api.SendAdmission;
import dev.x0tta6bl4.node.config.NodeConfig;
import dev.x0tta6bl4.node.wiring.Container;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The load area of the node's self-healing: keeps the local API's send path within its latency
 * bound by shedding load when it is overloaded and restoring admission when it is not (see {@code
 * docs/healing-load.md}).
 *
 * <ul>
 *   <li>Sensor: {@link LoadSensor} (send path in flight, admission-to-ack and response latency
 *       percentiles, admitted/shed/offered/acknowledged rates over a window, the admission limit,
 *       the mesh's in-flight table, event-loop pending tasks).
 *   <li>Detectors: {@link OverloadDetector} ({@code overload}, with hysteresis) and {@link
 *       ShedActiveDetector} ({@code load-shed-active}: lowered, no overload, held long enough).
 *   <li>Policies: {@code overload} → {@value #SHED} (priority 70); {@code load-shed-active} →
 *       {@value #RESTORE} (priority 50). Each candidate carries its target rate in the action's
 *       {@value #RATE} parameter, computed from the snapshot, so the plan and the incident
 *       timeline say what the action will do.
 *   <li>Actuators: {@value #SHED} lowers the {@link SendAdmission} limit to {@code shedFactor}
 *       times the acknowledged rate (what the node sustains, at least {@code minRate}); {@value
 *       #RESTORE} restores the configured limit when the offered rate has fallen below the lowered
 *       limit, else raises it by {@code restoreStep} (additive-increase, multiplicative-decrease
 *       in the manner of TCP, one step per incident).
 *   <li>Veto: none of its own; these actions cannot cost the Raft quorum or isolate the node.
 * </ul>
 *
 * <p>Meters: {@code meshd.heal.load.actions{action}} counts limit changes made by the actuators.
 * Sensor and detectors run on the loop thread; actuators on the loop's executor.
 */
public final class LoadHealing implements HealingModule {
  /** Lowers the admission limit; parameter {@value #RATE}. */
  public static final String SHED = "shed-load";
  /** Raises or restores the admission limit; parameter {@value #RATE} or {@value #BASE}. */
  public static final String RESTORE = "restore-load";
  static final String RATE = "rate";
  static final String BASE = "base";

  private final LoadHealingSettings settings;
  private final SendAdmission admission;
  private final LoadSensor sensor;
  private final OverloadDetector overload;
  private final ShedActiveDetector shedActive;
  private final Counter sheds;
  private final Counter restores;

  public LoadHealing(LoadHealingSettings settings, SendAdmission admission,
      MeterRegistry registry) {
    this.settings = settings;
    this.admission = admission;
    this.sensor = new LoadSensor(admission, registry, settings.window());
    this.overload = new OverloadDetector(settings);
    this.shedActive = new ShedActiveDetector(settings, overload::overloaded);
    this.sheds = counter(registry, SHED);
    this.restores = counter(registry, RESTORE);
  }

  /** The module of a node: its admission controller and registry, {@code mapek.load}. */
  public static LoadHealing forNode(NodeConfig config, LocalNode local, Container container) {
    return new LoadHealing(LoadHealingSettings.of(config.mapek().load()),
        container.get(SendAdmission.class),
        container.get(PrometheusMeterRegistry.class));
  }

  @Override
  public String name() {
    return "load";
  }

  @Override
  public List<Sensor> sensors() {
    return List.of(sensor);
  }

  @Override
  public List<Detector> detectors() {
    return List.of(overload, shedActive); // in this order: the second asks the first
  }

  @Override
  public List<Policy> policies() {
    return List.of(Policy.of("load-shed", this::proposeShed),
        Policy.of("load-restore", this::proposeRestore));
  }

  @Override
  public List<Actuator> actuators() {
    return List.of(
        new Actuator(SHED, this::shed, Duration.ofSeconds(1), settings.shedCooldown(),
            settings.shedVerifyWindow()),
        new Actuator(RESTORE, this::restore, Duration.ofSeconds(1), Duration.ZERO,
            settings.restoreVerifyWindow()));
  }

  // ---- policies (loop thread) ----

  private List<Candidate> proposeShed(Diagnosis diagnosis, Snapshot snapshot) {
    if (!diagnosis.kind().equals(OverloadDetector.KIND)) {
      return List.of();
    }
    double acked = local(snapshot, LoadSensor.DELIVERED_RATE, 0);
    double limit = local(snapshot, LoadSensor.LIMIT, SendAdmission.UNLIMITED);
    double sustained = Math.min(limit, acked);
    double target = Math.max(settings.minRate(), settings.shedFactor() * sustained);
    return List.of(new Candidate(
        new Action(SHED, LOCAL, Map.of(RATE, String.format(Locale.ROOT, "%.3f", target))), 70,
        String.format(Locale.ROOT, "%.1f sends/s acknowledged over the last %d ms; admit %.1f/s"
                + " (%.0f%% of that, at least %.1f/s) so the backlog drains", acked,
            settings.window().toMillis(), target, settings.shedFactor() * 100,
            settings.minRate())));
  }

  private List<Candidate> proposeRestore(Diagnosis diagnosis, Snapshot snapshot) {
    if (!diagnosis.kind().equals(ShedActiveDetector.KIND)) {
      return List.of();
    }
    double limit = local(snapshot, LoadSensor.LIMIT, SendAdmission.UNLIMITED);
    double offered = local(snapshot, LoadSensor.OFFERED_RATE, 0);
    double next = limit * settings.restoreStep();
    boolean full = offered <= limit * settings.restoreSlack() || next >= admission.baseLimit();
    String rate = full ? BASE : String.format(Locale.ROOT, "%.3f", next);
    String why = offered <= limit * settings.restoreSlack()
        ? String.format(Locale.ROOT, "offered %.1f/s is within %.0f%% of the %.1f/s limit: load"
            + " dropped, restore the configured limit", offered, settings.restoreSlack() * 100,
            limit)
        : String.format(Locale.ROOT, "offered %.1f/s still exceeds the %.1f/s limit: step up to"
            + " %s", offered, limit, full ? "the configured limit" : rate + "/s");
    return List.of(new Candidate(new Action(RESTORE, LOCAL, Map.of(RATE, rate)), 50, why));
  }

  // ---- actuators (loop executor) ----

  private CompletionStage<Void> shed(Action action) {
    try {
      admission.limit(rate(action));
      sheds.increment();
      return CompletableFuture.completedFuture(null);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private CompletionStage<Void> restore(Action action) {
    try {
      if (BASE.equals(action.params().get(RATE))) {
        admission.restore();
      } else {
        admission.limit(rate(action));
      }
      restores.increment();
      return CompletableFuture.completedFuture(null);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private static double rate(Action action) {
    String text = action.params().get(RATE);
    try {
      return Double.parseDouble(text);
    } catch (NullPointerException | NumberFormatException e) {
      throw new IllegalArgumentException(action.key() + ": parameter " + RATE
          + " must be a number of messages per second, got '" + text + "'");
    }
  }

  private static double local(Snapshot snapshot, String metric, double otherwise) {
    return snapshot.value(metric, LOCAL).orElse(otherwise);
  }

  private static Counter counter(MeterRegistry registry, String action) {
    return Counter.builder("meshd.heal.load.actions")
        .description("Admission limit changes made by the load healing actuators")
        .tag("action", action)
        .register(registry);
  }
}
