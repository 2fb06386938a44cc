package dev.x0tta6bl4.node.heal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.x0tta6bl4.mapek.Action;
import dev.x0tta6bl4.mapek.ControlLoop;
import dev.x0tta6bl4.mapek.IncidentView;
import dev.x0tta6bl4.mapek.KnowledgeBase;
import dev.x0tta6bl4.mapek.Mode;
import dev.x0tta6bl4.mapek.TimelineEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link MeshHealing} in a real {@link ControlLoop} over a {@link FakeMesh}: fake time, a direct
 * executor, every tick driven by the test.
 */
class MeshHealingTest {
  private static final Duration TICK = Duration.ofMillis(100);

  private final TestLoops.FakeClock clock = new TestLoops.FakeClock();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private ControlLoop loop(MeshHealing module, Mode mode) {
    var b = ControlLoop.builder().clock(clock).executor(Runnable::run).meterRegistry(registry)
        .knowledge(KnowledgeBase.inMemory(16, 1000)).mode(mode);
    return HealingComponent.assemble(b, List.of(module), "n0",
        module.settings().correlateMinLinks(), registry, a -> a).build();
  }

  private MeshHealing module(FakeMesh mesh) {
    return new MeshHealing("n0", mesh, MeshHealingSettings.defaults(), clock, registry);
  }

  /** Advances time by {@code ticks} loop ticks; every link but {@code silent} hears a reply. */
  private void run(ControlLoop loop, FakeMesh mesh, int ticks, Set<String> silent) {
    for (int i = 0; i < ticks; i++) {
      clock.advance(TICK);
      mesh.heartbeat(silent);
      loop.tick();
    }
  }

  private static List<TimelineEvent.Type> timeline(IncidentView incident) {
    return incident.timeline().stream().map(TimelineEvent::type).toList();
  }

  private static IncidentView incident(ControlLoop loop, String key) {
    return loop.incidents().stream().filter(i -> (i.kind() + "/" + i.subject()).equals(key))
        .findFirst().orElseThrow(() -> new AssertionError(key + " not in " + loop.incidents()));
  }

  @Test
  void policy_proposesNothingForAnotherAreasIncident_butAlertsForItsOwnAndCorrelatedOnes() {
    MeshHealing module = module(new FakeMesh(clock, "a"));
    dev.x0tta6bl4.mapek.Snapshot empty = dev.x0tta6bl4.mapek.Snapshot.of(1, Instant.EPOCH,
        List.of(), Set.of());

    assertThat(module.propose(diagnosis("disk-pressure", "local"), empty)).isEmpty();
    assertThat(module.propose(diagnosis("raft-leader-degraded", "n0"), empty)).isEmpty();
    assertThat(module.propose(diagnosis("clock-skew", "n1"), empty))
        .extracting(c -> c.action().kind()).containsExactly("alert");
    assertThat(module.propose(diagnosis("node-suspect", "n3"), empty))
        .extracting(c -> c.action().kind()).containsExactly("alert");
  }

  private static dev.x0tta6bl4.mapek.Diagnosis diagnosis(String kind, String subject) {
    return dev.x0tta6bl4.mapek.Diagnosis.of(new dev.x0tta6bl4.mapek.Symptom(kind, subject,
        dev.x0tta6bl4.mapek.Severity.WARNING, "test", Instant.EPOCH));
  }

  @Test
  void silentLink_isDropped_andTheIncidentIsVerifiedAndResolved() {
    FakeMesh mesh = new FakeMesh(clock, "a", "b");
    ControlLoop loop = loop(module(mesh), Mode.AUTO);
    run(loop, mesh, 3, Set.of());
    Instant lastHeard = clock.instant();

    run(loop, mesh, 7, Set.of("b")); // 0.7 s of silence on b

    IncidentView incident = incident(loop, "neighbour-unresponsive/b");
    assertThat(incident.firstSeen()).isEqualTo(lastHeard);
    assertThat(mesh.operations).contains("refuse b PEER_UNRESPONSIVE 1000");
    assertThat(mesh.links).containsOnlyKeys("a");
    run(loop, mesh, 2, Set.of());
    incident = incident(loop, "neighbour-unresponsive/b");
    assertThat(timeline(incident)).containsSubsequence(TimelineEvent.Type.DETECTED,
        TimelineEvent.Type.PLANNED, TimelineEvent.Type.ACTION_STARTED,
        TimelineEvent.Type.ACTION_SUCCEEDED, TimelineEvent.Type.VERIFIED,
        TimelineEvent.Type.RESOLVED);
    assertThat(incident.open()).isFalse();
  }

