package dev.x0tta6bl4.mapek;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControlLoopTest {
  private static final Duration TICK = Duration.ofMillis(250);

  private final FakeClock clock = new FakeClock();
  private final FakeLinks links = new FakeLinks(6);
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final KnowledgeBase knowledge = KnowledgeBase.inMemory(16, 10_000);
  private final List<Action> executed = new ArrayList<>();

  private ControlLoopBuilder loop() {
    return ControlLoop.builder()
        .clock(clock)
        .executor(Runnable::run)
        .meterRegistry(registry)
        .knowledge(knowledge)
        .sensor(links.sensor())
        .detector(FakeLinks.detector())
        .policy(FakeLinks.policy());
  }

  /** Records the action and heals the link. */
  private ActionHandler healing() {
    return a -> {
      executed.add(a);
      links.heal(a.subject());
      return CompletableFuture.completedFuture(null);
    };
  }

  /** Records the action, reports success, changes nothing. */
  private ActionHandler ineffective() {
    return a -> {
      executed.add(a);
      return CompletableFuture.completedFuture(null);
    };
  }

  private static Actuator actuator(String kind, ActionHandler h) {
    return Actuator.of(kind, h).withTimeout(Duration.ofSeconds(2))
        .withCooldown(Duration.ofSeconds(30)).withVerifyWindow(Duration.ofSeconds(1));
  }

  private TickReport tick(ControlLoop loop) {
    TickReport r = loop.tick();
    clock.advance(TICK);
    return r;
  }

  private static List<TimelineEvent.Type> types(IncidentView v) {
    return v.timeline().stream().map(TimelineEvent::type).toList();
  }

  private double counter(String name, String... tags) {
    return registry.get(name).tags(tags).counter().count();
  }

  @Test
  void tick_linkFault_detectsActsVerifiesAndResolvesWithTimeline() {
    ControlLoop loop = loop().actuator(actuator("reroute", healing()))
        .actuator(actuator("reconnect", healing())).build();
    tick(loop);
    assertThat(loop.incidents()).isEmpty();

    links.fault("peer-01");
    clock.advance(Duration.ofMillis(10));
    tick(loop);
    assertThat(executed).containsExactly(Action.of("reroute", "peer-01"));
    assertThat(loop.incidents()).singleElement()
        .satisfies(v -> assertThat(v.state()).isEqualTo(IncidentState.ACTING));

    tick(loop);
    IncidentView v = loop.incidents().get(0);
    assertThat(v.state()).isEqualTo(IncidentState.RESOLVED);
    assertThat(v.resolution()).isEqualTo("resolved by reroute/peer-01");
    assertThat(types(v)).containsExactly(TimelineEvent.Type.DETECTED, TimelineEvent.Type.PLANNED,
        TimelineEvent.Type.ACTION_STARTED, TimelineEvent.Type.ACTION_SUCCEEDED,
        TimelineEvent.Type.VERIFIED, TimelineEvent.Type.RESOLVED);
    assertThat(knowledge.stats("link-lossy", "reroute")).isEqualTo(new ActionStats(1, 0));
    assertThat(knowledge.recentClosed()).singleElement()
        .satisfies(c -> assertThat(c.resolution()).isEqualTo("resolved by reroute/peer-01"));

    assertThat(counter("meshd.mapek.actions", "action", "reroute", "outcome", "verified")).isEqualTo(1);
    assertThat(counter("meshd.mapek.incidents", "kind", "link-lossy", "state", "resolved")).isEqualTo(1);
    assertThat(registry.get("meshd.mapek.time.to.recover").tags("kind", "link-lossy").timer()
        .totalTime(java.util.concurrent.TimeUnit.MILLISECONDS)).isEqualTo(250);
    assertThat(registry.get("meshd.mapek.phase.duration").tags("phase", "monitor").timer().count())
        .isEqualTo(3);
    assertThat(registry.get("meshd.mapek.incidents.open").gauge().value()).isZero();
  }

  @Test
  void plan_sameActionAndSubjectWithinCooldown_refusedThenAllowedAfterCooldown() {
    ControlLoop loop = loop().actuator(actuator("reroute", healing()))
        .actuator(actuator("reconnect", healing())).build();
    links.fault("peer-01");
    tick(loop);
    tick(loop);
    assertThat(executed).containsExactly(Action.of("reroute", "peer-01"));

    links.fault("peer-01");
    TickReport r = tick(loop);
    assertThat(r.plan().rejected()).extracting(Plan.Rejection::rule).containsExactly(Plan.COOLDOWN);
    assertThat(r.plan().approved()).extracting(s -> s.candidate().action())
        .containsExactly(Action.of("reconnect", "peer-01"));
    tick(loop);

    clock.advance(Duration.ofSeconds(31));
    links.fault("peer-01");
    tick(loop);
    assertThat(executed).containsExactly(Action.of("reroute", "peer-01"),
        Action.of("reconnect", "peer-01"), Action.of("reroute", "peer-01"));
    assertThat(counter("meshd.mapek.plan.refusals", "rule", Plan.COOLDOWN)).isEqualTo(1);
  }

  @Test
  void plan_moreFaultsThanSlots_neverRunsMoreThanMaxConcurrent() {
    ControllableExecutor executor = new ControllableExecutor();
    List<CompletableFuture<Void>> inFlight = new ArrayList<>();
    ActionHandler slow = a -> {
      executed.add(a);
      CompletableFuture<Void> f = new CompletableFuture<>();
      inFlight.add(f);
      f.thenRun(() -> links.heal(a.subject()));
      return f;
    };
    ControlLoop loop = loop().executor(executor).maxConcurrentActions(2)
        .actuator(actuator("reroute", slow).withTimeout(Duration.ofMinutes(1))).build();
    for (int i = 0; i < 5; i++) {
      links.fault(FakeLinks.peer(i));
    }
    TickReport first = tick(loop);
    executor.runAll();
    assertThat(first.plan().approved()).hasSize(2);
    assertThat(first.plan().rejected()).extracting(Plan.Rejection::rule)
        .contains(Plan.MAX_CONCURRENT).doesNotContain(Plan.COOLDOWN, Plan.VETO);
    tick(loop);
    executor.runAll();
    assertThat(executed).hasSize(2);

    inFlight.get(0).complete(null);
    tick(loop);
    executor.runAll();
    assertThat(executed).hasSize(3);
    assertThat(inFlight.stream().filter(f -> !f.isDone()).count()).isEqualTo(2);
  }

  @Test
  void plan_rateLimitReached_defersActionsUntilWindowPasses() {
    ControlLoop loop = loop().rateLimit(2, Duration.ofMinutes(1)).maxConcurrentActions(10)
        .actuator(actuator("reroute", healing())).build();
    for (int i = 0; i < 4; i++) {
      links.fault(FakeLinks.peer(i));
    }
    TickReport r = tick(loop);
    assertThat(executed).hasSize(2);
    // reconnect has no actuator in this test: refused as such, and never run
    assertThat(r.plan().rejected()).extracting(Plan.Rejection::rule)
        .containsOnly(Plan.RATE_LIMIT, Plan.NO_ACTUATOR).contains(Plan.RATE_LIMIT);
    clock.advance(Duration.ofSeconds(30));
    tick(loop);
    assertThat(executed).hasSize(2);
    clock.advance(Duration.ofSeconds(30));
    tick(loop);
    assertThat(executed).hasSize(4);
  }

  @Test
  void plan_vetoedAction_neverStartsAndAlternativeIsUsed() {
    List<List<Action>> seenInFlight = new ArrayList<>();
    ActionVeto veto = (action, snapshot, inFlight) -> {
      seenInFlight.add(inFlight);
      return action.kind().equals("reroute") ? Optional.of("would isolate the node") : Optional.empty();
    };
    ControlLoop loop = loop().veto(veto).actuator(actuator("reroute", healing()))
        .actuator(actuator("reconnect", healing())).build();
    links.fault("peer-02");
    links.fault("peer-03");
    TickReport r = tick(loop);
    assertThat(executed).extracting(Action::kind).containsOnly("reconnect");
    assertThat(r.plan().rejected()).extracting(Plan.Rejection::rule, Plan.Rejection::detail)
        .containsOnly(org.assertj.core.groups.Tuple.tuple(Plan.VETO, "would isolate the node"));
    // the incident planned second had the first one's approved action in flight for its veto
    Action firstApproved = r.plan().approved().get(0).candidate().action();
    assertThat(seenInFlight).anySatisfy(f -> assertThat(f).containsExactly(firstApproved));
  }

  @Test
  void plan_vetoThatThrows_refusesAction() {
    ControlLoop loop = loop().veto((a, s, f) -> {
      throw new IllegalStateException("raft state unknown");
    }).actuator(actuator("reroute", healing())).build();
    links.fault("peer-01");
    TickReport r = tick(loop);
    assertThat(executed).isEmpty();
    assertThat(r.plan().rejected()).extracting(Plan.Rejection::rule)
        .containsExactly(Plan.VETO, Plan.NO_ACTUATOR);
    assertThat(loop.incidents().get(0).timeline()).extracting(TimelineEvent::type)
        .containsExactly(TimelineEvent.Type.DETECTED, TimelineEvent.Type.BLOCKED);
  }

  @Test
  void tick_adviseMode_plansAndLogsOnceButNeverActs() {
    ControlLoop loop = loop().mode(Mode.ADVISE).actuator(actuator("reroute", healing())).build();
    links.fault("peer-01");
    TickReport r = tick(loop);
    tick(loop);
    tick(loop);
    assertThat(executed).isEmpty();
    assertThat(r.plan().approved()).extracting(s -> s.candidate().action())
        .containsExactly(Action.of("reroute", "peer-01"));
    IncidentView v = loop.incidents().get(0);
    assertThat(v.state()).isEqualTo(IncidentState.OPEN);
    assertThat(types(v)).containsExactly(TimelineEvent.Type.DETECTED, TimelineEvent.Type.ADVISED);
    assertThat(counter("meshd.mapek.actions", "action", "reroute", "outcome", "advised")).isEqualTo(1);

    loop.mode(Mode.AUTO);
    tick(loop);
    assertThat(executed).containsExactly(Action.of("reroute", "peer-01"));
  }

  @Test
  void tick_adviseMode_rationaleWithLiveFiguresIsAdvisedOncePerAction() {
    java.util.concurrent.atomic.AtomicInteger rate = new java.util.concurrent.atomic.AtomicInteger();
    ControlLoop loop = ControlLoop.builder().clock(clock).executor(Runnable::run)
        .meterRegistry(registry).knowledge(knowledge).sensor(links.sensor())
        .detector(FakeLinks.detector()).mode(Mode.ADVISE)
        .policy(Policy.of("live", (d, s) -> List.of(new Candidate(Action.of("shed", d.subject()),
            60, "admit " + rate.incrementAndGet() + "/s"))))
        .policy(Policy.of("other", (d, s) -> rate.get() > 3
            ? List.of(new Candidate(Action.of("reroute", d.subject()), 90, "better")) : List.of()))
        .actuator(actuator("shed", healing())).actuator(actuator("reroute", healing())).build();
    links.fault("peer-01");

    for (int i = 0; i < 6; i++) {
      tick(loop);
    }

    IncidentView v = loop.incidents().get(0);
    assertThat(v.timeline()).filteredOn(e -> e.type() == TimelineEvent.Type.ADVISED)
        .extracting(TimelineEvent::detail)
        .satisfiesExactly(
            d -> assertThat(d).startsWith("advise shed/peer-01").endsWith("admit 1/s"),
            d -> assertThat(d).startsWith("advise reroute/peer-01"));
    assertThat(executed).isEmpty();
  }

  @Test
  void tick_offMode_readsNothingAndDoesNothing() {
    ControlLoop loop = loop().mode(Mode.OFF).actuator(actuator("reroute", healing())).build();
    links.fault("peer-01");
    TickReport r = tick(loop);
    assertThat(r.snapshotIfRead()).isEmpty();
    assertThat(r.planIfMade()).isEmpty();
    assertThat(links.reads).isZero();
    assertThat(loop.incidents()).isEmpty();
    assertThat(executed).isEmpty();
    assertThat(counter("meshd.mapek.ticks", "mode", "off")).isEqualTo(1);
  }

  @Test
  void tick_failingSensorDetectorPolicyCorrelatorAndAction_loopGoesOn() {
    Sensor broken = new Sensor() {
      @Override
      public String name() {
        return "broken";
      }

      @Override
      public List<Reading> read() {
        throw new IllegalStateException("sensor down");
      }
    };
    Detector brokenDetector = new Detector() {
      @Override
      public String name() {
        return "bad-detector";
      }

      @Override
      public List<Detection> detect(Snapshot s) {
        throw new ArithmeticException("bug");
      }
    };
    Policy brokenPolicy = new Policy() {
      @Override
      public String name() {
        return "bad-policy";
      }

      @Override
      public List<Candidate> propose(Diagnosis d, Snapshot s) {
        throw new NullPointerException("bug");
      }
    };
    ActionHandler throwing = a -> {
      executed.add(a);
      throw new IllegalStateException("actuator exploded");
    };
    ControlLoop loop = loop().sensor(broken).detector(brokenDetector).policy(brokenPolicy)
        .correlator((symptoms, snapshot) -> {
          throw new IllegalStateException("correlator bug");
        })
        .actuator(actuator("reroute", throwing)).actuator(actuator("reconnect", healing())).build();
    links.fault("peer-01");
    TickReport first = tick(loop);
    assertThat(first.snapshot().failedSensors()).containsExactly("broken");
    assertThat(first.diagnoses()).extracting(Diagnosis::key).containsExactly("link-lossy/peer-01");
    tick(loop);
    tick(loop);
    tick(loop);
    assertThat(executed).containsExactly(Action.of("reroute", "peer-01"),
        Action.of("reconnect", "peer-01"));
    IncidentView v = loop.incidents().get(0);
    assertThat(v.state()).isEqualTo(IncidentState.RESOLVED);
    assertThat(types(v)).contains(TimelineEvent.Type.ACTION_FAILED, TimelineEvent.Type.VERIFIED);
    assertThat(counter("meshd.mapek.component.failures", "component", "sensor", "name", "broken"))
        .isEqualTo(4);
    assertThat(counter("meshd.mapek.component.failures", "component", "detector", "name", "bad-detector"))
        .isEqualTo(4);
    assertThat(counter("meshd.mapek.component.failures", "component", "policy", "name", "bad-policy"))
        .isEqualTo(2);
    assertThat(counter("meshd.mapek.actions", "action", "reroute", "outcome", "failed")).isEqualTo(1);
    assertThat(knowledge.stats("link-lossy", "reroute")).isEqualTo(new ActionStats(0, 1));
  }

  @Test
  void tick_actionPastTimeout_cancelledCountedAndNextCandidateTried() {
    ControllableExecutor executor = new ControllableExecutor();
    List<CompletableFuture<Void>> hanging = new ArrayList<>();
    ActionHandler hang = a -> {
      executed.add(a);
      CompletableFuture<Void> f = new CompletableFuture<>();
      hanging.add(f);
      return f;
    };
    ControlLoop loop = loop().executor(executor).actuator(actuator("reroute", hang))
        .actuator(actuator("reconnect", healing())).build();
    links.fault("peer-01");
    tick(loop);
    executor.runAll();
    clock.advance(Duration.ofSeconds(1));
    tick(loop);
    assertThat(hanging.get(0)).isNotDone();
    clock.advance(Duration.ofSeconds(1));
    TickReport r = tick(loop);
    executor.runAll();
    assertThat(hanging.get(0)).isCancelled();
    assertThat(r.plan().approved()).extracting(s -> s.candidate().action())
        .containsExactly(Action.of("reconnect", "peer-01"));
    hanging.get(0).obtrudeValue(null); // a late completion is ignored
    tick(loop);
    tick(loop);
    IncidentView v = loop.incidents().get(0);
    assertThat(types(v)).containsSubsequence(TimelineEvent.Type.ACTION_TIMED_OUT,
        TimelineEvent.Type.PLANNED, TimelineEvent.Type.ACTION_STARTED, TimelineEvent.Type.VERIFIED,
        TimelineEvent.Type.RESOLVED);
    assertThat(counter("meshd.mapek.actions", "action", "reroute", "outcome", "timed_out")).isEqualTo(1);
    assertThat(knowledge.stats("link-lossy", "reroute")).isEqualTo(new ActionStats(0, 1));
  }

  @Test
  void tick_symptomPersistsAfterSuccessfulActions_incidentStaysOpenThenEscalates() {
    ControlLoop loop = loop().maxAttempts(2).actuator(actuator("reroute", ineffective()))
        .actuator(actuator("reconnect", ineffective())).build();
    links.fault("peer-01");
    for (int i = 0; i < 20; i++) {
      tick(loop);
    }
    assertThat(executed).containsExactly(Action.of("reroute", "peer-01"),
        Action.of("reconnect", "peer-01"));
    IncidentView v = loop.incidents().get(0);
    assertThat(v.state()).isEqualTo(IncidentState.ESCALATED);
    assertThat(types(v)).containsSubsequence(TimelineEvent.Type.ACTION_SUCCEEDED,
        TimelineEvent.Type.VERIFICATION_FAILED, TimelineEvent.Type.ACTION_SUCCEEDED,
        TimelineEvent.Type.VERIFICATION_FAILED, TimelineEvent.Type.ESCALATED);
    assertThat(knowledge.stats("link-lossy", "reconnect")).isEqualTo(new ActionStats(0, 1));

    links.heal("peer-01");
    tick(loop);
    assertThat(loop.incidents().get(0).resolution()).isEqualTo("cleared after escalation");
  }

  @Test
  void plan_oneActionWorksAnotherFails_plannerPrefersTheWorkingOne() {
    // reroute (policy priority 60) never helps; reconnect (50) does.
    ControlLoop loop = loop().actuator(actuator("reroute", ineffective()).withCooldown(Duration.ZERO))
        .actuator(actuator("reconnect", healing()).withCooldown(Duration.ZERO)).build();
    List<String> firstChoice = new ArrayList<>();
    for (int round = 0; round < 6; round++) {
      links.fault(FakeLinks.peer(round % 3));
      int before = executed.size();
      tick(loop);
      for (int i = 0; i < 12 && !loop.incidents().stream().allMatch(v -> !v.open()); i++) {
        tick(loop);
      }
      assertThat(loop.incidents()).allMatch(v -> !v.open());
      firstChoice.add(executed.get(before).kind());
    }
    assertThat(firstChoice.get(0)).isEqualTo("reroute");
    assertThat(firstChoice.subList(1, 6)).containsOnly("reconnect");
    assertThat(knowledge.stats("link-lossy", "reconnect").successes()).isEqualTo(6);
    assertThat(knowledge.stats("link-lossy", "reroute").failures()).isEqualTo(1);
  }

  @Test
  void restart_cooldownsAndRateLimitHold_fromTheJournalsActionStarts(@TempDir Path dir) {
    List<Plan.Rejection> refusals = new ArrayList<>();
    try (KnowledgeBase before = KnowledgeBase.open(KnowledgeBase.Config.defaults(dir, 16))) {
      ControlLoop loop = loop().knowledge(before).rateLimit(2, Duration.ofMinutes(1))
          .maxConcurrentActions(10).actuator(actuator("reroute", healing())).build();
      links.fault("peer-00");
      links.fault("peer-01");
      tick(loop);
      assertThat(executed).hasSize(2);
    }

    // The node restarts 10 s later: peer-00 fails again (its reroute cools down until 30 s) and
    // peer-02 fails (two starts within the minute already).
    clock.advance(Duration.ofSeconds(10));
    try (KnowledgeBase after = KnowledgeBase.open(KnowledgeBase.Config.defaults(dir, 16))) {
      assertThat(after.lastStarts()).extracting(JournalRecord.ActionStarted::actionKey)
          .containsExactlyInAnyOrder("reroute/peer-00", "reroute/peer-01");
      ControlLoop loop = loop().knowledge(after).rateLimit(2, Duration.ofMinutes(1))
          .maxConcurrentActions(10).actuator(actuator("reroute", healing())).build();
      links.fault("peer-00");
      links.fault("peer-02");
      TickReport r = tick(loop);
      refusals.addAll(r.plan().rejected());
      assertThat(executed).hasSize(2);
      assertThat(refusals).filteredOn(x -> x.candidate().action().subject().equals("peer-00"))
          .extracting(Plan.Rejection::rule).contains(Plan.COOLDOWN);
      assertThat(refusals).filteredOn(x -> x.candidate().action().subject().equals("peer-02"))
          .extracting(Plan.Rejection::rule).contains(Plan.RATE_LIMIT);

      clock.advance(Duration.ofSeconds(60)); // past the cooldown and the rate window
      tick(loop);
      assertThat(executed).extracting(Action::subject)
          .containsExactlyInAnyOrder("peer-00", "peer-01", "peer-00", "peer-02");
    }
  }

  @Test
  void incidentIds_continueAfterKnowledgeFromEarlierRun() {
    knowledge.record(new JournalRecord.ActionOutcome(41, "link-lossy", "peer-09", "reroute",
        "peer-09", Outcome.VERIFIED, clock.instant(), new float[16]));
    ControlLoop loop = loop().actuator(actuator("reroute", healing())).build();
    links.fault("peer-01");
    tick(loop);
    assertThat(loop.incidents().get(0).id()).isEqualTo(42);
  }

  @Test
  void builder_badArguments_namedInErrors() {
    assertThatThrownBy(() -> ControlLoop.builder().build()).hasMessageContaining("clock");
    assertThatThrownBy(() -> ControlLoop.builder().maxConcurrentActions(0))
        .hasMessageContaining("max-concurrent-actions must be at least 1, got 0");
    assertThatThrownBy(() -> loop().actuator(actuator("reroute", healing()))
        .actuator(actuator("reroute", healing()))).hasMessageContaining("registered twice");
    assertThatThrownBy(() -> loop().featureEncoder(new HashingFeatureEncoder(8)).build())
        .hasMessageContaining("8 dimensions but knowledge expects 16");
    assertThatThrownBy(() -> Mode.parse("sometimes")).hasMessageContaining("[auto, advise, off]");
    ControlLoop loop = loop().build();
    loop.close();
    loop.close();
    assertThatThrownBy(loop::tick).hasMessageContaining("closed");
  }
}
