package dev.x0tta6bl4.node.heal;

import static dev.x0tta6bl4.mapek.TimelineEvent.Type.ACTION_STARTED;
import static dev.x0tta6bl4.mapek.TimelineEvent.Type.ACTION_SUCCEEDED;
import static dev.x0tta6bl4.mapek.TimelineEvent.Type.ADVISED;
import static dev.x0tta6bl4.mapek.TimelineEvent.Type.BLOCKED;
import static dev.x0tta6bl4.mapek.TimelineEvent.Type.DETECTED;
import static dev.x0tta6bl4.mapek.TimelineEvent.Type.PLANNED;
import static dev.x0tta6bl4.mapek.TimelineEvent.Type.RESOLVED;
import static dev.x0tta6bl4.mapek.TimelineEvent.Type.VERIFIED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.x0tta6bl4.consensus.ConsensusStatus.Role;
import dev.x0tta6bl4.consensus.SupervisorStatus.Health;
import dev.x0tta6bl4.mapek.ControlLoop;
import dev.x0tta6bl4.mapek.IncidentState;
import dev.x0tta6bl4.mapek.IncidentView;
import dev.x0tta6bl4.mapek.MapekException;
import dev.x0tta6bl4.mapek.Mode;
import dev.x0tta6bl4.mapek.Reading;
import dev.x0tta6bl4.mapek.TimelineEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RaftHealingTest {
  private final TestLoops.FakeClock clock = new TestLoops.FakeClock();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final FakeRaftMember member = new FakeRaftMember("n0", List.of("n0", "n1", "n2"));
  private final RaftHealing raft = new RaftHealing(member, RaftHealing.Settings.defaults());

  private ControlLoop loop(Mode mode) {
    return TestLoops.loop(clock, registry, mode, raft, NodeHealingTest.quietNode());
  }

  private void ticks(ControlLoop loop, int n) {
    for (int i = 0; i < n; i++) {
      loop.tick();
      clock.advance(Duration.ofMillis(250));
    }
  }

  @Test
  void leaderDegraded_diskLowLeader_leadershipMovesToTheHealthiestFollowerAndIncidentResolves() {
    member.lag.put("n1", 7L); // n2 is fully caught up: the better target
    member.health = Health.DISK_LOW;
    ControlLoop loop = loop(Mode.AUTO);

    ticks(loop, 3);

    assertThat(member.calls).containsExactly("transfer n2");
    IncidentView v = TestLoops.incident(loop, RaftHealing.LEADER_DEGRADED);
    assertThat(v.subject()).isEqualTo("n0");
    assertThat(v.symptoms().get(0).evidence()).contains("Raft member is DISK_LOW");
    assertThat(v.state()).isEqualTo(IncidentState.RESOLVED);
    assertThat(TestLoops.types(v)).containsExactly(DETECTED, PLANNED, ACTION_STARTED,
        ACTION_SUCCEEDED, VERIFIED, RESOLVED);
  }

  @Test
  void leaderDegraded_oneDetectionTick_notYetASymptom() {
    member.health = Health.DISK_LOW;
    ControlLoop loop = loop(Mode.AUTO);
    loop.tick();
    assertThat(loop.incidents()).isEmpty();
    member.health = Health.OK; // a one-tick blip never becomes an incident
    ticks(loop, 3);
    assertThat(loop.incidents()).isEmpty();
  }

  @Test
  void leaderDegraded_onlyOneFollowerHealthy_vetoKeepsLeadershipAndIncidentBlocked() {
    member.health = Health.DISK_LOW;
    member.contact.put("n2", Duration.ofSeconds(30)); // n2 silent: only n1 is known healthy
    ControlLoop loop = loop(Mode.AUTO);

    ticks(loop, 4);

    assertThat(member.calls).isEmpty();
    assertThat(member.role).isEqualTo(Role.LEADER);
    IncidentView v = TestLoops.incident(loop, RaftHealing.LEADER_DEGRADED);
    assertThat(v.state()).isEqualTo(IncidentState.OPEN);
    assertThat(v.timeline()).anySatisfy(e -> {
      assertThat(e.type()).isEqualTo(BLOCKED);
      assertThat(e.detail()).contains("transfer-leadership/n0: veto");
    });
    assertThat(v.timeline()).noneMatch(e -> e.type() == ACTION_STARTED);
  }

  @Test
  void leaderDegraded_vetoReasonNamesTheQuorum() {
    member.health = Health.DISK_LOW;
    member.contact.put("n2", Duration.ofSeconds(30));
    ControlLoop loop = loop(Mode.AUTO);
    ticks(loop, 2);
    assertThat(loop.lastPlan().orElseThrow().rejected())
        .anySatisfy(r -> assertThat(r.toString()).contains("quorum").contains("only 1 of 3"));
  }

  @Test
  void leaderDegraded_adviseMode_advisesTheTransferAndDoesNothing() {
    member.health = Health.DISK_LOW;
    ControlLoop loop = loop(Mode.ADVISE);

    ticks(loop, 6);

    assertThat(member.calls).isEmpty();
    assertThat(member.role).isEqualTo(Role.LEADER);
    IncidentView v = TestLoops.incident(loop, RaftHealing.LEADER_DEGRADED);
    assertThat(v.timeline()).filteredOn(e -> e.type() == ADVISED).hasSize(1)
        .first().extracting(TimelineEvent::detail).asString()
        .contains(RaftHealing.TRANSFER_LEADERSHIP).contains("n1");
    assertThat(v.state()).isEqualTo(IncidentState.OPEN);
  }

  @Test
  void leaderDegraded_logFailedAndTransferRefused_rebuildsTheServer() {
    // 5 voters, every follower healthy, the leader's log failed and the transfer fails.
    FakeRaftMember five = new FakeRaftMember("n0", List.of("n0", "n1", "n2", "n3", "n4")) {
      @Override
      public java.util.concurrent.CompletableFuture<Void> transferLeadership(String to) {
        calls.add("transfer " + to);
        return java.util.concurrent.CompletableFuture.failedFuture(
            new IllegalStateException("transfer timed out"));
      }

      @Override
      public void rebuildNow(String why) {
        super.rebuildNow(why);
        role = Role.FOLLOWER;
        leader = "n1";
      }
    };
    five.health = Health.LOG_FAILED;
    ControlLoop loop = TestLoops.loop(clock, registry, Mode.AUTO,
        new RaftHealing(five, RaftHealing.Settings.defaults()),
        NodeHealingTest.quietNode());

    ticks(loop, 5);

    assertThat(five.calls).containsExactly("transfer n1", "rebuild");
    IncidentView v = TestLoops.incident(loop, RaftHealing.LEADER_DEGRADED);
    assertThat(v.state()).isEqualTo(IncidentState.RESOLVED);
  }

  @Test
  void noLeader_afterTheGrace_detectedAndRebuildRefusedWithoutKnownHealthyMajority() {
    member.role = Role.CANDIDATE;
    member.leader = null;
    member.health = Health.DOWN;
    ControlLoop loop = loop(Mode.AUTO);

    ticks(loop, 8); // 1.75 s: still within the 3 s grace
    assertThat(loop.incidents()).isEmpty();
    ticks(loop, 8);

    IncidentView v = TestLoops.incident(loop, RaftHealing.NO_LEADER);
    assertThat(v.symptoms().get(0).evidence()).contains("no Raft leader known");
    assertThat(member.calls).doesNotContain("rebuild");
    assertThat(registry.find("meshd.heal.alerts").tag("kind", RaftHealing.NO_LEADER).counter()
        .count()).isEqualTo(1.0);
  }

  @Test
  void followerLagging_laggingFollower_alertCountedAndNothingElseDone() {
    member.lag.put("n1", 5_000L);
    ControlLoop loop = loop(Mode.AUTO);

    ticks(loop, 3);

    IncidentView v = TestLoops.incident(loop, RaftHealing.FOLLOWER_LAGGING);
    assertThat(v.subject()).isEqualTo("n1");
    assertThat(registry.find("meshd.heal.alerts").tag("kind", RaftHealing.FOLLOWER_LAGGING)
        .counter().count()).isEqualTo(1.0);
    assertThat(member.calls).isEmpty();
  }

  @Test
  void sensor_leader_judgesFollowersByContactAndLag() {
    member.lag.put("n1", 5_000L);
    member.contact.put("n2", Duration.ofMillis(200));
    List<Reading> r = new RaftSensor(member, RaftHealing.Settings.defaults()).read();
    assertThat(r).contains(new Reading(QuorumVeto.VOTER_HEALTHY, "n0", 1),
        new Reading(QuorumVeto.VOTER_HEALTHY, "n1", 0),
        new Reading(QuorumVeto.VOTER_HEALTHY, "n2", 1),
        new Reading(RaftHealing.FOLLOWER_LAG, "n1", 5_000),
        new Reading(RaftHealing.IS_LEADER, HealingModule.LOCAL, 1),
        new Reading(QuorumVeto.VOTER, "n2", 1));
  }

  @Test
  void sensor_follower_knowsOnlyItselfAndTheLeader() {
    member.role = Role.FOLLOWER;
    member.leader = "n1";
    List<Reading> r = new RaftSensor(member, RaftHealing.Settings.defaults()).read();
    assertThat(r).contains(new Reading(QuorumVeto.VOTER_HEALTHY, "n0", 1),
        new Reading(QuorumVeto.VOTER_HEALTHY, "n1", 1));
    assertThat(r).noneMatch(x -> x.metric().equals(QuorumVeto.VOTER_HEALTHY)
        && x.subject().equals("n2"));
  }

  @Test
  void sensor_memberNotRunning_reportsItselfUnhealthy() {
    RaftMember closed = new FakeRaftMember("n0", List.of("n0")) {
      @Override
      public dev.x0tta6bl4.consensus.SupervisorStatus status() {
        throw new IllegalStateException("closed");
      }
    };
    assertThat(new RaftSensor(closed, RaftHealing.Settings.defaults()).read())
        .contains(new Reading(RaftHealing.RUNNING, HealingModule.LOCAL, 0),
            new Reading(QuorumVeto.VOTER_HEALTHY, "n0", 0));
  }

  @Test
  void settings_badValues_rejectedWithTheirNames() {
    RaftHealing.Settings d = RaftHealing.Settings.defaults();
    assertThatThrownBy(() -> new RaftHealing.Settings(Duration.ZERO, 1, d.followerContactMax(),
        1, 1, d.transferTimeout(), d.snapshotTimeout(), d.rebuildTimeout(), d.cooldown(),
        d.verifyWindow(), d.voterAffectingKinds()))
        .isInstanceOf(MapekException.class).hasMessageContaining("noLeaderGrace");
    assertThatThrownBy(() -> new RaftHealing.Settings(d.noLeaderGrace(), 1,
        d.followerContactMax(), 1, 1, d.transferTimeout(), d.snapshotTimeout(),
        d.rebuildTimeout(), d.cooldown(), d.verifyWindow(), Set.of("rebuild-raft")))
        .hasMessageContaining("voterAffectingKinds must contain transfer-leadership");
  }
}