  @Test
  void lastUsableLink_isNeverDropped_onlyAlerted() {
    FakeMesh mesh = new FakeMesh(clock, "a", "b");
    MeshHealing module = module(mesh);
    ControlLoop loop = loop(module, Mode.AUTO);
    run(loop, mesh, 3, Set.of());

    run(loop, mesh, 8, Set.of("a", "b")); // both links silent: the node itself is suspect

    assertThat(mesh.operations).noneMatch(op -> op.startsWith("refuse"));
    assertThat(mesh.links).containsOnlyKeys("a", "b");
    assertThat(module.runs()).isEmpty();
    assertThat(registry.get("meshd.heal.alerts").tag("kind", "local-node-suspect").counter()
        .count()).isPositive();
  }

  @Test
  void veto_countsActionsInFlight() {
    FakeMesh mesh = new FakeMesh(clock, "a", "b");
    MeshHealing module = module(mesh);
    ControlLoop loop = loop(module, Mode.AUTO);
    run(loop, mesh, 3, Set.of());
    var snapshot = dev.x0tta6bl4.mapek.Snapshot.of(1, clock.instant(),
        module.sensors().stream().flatMap(s -> s.read().stream()).toList(), Set.of());

    assertThat(module.veto().veto(Action.of("drop-link", "b"), snapshot, List.of())).isEmpty();
    assertThat(module.veto().veto(Action.of("drop-link", "b"), snapshot,
        List.of(Action.of("quarantine-peer", "a")))).hasValueSatisfying(
            reason -> assertThat(reason).contains("without a usable link"));
    assertThat(module.veto().veto(Action.of("raise-link-cost", "b"), snapshot,
        List.of(Action.of("quarantine-peer", "a")))).isEmpty();
  }

  @Test
  void lossyLink_getsItsCostRaised_andRestoredWhenHealthyAgain() {
    FakeMesh mesh = new FakeMesh(clock, "a", "b");
    MeshHealing module = module(mesh);
    ControlLoop loop = loop(module, Mode.AUTO);
    run(loop, mesh, 3, Set.of());
    for (int i = 0; i < 20; i++) { // 40 % of b's replies missing
      mesh.links.get("b").missed += i % 5 < 2 ? 1 : 0;
      run(loop, mesh, 1, i % 5 < 2 ? Set.of("b") : Set.of());
    }
    assertThat(mesh.operations).contains("cost b x10.0");
    assertThat(incident(loop, "link-degraded/b").open()).isFalse();

    run(loop, mesh, 130, Set.of()); // healthy for longer than restoreAfter (10 s) plus the window
    assertThat(mesh.operations).endsWith("cost b x1.0");
    assertThat(mesh.costFactors).isEmpty();
    assertThat(timeline(incident(loop, "link-cost-restorable/b")))
        .contains(TimelineEvent.Type.VERIFIED, TimelineEvent.Type.RESOLVED);
  }

  @Test
  void badSignatures_quarantineThePeer_untilThePeriodEnds() {
    FakeMesh mesh = new FakeMesh(clock, "a", "b", "c");
    MeshHealing module = module(mesh);
    ControlLoop loop = loop(module, Mode.AUTO);
    mesh.signatureFailures.put("b", 0L);
    run(loop, mesh, 3, Set.of());

    mesh.signatureFailures.put("b", 1L);
    run(loop, mesh, 1, Set.of());

    assertThat(mesh.operations).contains("refuse b QUARANTINED 60000");
    assertThat(module.quarantines()).containsOnlyKeys("b");
    run(loop, mesh, 2, Set.of());
    assertThat(timeline(incident(loop, "misbehaving-peer/b"))).containsSubsequence(
        TimelineEvent.Type.ACTION_STARTED, TimelineEvent.Type.VERIFIED,
        TimelineEvent.Type.RESOLVED);
    clock.advance(Duration.ofSeconds(60));
    assertThat(module.quarantines()).isEmpty();
  }

  @Test
  void malformedFrames_afterTheTransportCutThePeerOff_quarantineItWithThatReason() {
    FakeMesh mesh = new FakeMesh(clock, "a", "b", "c");
    MeshHealing module = module(mesh);
    ControlLoop loop = loop(module, Mode.AUTO);
    mesh.strikes.put("c", 1); // struck before the loop watched: not news
    run(loop, mesh, 3, Set.of());
    assertThat(mesh.operations).noneMatch(op -> op.startsWith("refuse"));

    mesh.strikes.put("b", 1); // the transport cut b off for a malformed frame; b relinked
    run(loop, mesh, 1, Set.of());

    assertThat(mesh.operations).contains("refuse b QUARANTINED 60000");
    IncidentView incident = incident(loop, "misbehaving-peer/b");
    assertThat(incident.symptoms().get(0).evidence())
        .contains("cut off 1 times for malformed frames");
    assertThat(incident.timeline()).anySatisfy(e -> assertThat(e.detail())
        .contains("quarantine-peer/b"));
    assertThat(module.runs()).extracting(r -> r.action().params().get(MeshActuators.REASON))
        .containsExactly("malformed-frames");
  }

