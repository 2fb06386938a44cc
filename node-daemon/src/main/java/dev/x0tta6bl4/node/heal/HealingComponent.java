package dev.x0tta6bl4.node.heal;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.x0tta6bl4.mapek.ActionHandler;
import dev.x0tta6bl4.mapek.ActionVeto;
import dev.x0tta6bl4.mapek.Actuator;
import dev.x0tta6bl4.mapek.ControlLoop;
import dev.x0tta6bl4.mapek.ControlLoopBuilder;
import dev.x0tta6bl4.mapek.IncidentState;
import dev.x0tta6bl4.mapek.IncidentView;
import dev.x0tta6bl4.mapek.JournalRecord;
import dev.x0tta6bl4.mapek.KnowledgeBase;
import dev.x0tta6bl4.mapek.Mode;
import dev.x0tta6bl4.mapek.NeighbourhoodCorrelator;
import dev.x0tta6bl4.mapek.TickReport;
import dev.x0tta6bl4.node.api.IncidentSource;
import dev.x0tta6bl4.node.config.NodeConfig;
import dev.x0tta6bl4.node.wiring.Component;
import dev.x0tta6bl4.observability.TracedSpan;
import dev.x0tta6bl4.observability.Tracing;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.SpanKind;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's self-healing loop (DESIGN.md section 8): one {@link ControlLoop} over every {@link
 * HealingModule}, ticked every {@code mapek.tick-interval} on its own thread, so a slow
 * housekeeping task on the node's scheduler never delays detection. Actions run on a small pool
 * of their own ({@code mapek.max-concurrent-actions} threads). Knowledge is journaled under
 * {@code mapek.journal-dir}, so learned outcomes and closed incidents survive a restart.
 *
 * <p>With {@code mapek.mode: off} nothing is built: no thread, no journal, no meters.
 *
 * <p>Tracing: a tick that planned something (an action started or advised) is recorded as a
 * {@code meshd.mapek.tick} span, with one {@code meshd.mapek.action} child per action from its
 * start to its completion. The tick span is started before every tick but ended only when the
 * tick planned; a span that is never ended is never exported, so quiet ticks cost nothing in the
 * trace backend.
 */
public final class HealingComponent implements Component, IncidentSource {
  private static final Logger log = LoggerFactory.getLogger(HealingComponent.class);

  /** Length of incident feature vectors (the journal keeps them; changing it forgets recall). */
  static final int FEATURE_DIMENSIONS = 32;
  /** Link symptoms that must touch one node before the correlator names that node. */
  static final int CORRELATION_MIN_LINKS = 3;

  private final NodeConfig.Mapek config;
  private final String localNodeId;
  private final Path journalDir;
  private final List<HealingModule> modules;
  private final MeterRegistry registry;
  private final Clock clock;
  private final Tracing tracing;
  /** The current tick's span, read on the loop thread when an action is handed over. */
  private String tickTraceparent;
  /** The span of the tick that started the action running on this thread. */
  private final ThreadLocal<String> actionParent = new ThreadLocal<>();

  private volatile KnowledgeBase knowledge;
  private volatile ControlLoop loop;
  private ScheduledExecutorService ticker;
  private ExecutorService actions;
  private ScheduledFuture<?> ticking;
  private ScheduledExecutorService watchdog;
  /** The tick thread and when its last tick ended (System.nanoTime), for the watchdog. */
  private volatile Thread tickThread;
  private volatile long lastTickEnded;
  private boolean stallReported; // the watchdog thread's own
  private boolean closed;

  /**
   * @param config the {@code mapek} section
   * @param localNodeId this node's id (the correlator's "local node")
   * @param stateDir the node's state directory (default home of the journal)
   * @param modules every area's sensors, detectors, policies, actuators and veto
   */
  public HealingComponent(NodeConfig.Mapek config, String localNodeId, Path stateDir,
      List<HealingModule> modules, MeterRegistry registry, Clock clock, Tracing tracing) {
    this.config = Objects.requireNonNull(config, "config");
    this.localNodeId = Objects.requireNonNull(localNodeId, "localNodeId");
    this.journalDir = config.journalDirIn(Objects.requireNonNull(stateDir, "stateDir"));
    this.modules = List.copyOf(modules);
    this.registry = Objects.requireNonNull(registry, "registry");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.tracing = Objects.requireNonNull(tracing, "tracing");
  }

