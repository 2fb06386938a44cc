package dev.x0tta6bl4.node.heal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.x0tta6bl4.mapek.Action;
import dev.x0tta6bl4.mapek.ActionVeto;
import dev.x0tta6bl4.mapek.Actuator;
import dev.x0tta6bl4.mapek.Candidate;
import dev.x0tta6bl4.mapek.Detection;
import dev.x0tta6bl4.mapek.Detector;
import dev.x0tta6bl4.mapek.IncidentState;
import dev.x0tta6bl4.mapek.IncidentView;
import dev.x0tta6bl4.mapek.Plan;
import dev.x0tta6bl4.mapek.Policy;
import dev.x0tta6bl4.mapek.Reading;
import dev.x0tta6bl4.mapek.Sensor;
import dev.x0tta6bl4.mapek.Severity;
import dev.x0tta6bl4.mapek.TimelineEvent;
import dev.x0tta6bl4.node.config.NodeConfig;
import dev.x0tta6bl4.observability.MeshdMetrics;
import dev.x0tta6bl4.observability.Tracing;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node's loop host on its own ticking thread: a toy module whose fault the test switches on
 * and whose action clears it, so detection, action, verification, the journal across a restart,
 * the combined veto and the spans are seen end to end.
 */
class HealingComponentTest {
  @TempDir Path stateDir;

  private final PrometheusMeterRegistry registry = MeshdMetrics.create("test");
  private final AtomicBoolean fault = new AtomicBoolean();
  private final AtomicInteger repairs = new AtomicInteger();
  private HealingComponent component;

  @AfterEach
  void close() {
    if (component != null) {
      component.close();
    }
    registry.close();
  }

  /** A fault the test raises; {@code repair} clears it. */
  private HealingModule toyModule(ActionVeto veto) {
    return new HealingModule() {
      @Override
      public String name() {
        return "toy";
      }

      @Override
      public List<Sensor> sensors() {
        return List.of(Sensor.of("toy", () ->
            List.of(new Reading("toy.broken", LOCAL, fault.get() ? 1 : 0))));
      }

      @Override
      public List<Detector> detectors() {
        return List.of(Detector.of("toy", s -> s.value("toy.broken", LOCAL).orElse(0) > 0
            ? List.of(Detection.of("toy-broken", LOCAL, Severity.WARNING, "toy.broken is 1"))
            : List.of()));
      }

      @Override
      public List<Policy> policies() {
        return List.of(Policy.of("toy", (d, s) ->
            List.of(new Candidate(Action.of("repair", d.subject()), 50, "repair fixes it"))));
      }

      @Override
      public List<Actuator> actuators() {
        return List.of(Actuator.of("repair", a -> {
          repairs.incrementAndGet();
          fault.set(false);
          return CompletableFuture.completedFuture(null);
        }).withCooldown(Duration.ZERO).withVerifyWindow(Duration.ofSeconds(5)));
      }

      @Override
      public ActionVeto veto() {
        return veto;
      }
    };
  }

  private HealingComponent start(NodeConfig.MapekMode mode, ActionVeto veto, Tracing tracing) {
    NodeConfig.Mapek config = NodeConfig.Mapek.defaults().withMode(mode)
        .withTickInterval(Duration.ofMillis(10));
    component = new HealingComponent(config, "n1", stateDir, List.of(toyModule(veto)), registry,
        Clock.systemUTC(), tracing);
    component.start();
    return component;
  }

