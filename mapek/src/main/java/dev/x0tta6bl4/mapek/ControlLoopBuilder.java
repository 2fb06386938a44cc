package dev.x0tta6bl4.mapek;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;

/**
 * Builds a {@link ControlLoop}; every argument is checked and a bad one named. Clock, executor,
 * meter registry and knowledge are required.
 */
public final class ControlLoopBuilder {
  Clock clock;
  LongSupplier nanoTime = System::nanoTime;
  Executor executor;
  MeterRegistry registry;
  KnowledgeBase knowledge;
  final List<Sensor> sensors = new ArrayList<>();
  final List<Detector> detectors = new ArrayList<>();
  Correlator correlator = Correlator.none();
  final List<Policy> policies = new ArrayList<>();
  final Map<String, Actuator> actuators = new HashMap<>();
  ActionVeto veto = ActionVeto.allowAll();
  FeatureEncoder encoder;
  Mode mode = Mode.AUTO;
  int maxConcurrent = 4;
  int rateLimit = 20;
  Duration rateWindow = Duration.ofMinutes(1);
  int maxAttempts = 3;
  int clearTicks = 1;
  int recentCapacity = 100;
  double statsWeight = 0.5;
  double recallWeight = 0.3;
  int recallK = 10;

  ControlLoopBuilder() {}

  public ControlLoopBuilder clock(Clock value) {
    this.clock = Objects.requireNonNull(value, "clock");
    return this;
  }

  /** Source of nanoseconds for phase timings (default {@link System#nanoTime}). */
  public ControlLoopBuilder nanoTime(LongSupplier value) {
    this.nanoTime = Objects.requireNonNull(value, "nanoTime");
    return this;
  }

  /** Where actions run; a pool lets independent actions run in parallel. */
  public ControlLoopBuilder executor(Executor value) {
    this.executor = Objects.requireNonNull(value, "executor");
    return this;
  }

  public ControlLoopBuilder meterRegistry(MeterRegistry value) {
    this.registry = Objects.requireNonNull(value, "meterRegistry");
    return this;
  }

  public ControlLoopBuilder knowledge(KnowledgeBase value) {
    this.knowledge = Objects.requireNonNull(value, "knowledge");
    return this;
  }

  public ControlLoopBuilder sensor(Sensor value) {
    sensors.add(Objects.requireNonNull(value, "sensor"));
    return this;
  }

  public ControlLoopBuilder detector(Detector value) {
    detectors.add(Objects.requireNonNull(value, "detector"));
    return this;
  }

  public ControlLoopBuilder correlator(Correlator value) {
    this.correlator = Objects.requireNonNull(value, "correlator");
    return this;
  }

  public ControlLoopBuilder policy(Policy value) {
    policies.add(Objects.requireNonNull(value, "policy"));
    return this;
  }

  public ControlLoopBuilder actuator(Actuator value) {
    Objects.requireNonNull(value, "actuator");
    if (actuators.putIfAbsent(value.kind(), value) != null) {
      throw new MapekException("actuator kind '" + value.kind() + "' registered twice");
    }
    return this;
  }

  /** The node's veto (quorum, isolation); default allows everything. */
  public ControlLoopBuilder veto(ActionVeto value) {
    this.veto = Objects.requireNonNull(value, "veto");
    return this;
  }

  /** Default: {@link HashingFeatureEncoder} with the knowledge base's dimensions. */
  public ControlLoopBuilder featureEncoder(FeatureEncoder value) {
    this.encoder = Objects.requireNonNull(value, "featureEncoder");
    return this;
  }

  /** Default {@link Mode#AUTO}. */
  public ControlLoopBuilder mode(Mode value) {
    this.mode = Objects.requireNonNull(value, "mode");
    return this;
  }

  /** At most this many actions run at once (default 4). */
  public ControlLoopBuilder maxConcurrentActions(int value) {
    this.maxConcurrent = atLeast("max-concurrent-actions", value, 1);
    return this;
  }

  /** At most {@code count} action starts within any {@code window} (default 20 per minute). */
  public ControlLoopBuilder rateLimit(int count, Duration window) {
    this.rateLimit = atLeast("rate-limit count", count, 1);
    if (window == null || window.isZero() || window.isNegative()) {
      throw new MapekException("rate-limit window must be positive, got " + window);
    }
    this.rateWindow = window;
    return this;
  }

  /** Failed attempts after which an incident is escalated instead of acted on (default 3). */
  public ControlLoopBuilder maxAttempts(int value) {
    this.maxAttempts = atLeast("max-attempts", value, 1);
    return this;
  }

  /** Ticks a diagnosis must be absent before its incident is resolved (default 1). */
  public ControlLoopBuilder clearTicks(int value) {
    this.clearTicks = atLeast("clear-ticks", value, 1);
    return this;
  }

  /** Resolved incidents kept for {@link ControlLoop#incidents()} (default 100). */
  public ControlLoopBuilder recentIncidents(int value) {
    this.recentCapacity = atLeast("recent-incidents", value, 0);
    return this;
  }

  /**
   * How much knowledge moves a candidate's score (defaults 0.5 for statistics, 0.3 for
   * recall over the {@code k} = 10 nearest past outcomes).
   */
  public ControlLoopBuilder knowledgeWeights(double stats, double recall, int k) {
    if (!(stats >= 0) || !(recall >= 0)) {
      throw new MapekException("knowledge weights must be >= 0, got " + stats + ", " + recall);
    }
    this.statsWeight = stats;
    this.recallWeight = recall;
    this.recallK = atLeast("recall k", k, 1);
    return this;
  }

  public ControlLoop build() {
    require(clock, "clock");
    require(executor, "executor");
    require(registry, "meterRegistry");
    require(knowledge, "knowledge");
    return new ControlLoop(this);
  }

  private static int atLeast(String name, int value, int min) {
    if (value < min) {
      throw new MapekException(name + " must be at least " + min + ", got " + value);
    }
    return value;
  }

  private static void require(Object value, String name) {
    if (value == null) {
      throw new MapekException("control loop needs a " + name);
    }
  }
}