  @Override
  public synchronized void start() {
    if (config.mode() == NodeConfig.MapekMode.OFF) {
      log.info("self-healing loop off (mapek.mode: off)");
      return;
    }
    knowledge = KnowledgeBase.open(new KnowledgeBase.Config(journalDir,
        config.journalSegmentSize().bytes(), config.journalMaxSegments(), true,
        FEATURE_DIMENSIONS, 200_000, config.recentIncidents()));
    actions = Executors.newFixedThreadPool(config.maxConcurrentActions(),
        daemonThreads("meshd-mapek-action-"));
    try {
      loop = buildLoop();
    } catch (RuntimeException e) {
      actions.shutdownNow();
      knowledge.close();
      throw e;
    }
    ticker = Executors.newSingleThreadScheduledExecutor(daemonThreads("meshd-mapek-"));
    long period = config.tickInterval().toNanos();
    lastTickEnded = System.nanoTime();
    ticking = ticker.scheduleWithFixedDelay(this::tickOnce, period, period,
        TimeUnit.NANOSECONDS);
    long stall = stallAfter(config.tickInterval()).toNanos();
    watchdog = Executors.newSingleThreadScheduledExecutor(daemonThreads("meshd-mapek-watchdog-"));
    watchdog.scheduleWithFixedDelay(() -> checkStall(stall), stall / 2, stall / 2,
        TimeUnit.NANOSECONDS);
    List<String> names = modules.stream().map(HealingModule::name).toList();
    log.info("self-healing loop started {} {} {}", kv("mode", loop.mode().label()),
        kv("tick_interval_ms", config.tickInterval().toMillis()), kv("modules", names));
  }

  private ControlLoop buildLoop() {
    ControlLoopBuilder builder = ControlLoop.builder()
        .clock(clock)
        .executor(tracing.enabled() ? this::executeUnderTick : actions)
        .meterRegistry(registry)
        .knowledge(knowledge)
        .mode(Mode.parse(config.mode().name()))
        .maxConcurrentActions(config.maxConcurrentActions())
        .rateLimit(config.rateLimit(), config.rateWindow())
        .maxAttempts(config.maxAttempts())
        .clearTicks(config.clearTicks())
        .recentIncidents(config.recentIncidents());
    UnaryOperator<Actuator> traced = a ->
        new Actuator(a.kind(), traced(a.handler()), a.timeout(), a.cooldown(), a.verifyWindow());
    return assemble(builder, modules, localNodeId, CORRELATION_MIN_LINKS, registry, traced)
        .build();
  }

  /**
   * Adds every module to {@code builder} the way a node's loop has them: their sensors,
   * detectors, policies and actuators (each actuator through {@code wrap}); the node's one
   * {@link Alerts alert} actuator for every module's {@link HealingModule#alertKinds()}; a
   * {@link NeighbourhoodCorrelator} over every module's link symptoms that names a node touched by
   * {@code correlateMinLinks} of them (none if 0); and the combined veto, whose refusal names the
   * module.
   * Tests build their loops with it too, so they run the node's composition.
   */
  static ControlLoopBuilder assemble(ControlLoopBuilder builder, List<HealingModule> modules,
      String localNodeId, int correlateMinLinks, MeterRegistry registry,
      UnaryOperator<Actuator> wrap) {
    Set<String> linkKinds = new HashSet<>();
    Set<String> alertKinds = new HashSet<>();
    List<ActionVeto> vetoes = new ArrayList<>();
    for (HealingModule module : modules) {
      module.sensors().forEach(builder::sensor);
      module.detectors().forEach(builder::detector);
      module.policies().forEach(builder::policy);
      module.actuators().forEach(actuator -> builder.actuator(wrap.apply(actuator)));
      linkKinds.addAll(module.linkSymptomKinds());
      alertKinds.addAll(module.alertKinds());
      ActionVeto veto = module.veto();
      String name = module.name();
      vetoes.add((action, snapshot, inFlight) ->
          veto.veto(action, snapshot, inFlight).map(reason -> name + ": " + reason));
    }
    builder.actuator(wrap.apply(new Alerts(registry, alertKinds).actuator(Alerts.COOLDOWN)));
    if (!linkKinds.isEmpty() && correlateMinLinks > 0) {
      builder.correlator(new NeighbourhoodCorrelator(localNodeId, linkKinds, correlateMinLinks));
    }
    builder.veto(firstRefusal(vetoes));
    return builder;
  }

  /** Every module's veto in order; the first refusal wins (a throwing veto refuses, too). */
  static ActionVeto firstRefusal(List<ActionVeto> vetoes) {
    List<ActionVeto> all = List.copyOf(vetoes);
    return (action, snapshot, inFlight) -> {
      for (ActionVeto veto : all) {
        Optional<String> reason = veto.veto(action, snapshot, inFlight);
        if (reason.isPresent()) {
          return reason;
        }
      }
      return Optional.empty();
    };
  }

  /** How long without a finished tick the watchdog reports a stall: 20 ticks, at least 1 s. */
  static Duration stallAfter(Duration tickInterval) {
    Duration twenty = tickInterval.multipliedBy(20);
    return twenty.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : twenty;
  }

  /**
   * Runs on the watchdog thread. A sensor, detector or policy that blocks (against the module
   * contract) stops the loop without any error of its own; this names the stall once, with the
   * tick thread's stack so the culprit is visible, and notes when ticks resume. Prometheus sees
   * the same as {@code meshd_mapek_ticks_total} no longer increasing (alert MeshdHealingLoopStalled).
   */
  private void checkStall(long stallNanos) {
    long since = System.nanoTime() - lastTickEnded;
    if (since >= stallNanos && !stallReported) {
      stallReported = true;
      Thread t = tickThread;
      StringBuilder stack = new StringBuilder();
      if (t != null) {
        for (StackTraceElement e : t.getStackTrace()) {
          stack.append("\n\tat ").append(e);
        }
      }
      log.error("self-healing loop stalled {} {}{}",
          kv("stalled_ms", TimeUnit.NANOSECONDS.toMillis(since)),
          kv("tick_thread", t == null ? "none" : t.getName()), stack);
    } else if (since < stallNanos && stallReported) {
      stallReported = false;
      log.info("self-healing loop ticking again");
    }
  }