  @Test
  void failuresPaidForByAQuarantine_doNotQuarantineAgain_butNewOnesDo() {
    FakeMesh mesh = new FakeMesh(clock, "a", "b", "c");
    MeshHealing module = new MeshHealing("n0", mesh,
        MeshHealingSettings.defaults().withQuarantinePeriod(Duration.ofSeconds(2)), clock, registry);
    ControlLoop loop = loop(module, Mode.AUTO);
    mesh.signatureFailures.put("b", 0L);
    run(loop, mesh, 3, Set.of());
    mesh.signatureFailures.put("b", 1L);
    run(loop, mesh, 2, Set.of());
    assertThat(mesh.operations).containsOnlyOnce("refuse b QUARANTINED 2000");

    run(loop, mesh, 25, Set.of()); // the quarantine ends; b links again within the window
    mesh.links.put("b", new FakeMesh.FakeLink(clock.nanos()));
    run(loop, mesh, 10, Set.of());
    assertThat(mesh.operations).containsOnlyOnce("refuse b QUARANTINED 2000");

    mesh.signatureFailures.put("b", 2L);
    run(loop, mesh, 2, Set.of());
    assertThat(mesh.operations.stream().filter(op -> op.equals("refuse b QUARANTINED 2000")))
        .hasSize(2);
  }

  @Test
  void failuresCountedBeforeTheLoopWatched_areNotNews() {
    FakeMesh mesh = new FakeMesh(clock, "a", "b");
    ControlLoop loop = loop(module(mesh), Mode.AUTO);
    mesh.signatureFailures.put("b", 5L);
    run(loop, mesh, 5, Set.of());
    assertThat(loop.incidents()).isEmpty();
    mesh.signatureFailures.put("c", 1L); // a neighbour first seen while watching: counted
    mesh.links.put("c", new FakeMesh.FakeLink(clock.nanos()));
    run(loop, mesh, 2, Set.of());
    assertThat(mesh.operations).contains("refuse c QUARANTINED 60000");
  }

  @Test
  void clockSkew_isOnlyAlerted_withHysteresis() {
    FakeMesh mesh = new FakeMesh(clock, "a", "b");
    MeshHealing module = module(mesh);
    ControlLoop loop = loop(module, Mode.AUTO);
    mesh.links.get("b").clockOffset = 1.5;
    run(loop, mesh, 2, Set.of());
    assertThat(incident(loop, "clock-skew/b").open()).isTrue();
    mesh.links.get("b").clockOffset = 0.7; // below enter, above exit: still skewed
    run(loop, mesh, 15, Set.of());
    assertThat(incident(loop, "clock-skew/b").open()).isTrue();
    mesh.links.get("b").clockOffset = 0.1;
    run(loop, mesh, 2, Set.of());
    assertThat(incident(loop, "clock-skew/b").open()).isFalse();
    assertThat(module.runs()).isEmpty();
    assertThat(registry.get("meshd.heal.alerts").tag("kind", "clock-skew").counter().count())
        .isEqualTo(1);
  }

  @Test
  void isolatedNode_redialsEveryPeerItKnew() {
    FakeMesh mesh = new FakeMesh(clock, "a", "b");
    ControlLoop loop = loop(module(mesh), Mode.AUTO);
    run(loop, mesh, 2, Set.of());
    mesh.links.clear();
    run(loop, mesh, 25, Set.of());
    assertThat(mesh.operations).contains("redial a", "redial b");
  }

  @Test
  void adviseMode_plansButNeverActs() {
    FakeMesh mesh = new FakeMesh(clock, "a", "b", "c");
    MeshHealing module = module(mesh);
    ControlLoop loop = loop(module, Mode.ADVISE);
    mesh.signatureFailures.put("c", 0L);
    run(loop, mesh, 3, Set.of());
    mesh.signatureFailures.put("c", 2L);
    run(loop, mesh, 8, Set.of("b"));

    assertThat(mesh.operations).isEmpty();
    assertThat(module.runs()).isEmpty();
    assertThat(timeline(incident(loop, "neighbour-unresponsive/b")))
        .contains(TimelineEvent.Type.ADVISED).doesNotContain(TimelineEvent.Type.ACTION_STARTED);
    assertThat(incident(loop, "misbehaving-peer/c").timeline())
        .anySatisfy(e -> assertThat(e.detail()).contains("quarantine-peer"));
  }

  @Test
  void settings_rejectNonsenseWithTheirName() {
    var d = MeshHealingSettings.defaults();
    assertThatThrownBy(() -> d.withUnresponsiveAfter(Duration.ZERO))
        .hasMessageContaining("unresponsiveAfter must be positive");
    assertThatThrownBy(() -> d.withQuarantinePeriod(Duration.ofSeconds(-1)))
        .hasMessageContaining("quarantinePeriod");
  }
}