  private static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
  }

  private static List<TimelineEvent.Type> events(IncidentView incident) {
    return incident.timeline().stream().map(TimelineEvent::type).toList();
  }

  @Test
  void watchdog_aBlockingSensorIsReportedOnceWithTheTickThreadsStack_andTheResumeNoted() {
    ch.qos.logback.classic.Logger componentLog =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(HealingComponent.class);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged =
        new ch.qos.logback.core.read.ListAppender<>();
    logged.start();
    componentLog.addAppender(logged);
    ch.qos.logback.classic.Level level = componentLog.getLevel();
    componentLog.setLevel(ch.qos.logback.classic.Level.INFO); // the resume note is INFO
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    AtomicBoolean block = new AtomicBoolean();
    HealingModule blocking = new HealingModule() {
      @Override
      public String name() {
        return "blocking";
      }

      @Override
      public List<Sensor> sensors() {
        return List.of(Sensor.of("stuck", () -> {
          if (block.get()) {
            awaitRelease(release);
          }
          return List.of();
        }));
      }
    };
    try {
      component = new HealingComponent(NodeConfig.Mapek.defaults()
          .withTickInterval(Duration.ofMillis(10)), "n1", stateDir, List.of(blocking), registry,
          Clock.systemUTC(), Tracing.off());
      assertThat(HealingComponent.stallAfter(Duration.ofMillis(10))).isEqualTo(Duration.ofSeconds(1));
      assertThat(HealingComponent.stallAfter(Duration.ofMillis(250)))
          .isEqualTo(Duration.ofSeconds(5));
      component.start();
      block.set(true);

      await("the stall report", () -> messages(logged).stream()
          .anyMatch(m -> m.startsWith("self-healing loop stalled")));
      String report = messages(logged).stream()
          .filter(m -> m.startsWith("self-healing loop stalled")).findFirst().orElseThrow();
      assertThat(report).contains("tick_thread=meshd-mapek-1").contains("awaitRelease");

      release.countDown();
      await("the resume note", () -> messages(logged).contains("self-healing loop ticking again"));
      assertThat(messages(logged)).filteredOn(m -> m.startsWith("self-healing loop stalled"))
          .hasSize(1);
    } finally {
      release.countDown();
      componentLog.detachAppender(logged);
      componentLog.setLevel(level);
    }
  }

  private static void awaitRelease(java.util.concurrent.CountDownLatch release) {
    try {
      release.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static List<String> messages(
      ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged) {
    return List.copyOf(logged.list).stream()
        .map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage).toList();
  }

  @Test
  void alert_isTheNodesOwnActuator_countedByTheDeclaredKind_otherwiseAsOther() {
    HealingModule alerting = new HealingModule() {
      @Override
      public String name() {
        return "alerting";
      }

      @Override
      public List<Detector> detectors() {
        return List.of(Detector.of("toy", s -> fault.get()
            ? List.of(Detection.of("toy-broken", LOCAL, Severity.WARNING, "toy.broken is 1"),
                Detection.of("toy-undeclared", LOCAL, Severity.WARNING, "not declared"))
            : List.of()));
      }

      @Override
      public List<Policy> policies() {
        return List.of(Policy.of("toy", (d, s) -> List.of(Alerts.candidate(d, 50, "tell"))));
      }

      @Override
      public Set<String> alertKinds() {
        return Set.of("toy-broken");
      }
    };
    component = new HealingComponent(NodeConfig.Mapek.defaults()
        .withTickInterval(Duration.ofMillis(10)), "n1", stateDir, List.of(alerting), registry,
        Clock.systemUTC(), Tracing.off());
    component.start();
    assertThat(registry.scrape()).contains("meshd_heal_alerts_total{kind=\"toy-broken\"} 0.0")
        .contains("meshd_heal_alerts_total{kind=\"other\"} 0.0");

    fault.set(true);

    await("both alerts", () -> registry.scrape()
        .contains("meshd_heal_alerts_total{kind=\"toy-broken\"} 1.0")
        && registry.scrape().contains("meshd_heal_alerts_total{kind=\"other\"} 1.0"));
    // The loop counts the outcome when it sees the handler's stage complete, a tick later.
    await("the alert actions to succeed", () -> registry.scrape()
        .contains("meshd_mapek_actions_total{action=\"alert\",outcome=\"succeeded\"} 2.0"));
  }

  @Test
  void auto_faultDetectedActedOnVerifiedAndResolved_andJournalShowsItAfterRestart() {
    start(NodeConfig.MapekMode.AUTO, ActionVeto.allowAll(), Tracing.off());
    fault.set(true);

    await("the incident to resolve", () -> component.incidents().stream()
        .anyMatch(i -> i.state() == IncidentState.RESOLVED));

    IncidentView incident = component.incidents().get(0);
    assertThat(incident.kind()).isEqualTo("toy-broken");
    assertThat(events(incident)).containsSubsequence(TimelineEvent.Type.DETECTED,
        TimelineEvent.Type.PLANNED, TimelineEvent.Type.ACTION_STARTED,
        TimelineEvent.Type.ACTION_SUCCEEDED, TimelineEvent.Type.VERIFIED,
        TimelineEvent.Type.RESOLVED);
    assertThat(repairs).hasValue(1);
    assertThat(component.mode()).isEqualTo("auto");
    assertThat(registry.scrape()).contains("meshd_mapek_ticks_total{mode=\"auto\"")
        .contains("meshd_mapek_actions_total{action=\"repair\",outcome=\"verified\"} 1.0");
    assertThat(stateDir.resolve("mapek")).isDirectory();

    component.close();
    registry.clear();
    HealingComponent restarted = new HealingComponent(NodeConfig.Mapek.defaults()
        .withTickInterval(Duration.ofMillis(10)), "n1", stateDir,
        List.of(toyModule(ActionVeto.allowAll())), registry, Clock.systemUTC(), Tracing.off());
    component = restarted;
    restarted.start();

    assertThat(restarted.incidents()).singleElement().satisfies(i -> {
      assertThat(i.id()).isEqualTo(incident.id());
      assertThat(i.state()).isEqualTo(IncidentState.RESOLVED);
      assertThat(events(i)).contains(TimelineEvent.Type.VERIFIED);
    });
  }

  @Test
  void advise_plansButNeverActs() {
    start(NodeConfig.MapekMode.ADVISE, ActionVeto.allowAll(), Tracing.off());
    fault.set(true);

    await("an advised plan", () -> component.incidents().stream()
        .anyMatch(i -> events(i).contains(TimelineEvent.Type.ADVISED)));
    // Many more ticks pass: advice is never acted on.
    long ticks = component.loop().orElseThrow().lastPlan().orElseThrow().tick();
    await("20 more ticks", () -> component.loop().orElseThrow().lastPlan().orElseThrow().tick()
        > ticks + 20);

    assertThat(repairs).hasValue(0);
    assertThat(fault).isTrue();
    assertThat(component.mode()).isEqualTo("advise");
    assertThat(component.incidents()).singleElement()
        .satisfies(i -> assertThat(i.open()).isTrue());
  }

  @Test
  void veto_ofAModule_refusesTheActionNamingTheModule() {
    start(NodeConfig.MapekMode.AUTO,
        (action, snapshot, inFlight) -> Optional.of("would isolate the node"), Tracing.off());
    fault.set(true);

    await("a vetoed plan", () -> component.loop().orElseThrow().lastPlan()
        .map(p -> !p.rejected().isEmpty()).orElse(false));

    Plan.Rejection rejection =
        component.loop().orElseThrow().lastPlan().orElseThrow().rejected().get(0);
    assertThat(rejection.rule()).isEqualTo(Plan.VETO);
    assertThat(rejection.detail()).contains("toy: would isolate the node");
    assertThat(repairs).hasValue(0);
  }

  @Test
  void off_buildsNothing() throws Exception {
    start(NodeConfig.MapekMode.OFF, ActionVeto.allowAll(), Tracing.off());
    fault.set(true);

    assertThat(component.loop()).isEmpty();
    assertThat(component.mode()).isEqualTo("off");
    assertThat(component.incidents()).isEmpty();
    assertThat(Files.exists(stateDir.resolve("mapek"))).isFalse();
    assertThat(registry.scrape()).doesNotContain("meshd_mapek_ticks_total");
  }

  @Test
  void tracing_aTickThatActsIsASpanWithItsActionAsChild_quietTicksAreNotRecorded() {
    InMemorySpanExporter exporter = InMemorySpanExporter.create();
    try (Tracing tracing = Tracing.builder().exporter(exporter).instanceId("n1")
        .scheduleDelay(Duration.ofMillis(10)).build()) {
      start(NodeConfig.MapekMode.AUTO, ActionVeto.allowAll(), tracing);
      await("quiet ticks", () -> registry.find("meshd.mapek.ticks").counter() != null
          && registry.find("meshd.mapek.ticks").counter().count() > 10);
      tracing.flush(Duration.ofSeconds(5));
      assertThat(exporter.getFinishedSpanItems()).as("spans of quiet ticks").isEmpty();

      fault.set(true);
      await("the action span", () -> {
        tracing.flush(Duration.ofSeconds(5));
        return exporter.getFinishedSpanItems().stream()
            .anyMatch(s -> s.getName().equals("meshd.mapek.action"));
      });

      List<SpanData> spans = exporter.getFinishedSpanItems();
      SpanData tick = spans.stream().filter(s -> s.getName().equals("meshd.mapek.tick"))
          .findFirst().orElseThrow();
      SpanData action = spans.stream().filter(s -> s.getName().equals("meshd.mapek.action"))
          .findFirst().orElseThrow();
      assertThat(action.getTraceId()).isEqualTo(tick.getTraceId());
      assertThat(action.getParentSpanId()).isEqualTo(tick.getSpanId());
      assertThat(action.getAttributes().asMap().toString()).contains("mapek.action=repair");
      assertThat(tick.getAttributes().asMap().toString()).contains("mapek.actions_planned=1");
    }
  }
}