  private void tickOnce() {
    tickThread = Thread.currentThread();
    try {
      tickTraced();
    } finally {
      lastTickEnded = System.nanoTime();
    }
  }

  private void tickTraced() {
    TracedSpan span = tracing.startSpan("meshd.mapek.tick", SpanKind.INTERNAL, null);
    tickTraceparent = span.recording() ? span.traceparent() : null;
    try {
      TickReport report = loop.tick();
      int planned = report.planIfMade().map(p -> p.approved().size()).orElse(0);
      if (planned > 0) {
        span.attribute("mapek.mode", report.mode().label())
            .attribute("mapek.tick", report.tick())
            .attribute("mapek.diagnoses", report.diagnoses().size())
            .attribute("mapek.actions_planned", planned);
        span.end();
      }
    } catch (RuntimeException | Error e) {
      // The loop contains its components' failures; reaching here is a bug in the loop itself.
      // Keep ticking: a node that stops healing silently is worse than one that logs each tick.
      log.error("self-healing tick failed", e);
    }
  }

  /** Runs an action on the pool, remembering the tick that started it (called in the tick). */
  private void executeUnderTick(Runnable task) {
    String parent = tickTraceparent;
    actions.execute(() -> {
      actionParent.set(parent);
      try {
        task.run();
      } finally {
        actionParent.remove();
      }
    });
  }

  /** {@code handler}, recorded as a {@code meshd.mapek.action} span under the planning tick. */
  private ActionHandler traced(ActionHandler handler) {
    if (!tracing.enabled()) {
      return handler;
    }
    return action -> {
      TracedSpan span = tracing.startSpan("meshd.mapek.action", SpanKind.INTERNAL,
          actionParent.get());
      span.attribute("mapek.action", action.kind()).attribute("mapek.subject", action.subject());
      CompletionStage<Void> stage;
      try (TracedSpan.Activation ignored = span.activate()) {
        stage = handler.execute(action);
      } catch (RuntimeException e) {
        span.error(describe(e)).end();
        throw e;
      }
      // Return the handler's own stage: the loop cancels it on timeout.
      stage.whenComplete((ok, failure) -> {
        if (failure != null) {
          span.error(describe(failure));
        }
        span.end();
      });
      return stage;
    };
  }

  private static String describe(Throwable t) {
    return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
  }

  /** The running loop; empty when {@code mapek.mode} is off or before start. */
  public Optional<ControlLoop> loop() {
    return Optional.ofNullable(loop);
  }

  @Override
  public String mode() {
    ControlLoop current = loop;
    return current == null ? "off" : current.mode().label();
  }

  /**
   * The loop's incidents (open, then resolved since start), then incidents closed before this
   * start, from the journal, without their symptoms (the journal keeps the timeline only).
   */
  @Override
  public List<IncidentView> incidents() {
    ControlLoop current = loop;
    KnowledgeBase kb = knowledge;
    if (current == null || kb == null) {
      return List.of();
    }
    List<IncidentView> live = current.incidents();
    Set<Long> seen = new HashSet<>();
    live.forEach(i -> seen.add(i.id()));
    List<IncidentView> out = new ArrayList<>();
    for (JournalRecord.IncidentClosed c : kb.recentClosed()) {
      if (!seen.contains(c.incidentId())) {
        out.add(new IncidentView(c.incidentId(), c.kind(), c.subject(), IncidentState.RESOLVED,
            c.firstSeen(), c.detectedAt(), c.resolvedAt(), c.resolution(), List.of(),
            c.timeline()));
      }
    }
    List<IncidentView> open = live.stream().filter(IncidentView::open).toList();
    List<IncidentView> resolved = live.stream().filter(i -> !i.open()).toList();
    List<IncidentView> all = new ArrayList<>(open);
    all.addAll(out); // closed before this start: older than anything resolved since
    all.addAll(resolved);
    return List.copyOf(all);
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (ticking != null) {
      ticking.cancel(false);
    }
    if (watchdog != null) {
      watchdog.shutdownNow();
    }
    shutdown(ticker, "tick");
    shutdown(actions, "action");
    if (loop != null) {
      loop.close();
    }
    if (knowledge != null) {
      knowledge.close();
    }
  }

  private static void shutdown(ExecutorService executor, String what) {
    if (executor == null) {
      return;
    }
    executor.shutdownNow();
    try {
      if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
        log.warn("self-healing {} thread did not stop within 5 s", what);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static java.util.concurrent.ThreadFactory daemonThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread thread = new Thread(r, prefix + n.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  @Override
  public String toString() {
    return "HealingComponent{mode=" + mode() + ", modules="
        + modules.stream().map(HealingModule::name).toList() + '}';
  }
}
