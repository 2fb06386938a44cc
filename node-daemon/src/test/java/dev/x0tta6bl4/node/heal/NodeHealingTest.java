package dev.x0tta6bl4.node.heal;

import static dev.x0tta6bl4.mapek.TimelineEvent.Type.ACTION_STARTED;
import static dev.x0tta6bl4.mapek.TimelineEvent.Type.ACTION_SUCCEEDED;
import static dev.x0tta6bl4.mapek.TimelineEvent.Type.DETECTED;
import static dev.x0tta6bl4.mapek.TimelineEvent.Type.PLANNED;
import static dev.x0tta6bl4.mapek.TimelineEvent.Type.RESOLVED;
import static dev.x0tta6bl4.mapek.TimelineEvent.Type.VERIFIED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.x0tta6bl4.mapek.ControlLoop;
import dev.x0tta6bl4.mapek.IncidentState;
import dev.x0tta6bl4.mapek.IncidentView;
import dev.x0tta6bl4.mapek.MapekException;
import dev.x0tta6bl4.mapek.Mode;
import dev.x0tta6bl4.mapek.Reading;
import dev.x0tta6bl4.pqc.IdentitySource;
import dev.x0tta6bl4.pqc.MeshCertificateAuthority;
import dev.x0tta6bl4.pqc.NodeIdentity;
import dev.x0tta6bl4.pqc.SignatureAlgorithm;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalDouble;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class NodeHealingTest {
  private final TestLoops.FakeClock clock = new TestLoops.FakeClock();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  /** A JVM whose figures the test sets. */
  static final class FakeJvm implements JvmProbe {
    double heap = 0.3;
    Double afterGc = 0.2;
    long gcMillis;

    @Override
    public double heapUsedRatio() {
      return heap;
    }

    @Override
    public OptionalDouble heapAfterGcRatio() {
      return afterGc == null ? OptionalDouble.empty() : OptionalDouble.of(afterGc);
    }

    @Override
    public long gcMillisTotal() {
      return gcMillis;
    }

    @Override
    public OptionalDouble processCpu() {
      return OptionalDouble.of(0.1);
    }
  }

  /** A node module with healthy fakes and no identity: for tests about other things. */
  static NodeHealing quietNode() {
    NodeHealing.Settings s = NodeHealing.Settings.defaults();
    return new NodeHealing(s, new NodeSensor(s, new FakeJvm(), dir -> 10L << 30, Path.of("."),
        null, Clock.systemUTC()), () -> {
          throw new IllegalStateException("no identity in this test");
        });
  }

  private void ticks(ControlLoop loop, int n) {
    for (int i = 0; i < n; i++) {
      loop.tick();
      clock.advance(Duration.ofMillis(250));
    }
  }

  @Test
  void diskPressure_raftLogAboveItsLimit_snapshotAndPurgeThenResolved() {
    NodeHealing.Settings s = withLogMax(NodeHealing.Settings.defaults(), 500);
    FakeRaftMember member = new FakeRaftMember("n0", List.of("n0", "n1", "n2"));
    member.logBytes = 2_000;
    NodeHealing node = new NodeHealing(s, new NodeSensor(s, new FakeJvm(), dir -> 10L << 30,
        Path.of("."), null, clock), () -> Instant.EPOCH);
    ControlLoop loop = TestLoops.loop(clock, registry, Mode.AUTO,
        new RaftHealing(member, RaftHealing.Settings.defaults()), node);

    ticks(loop, 4);

    assertThat(member.calls).containsExactly("snapshot");
    IncidentView v = TestLoops.incident(loop, NodeHealing.DISK_PRESSURE);
    assertThat(v.symptoms().get(0).evidence()).contains("Raft log holds 2000 bytes, limit 500");
    assertThat(TestLoops.types(v)).containsExactly(DETECTED, PLANNED, ACTION_STARTED,
        ACTION_SUCCEEDED, VERIFIED, RESOLVED);
  }

  @Test
  void diskPressure_lowFreeSpaceWithoutRaft_alertOnly() {
    NodeHealing.Settings s = NodeHealing.Settings.defaults();
    NodeHealing node = new NodeHealing(s, new NodeSensor(s, new FakeJvm(), dir -> 1L << 20,
        Path.of("."), null, clock), () -> Instant.EPOCH);
    ControlLoop loop = TestLoops.loop(clock, registry, Mode.AUTO, node);

    ticks(loop, 3);

    IncidentView v = TestLoops.incident(loop, NodeHealing.DISK_PRESSURE);
    assertThat(v.symptoms().get(0).severity()).isEqualTo(dev.x0tta6bl4.mapek.Severity.CRITICAL);
    assertThat(registry.find("meshd.heal.alerts").tag("kind", NodeHealing.DISK_PRESSURE)
        .counter().count()).isEqualTo(1.0);
  }

  @Test
  void certNearExpiry_shortLivedSvid_rotatedAndResolved() {
    MeshCertificateAuthority ca = ca(Duration.ofHours(24));
    MutableIdentity identity = new MutableIdentity(ca(Duration.ofMinutes(30))
        .issueNodeIdentity("n0")); // 30 min left: inside the 2 h renewal window
    NodeHealing.Settings s = NodeHealing.Settings.defaults();
    int[] rotations = {0};
    NodeHealing node = new NodeHealing(s, new NodeSensor(s, new FakeJvm(), dir -> 10L << 30,
        Path.of("."), identity, clock), () -> {
          rotations[0]++;
          identity.current = ca.issueNodeIdentity("n0");
          return identity.current.leaf().getNotAfter().toInstant();
        });
    ControlLoop loop = TestLoops.loop(clock, registry, Mode.AUTO, node);

    ticks(loop, 3);

    assertThat(rotations[0]).isEqualTo(1);
    IncidentView v = TestLoops.incident(loop, NodeHealing.CERT_NEAR_EXPIRY);
    assertThat(v.state()).isEqualTo(IncidentState.RESOLVED);
    assertThat(TestLoops.types(v)).containsExactly(DETECTED, PLANNED, ACTION_STARTED,
        ACTION_SUCCEEDED, VERIFIED, RESOLVED);
  }

  @Test
  void certNearExpiry_renewalFails_actionFailedThenAlert() {
    MutableIdentity identity = new MutableIdentity(ca(Duration.ofMinutes(30))
        .issueNodeIdentity("n0"));
    NodeHealing.Settings s = NodeHealing.Settings.defaults();
    NodeHealing node = new NodeHealing(s, new NodeSensor(s, new FakeJvm(), dir -> 10L << 30,
        Path.of("."), identity, clock), () -> {
          throw new IllegalStateException("identity.source is files");
        });
    ControlLoop loop = TestLoops.loop(clock, registry, Mode.AUTO, node);

    ticks(loop, 4);

    IncidentView v = TestLoops.incident(loop, NodeHealing.CERT_NEAR_EXPIRY);
    assertThat(v.timeline()).anySatisfy(e -> assertThat(e.detail())
        .contains("identity.source is files"));
    assertThat(registry.find("meshd.heal.alerts").tag("kind", NodeHealing.CERT_NEAR_EXPIRY)
        .counter().count()).isEqualTo(1.0);
  }

  @Test
  void memoryPressure_hysteresis_entersAboveMaxLeavesBelowClear() {
    FakeJvm jvm = new FakeJvm();
    NodeHealing.Settings s = NodeHealing.Settings.defaults();
    var detector = NodeDetectors.memoryPressure(s);
    NodeSensor sensor = new NodeSensor(s, jvm, dir -> 10L << 30, Path.of("."), null, clock);
    jvm.afterGc = 0.95;
    assertThat(detector.detect(snapshot(sensor))).isEmpty(); // one tick is not enough
    assertThat(detector.detect(snapshot(sensor))).hasSize(1);
    jvm.afterGc = 0.85; // below max, above clear: still under pressure
    assertThat(detector.detect(snapshot(sensor))).hasSize(1);
    jvm.afterGc = 0.75;
    assertThat(detector.detect(snapshot(sensor))).isEmpty();
    jvm.afterGc = 0.85; // re-entry needs the max again
    assertThat(detector.detect(snapshot(sensor))).isEmpty();
  }

  @Test
  void sensor_gcPauseShareOverTheWindow_setsTheDegradedBit() {
    FakeJvm jvm = new FakeJvm();
    NodeHealing.Settings s = NodeHealing.Settings.defaults();
    NodeSensor sensor = new NodeSensor(s, jvm, dir -> 10L << 30, Path.of("."), null, clock);
    sensor.read();
    clock.advance(Duration.ofSeconds(1));
    jvm.gcMillis += 400; // 40% of the last second in GC
    List<Reading> r = sensor.read();
    assertThat(r).contains(new Reading(NodeHealing.GC_PAUSE, HealingModule.LOCAL, 0.4),
        new Reading(NodeHealing.DEGRADED, HealingModule.LOCAL, NodeHealing.DEGRADED_GC));
    clock.advance(Duration.ofSeconds(20)); // window passes with no GC
    sensor.read();
    clock.advance(Duration.ofSeconds(1));
    assertThat(sensor.read()).contains(new Reading(NodeHealing.DEGRADED, HealingModule.LOCAL, 0));
  }

  @Test
  void sensor_unreadableDisk_leavesTheReadingOut() {
    NodeHealing.Settings s = NodeHealing.Settings.defaults();
    NodeSensor sensor = new NodeSensor(s, new FakeJvm(), dir -> {
      throw new java.io.IOException("gone");
    }, Path.of("."), null, clock);
    assertThat(sensor.read()).noneMatch(r -> r.metric().equals(NodeHealing.DISK_FREE))
        .contains(new Reading(NodeHealing.DEGRADED, HealingModule.LOCAL, 0));
  }

  @Test
  void settings_badValues_rejectedWithTheirNames() {
    assertThatThrownBy(() -> new NodeHealing.Settings(-1, 0, 0.9, 0.8, 0.2,
        Duration.ofSeconds(1), Duration.ofHours(1), 1, Duration.ZERO,
        Duration.ofSeconds(1))).isInstanceOf(MapekException.class)
        .hasMessageContaining("diskMinFreeBytes");
    assertThatThrownBy(() -> new NodeHealing.Settings(1, 0, 0.7, 0.8, 0.2,
        Duration.ofSeconds(1), Duration.ofHours(1), 1, Duration.ZERO,
        Duration.ofSeconds(1))).hasMessageContaining("heapClearRatio <= heapMaxRatio");
  }

  static NodeHealing.Settings withLogMax(NodeHealing.Settings d, long max) {
    return new NodeHealing.Settings(d.diskMinFreeBytes(), max, d.heapMaxRatio(),
        d.heapClearRatio(), d.gcPauseMaxRatio(), d.gcWindow(), d.certRenewBefore(),
        d.confirmTicks(), d.cooldown(), d.verifyWindow());
  }

  private dev.x0tta6bl4.mapek.Snapshot snapshot(NodeSensor sensor) {
    return dev.x0tta6bl4.mapek.Snapshot.of(1, clock.instant(), sensor.read(), java.util.Set.of());
  }

  private MeshCertificateAuthority ca(Duration svidLifetime) {
    return MeshCertificateAuthority.builder().trustDomain("heal.test")
        .algorithm(SignatureAlgorithm.ED25519).clock(clock).svidLifetime(svidLifetime).init();
  }

  /** An identity source the test swaps. */
  static final class MutableIdentity implements IdentitySource {
    volatile NodeIdentity current;

    MutableIdentity(NodeIdentity initial) {
      this.current = initial;
    }

    @Override
    public NodeIdentity current() {
      return current;
    }

    @Override
    public void onRotation(Consumer<NodeIdentity> listener) {}
  }
}
