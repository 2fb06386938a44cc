package dev.x0tta6bl4.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.x0tta6bl4.consensus.ConsensusConfig;
import dev.x0tta6bl4.consensus.ConsensusStatus;
import dev.x0tta6bl4.consensus.Voter;
import dev.x0tta6bl4.node.config.DataSize;
import dev.x0tta6bl4.node.config.HostPort;
import dev.x0tta6bl4.node.config.NodeConfig;
import dev.x0tta6bl4.node.config.VoterAddress;
import dev.x0tta6bl4.observability.MeshdMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The consensus section mapped onto the module, and the component's lifecycle and timer. */
class ConsensusComponentTest {
  @TempDir Path state;

  private final PrometheusMeterRegistry registry = MeshdMetrics.create("test");
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void stop() {
    scheduler.shutdownNow();
    registry.close();
  }

  private static NodeConfig.Consensus section(boolean join, HostPort bind,
      List<VoterAddress> voters, Duration snapshotInterval) {
    return new NodeConfig.Consensus(true, bind, voters, join, Duration.ofMillis(50),
        Duration.ofMillis(100), true, Duration.ofSeconds(5), 10_000, snapshotInterval, 4,
        DataSize.ofKibibytes(128), DataSize.ofKibibytes(8), DataSize.ofMebibytes(1), null);
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void consensusConfig_emptyVoters_isThisNodeAloneAtBind() {
    ConsensusConfig c = ConsensusComponent.consensusConfig(
        section(false, new HostPort("127.0.0.1", 7611), List.of(), Duration.ofMinutes(10)),
        new LocalNode("edge-1", state), null, Clock.systemUTC());

    assertThat(c.voters()).containsExactly(new Voter("edge-1", "127.0.0.1", 7611));
    assertThat(c.joining()).isFalse();
    assertThat(c.storageDir()).isEqualTo(state.resolve("raft"));
    assertThat(c.electionTimeoutMin()).isEqualTo(Duration.ofMillis(50));
    assertThat(c.requestTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.snapshotRetention()).isEqualTo(4);
    assertThat(c.segmentSizeBytes()).isEqualTo(128 * 1024);
    assertThat(c.maxValueBytes()).isEqualTo(8 * 1024);
    assertThat(c.fastFailover()).isTrue();
  }

  @Test
  void consensusConfig_fastFailoverOff_reachesTheModule() {
    NodeConfig.Consensus on = section(false, new HostPort("127.0.0.1", 7611), List.of(),
        Duration.ofMinutes(10));
    NodeConfig.Consensus off = new NodeConfig.Consensus(true, on.bind(), on.voters(), false,
        on.electionTimeoutMin(), on.electionTimeoutMax(), false, on.requestTimeout(),
        on.snapshotThreshold(), on.snapshotInterval(), on.snapshotRetention(),
        on.logSegmentSize(), on.maxValueSize(), on.minFreeSpace(), null);

    assertThat(ConsensusComponent.consensusConfig(off, new LocalNode("edge-1", state), null,
        Clock.systemUTC()).fastFailover()).isFalse();
  }

  @Test
  void consensusConfig_join_addsSelfOutsideTheListedVoters() {
    ConsensusConfig c = ConsensusComponent.consensusConfig(
        section(true, new HostPort("10.0.0.4", 7601),
            List.of(VoterAddress.parse("n1@10.0.0.1:7601"), VoterAddress.parse("n2@10.0.0.2:7601"),
                VoterAddress.parse("n3@10.0.0.3:7601")), Duration.ofMinutes(10)),
        new LocalNode("n4", state), null, Clock.systemUTC());

    assertThat(c.joining()).isTrue();
    assertThat(c.self()).isEqualTo(new Voter("n4", "10.0.0.4", 7601));
    assertThat(c.voters()).extracting(Voter::id).containsExactly("n1", "n2", "n3", "n4");
  }

  @Test
  void store_beforeStartAndAfterClose_throwsNamingState() {
    NodeConfig config = NodeConfig.defaults().withConsensus(
        section(false, new HostPort("127.0.0.1", freePort()), List.of(), Duration.ofMinutes(1)));
    {
      ConsensusComponent component = new ConsensusComponent(config, new LocalNode("n1", state),
          null, registry, scheduler, Clock.systemUTC());

      assertThatThrownBy(component::store).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("not started");
      component.close();
      assertThatThrownBy(component::store).hasMessageContaining("closed");
      component.start(); // after close: stays closed, opens nothing
      assertThatThrownBy(component::store).hasMessageContaining("closed");
    }
  }

  @Test
  void supervisedStore_snapshotIntervalTakesASnapshotAfterAWrite() throws Exception {
    NodeConfig config = NodeConfig.defaults().withConsensus(
        section(false, new HostPort("127.0.0.1", freePort()), List.of(), Duration.ofSeconds(1)));
    try (ConsensusComponent component = new ConsensusComponent(config,
        new LocalNode("n1", state), null, registry, scheduler, Clock.systemUTC())) {
      component.start();
      assertThat(await(() -> component.store().status().role()
          == ConsensusStatus.Role.LEADER)).isTrue();

      assertThat(component.store().put("k", new byte[] {1}).get(10, TimeUnit.SECONDS))
          .isPositive();

      // The supervisor's 1 s timer takes it: snapshot-threshold (10,000 entries) is far away.
      assertThat(await(() -> component.store().status().lastSnapshotIndex()
          >= component.store().status().appliedIndex()))
          .as("a snapshot covering the write within a few intervals").isTrue();
      assertThat(registry.get("meshd.raft.snapshots.taken").counter().count()).isPositive();
      assertThat(component.status().writesRefused()).isFalse();
      assertThat(component.status().rebuilds()).isZero();
    }
  }

  private static boolean await(BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return true;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }
    return condition.getAsBoolean();
  }
}
