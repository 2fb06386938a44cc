package dev.x0tta6bl4.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.x0tta6bl4.node.cluster.LocalCluster.ClusterNode;
import dev.x0tta6bl4.node.cluster.LocalCluster.Topology;
import dev.x0tta6bl4.node.mesh.MeshService;
import dev.x0tta6bl4.node.routing.LinkStateAdvert;
import dev.x0tta6bl4.node.routing.NeighbourAdvertStats;
import dev.x0tta6bl4.node.routing.RejectReason;
import dev.x0tta6bl4.node.transport.Frame;
import dev.x0tta6bl4.node.transport.FrameType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A misbehaving relay on real nodes over post-quantum TLS: the relay's own TLS and certificate are
 * valid, but it alters or replays the link-state adverts it forwards. The receiving node must
 * reject them (a signature failure for an altered advert, staleness for a replayed one), count
 * them against that relay, and keep routing on the authentic adverts.
 *
 * <p>The mesh is a diamond with a leaf: {@code n0} (the origin) links to {@code n1} (the relay
 * that misbehaves towards {@code n3}) and {@code n2} (an honest relay); {@code n3} (the observer)
 * links to {@code n1} and {@code n2}; {@code n4} is a leaf on {@code n0}, stopped and started to
 * make {@code n0} originate new adverts at a moment the test chooses.
 */
class AdvertTamperingTest {
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final Topology DIAMOND_WITH_LEAF = (i, n) -> switch (i) {
    case 1, 2, 4 -> List.of(0);
    case 3 -> List.of(1, 2);
    default -> List.of();
  };

  @TempDir Path dir;

  @Test
  void relayThatAltersAdverts_isDetectedBySignature_andTheAlteredAdvertIsNotUsed()
      throws Exception {
    try (LocalCluster cluster = LocalCluster.start(dir, 5, DIAMOND_WITH_LEAF)) {
      cluster.awaitTopology(WAIT);
      ClusterNode origin = cluster.node(0);
      ClusterNode observer = cluster.node(3);
      awaitRoute(observer, "n4");

      // n1 now tells n3 that n0's only link is a free one to n1: a lie that, if believed, would
      // make n1 the way to n0 and cut n2 out.
      AtomicInteger forged = new AtomicInteger();
      cluster.faults().rewrite("n1", "n3", frame -> {
        Optional<Frame> altered = AdvertRewrite.rewriteAdvertOf("n0"::equals, frame,
            advert -> new LinkStateAdvert(advert.origin(), advert.sequence(),
                advert.maxAgeMillis(), List.of(new LinkStateAdvert.Link("n1", 1))));
        altered.ifPresent(f -> forged.incrementAndGet());
        return altered.orElse(frame);
      });
      cluster.node(4).stop(); // n0 originates a new advert without n4, flooded via n1 and n2

      LocalCluster.await(() -> rejected(observer, "n1", RejectReason.BAD_SIGNATURE) >= 1, WAIT,
          () -> "n3 rejects n0's altered advert from n1 (forged " + forged + ", stats "
              + join(observer.mesh().advertStats()) + ")");
      // n0 re-advertises as its link costs settle; at some moment n3 holds exactly n0's own.
      AtomicReference<LinkStateAdvert> own = new AtomicReference<>();
      LocalCluster.await(() -> {
        own.set(join(origin.mesh().heldAdvert("n0")).orElseThrow());
        return join(observer.mesh().heldAdvert("n0")).equals(Optional.of(own.get()));
      }, WAIT, () -> "n3 holds n0's own advert " + own + ", not "
          + join(observer.mesh().heldAdvert("n0")));

      assertThat(forged.get()).isPositive();
      assertThat(neighbours(own.get())).isEqualTo(Set.of("n1", "n2"));
      assertThat(rejected(observer, "n2", RejectReason.BAD_SIGNATURE)).isZero();
      assertThat(peer(observer, "n1").advertsRejected()).containsKey("bad_signature");
      for (int i = 0; i < 20; i++) {
        MeshService.Outcome outcome = join(join(observer.mesh()
            .send("n0", "tamper-test", new byte[] {(byte) i}, null)).outcome());
        assertThat(outcome.delivered()).as("message %d from n3 to n0: %s", i, outcome).isTrue();
      }
    }
  }

  @Test
  void replayedOldAdvert_isRejectedAsStale_andChangesNothing() throws Exception {
    try (LocalCluster cluster = LocalCluster.start(dir, 5, DIAMOND_WITH_LEAF)) {
      cluster.awaitTopology(WAIT);
      ClusterNode origin = cluster.node(0);
      ClusterNode observer = cluster.node(3);
      awaitRoute(observer, "n4");

      // Record what n1 relays of n0 while n4 is away, then bring n4 back: n0's newer advert
      // (with n4) supersedes the recorded one everywhere.
      List<Frame> recorded = new CopyOnWriteArrayList<>();
      AtomicInteger parsedWrong = new AtomicInteger();
      cluster.faults().rewrite("n1", "n3", frame -> {
        AdvertRewrite.rewriteAdvertOf("n0"::equals, frame, advert -> advert).ifPresent(copy -> {
          recorded.add(frame);
          if (!copy.equals(frame)) {
            parsedWrong.incrementAndGet(); // the rewriting in the other test would be suspect
          }
        });
        return frame;
      });
      cluster.node(4).stop();
      LocalCluster.await(() -> !recorded.isEmpty()
              && join(observer.mesh().routes()).stream().noneMatch(r -> r.destination().equals("n4")),
          WAIT, () -> "n3 learns that n4 is gone (recorded " + recorded.size() + ")");
      assertThat(parsedWrong.get()).as("unaltered rewrites reproduce the frame").isZero();
      Frame old = recorded.get(recorded.size() - 1);
      long replayedSequence = sequenceOf(old);
      cluster.node(4).start();
      cluster.awaitTopology(WAIT);
      awaitRoute(observer, "n4");
      LinkStateAdvert current = join(origin.mesh().heldAdvert("n0")).orElseThrow();
      LocalCluster.await(
          () -> join(observer.mesh().heldAdvert("n0")).map(LinkStateAdvert::sequence)
              .filter(seq -> seq == current.sequence()).isPresent(),
          WAIT, () -> "n3 holds n0's advert #" + current.sequence());
      long staleBefore = rejected(observer, "n1", RejectReason.STALE);

      // n1 replays the recorded advert (n0 without n4) in place of its next heartbeat to n3.
      AtomicReference<Frame> replay = new AtomicReference<>(old);
      cluster.faults().rewrite("n1", "n3", frame -> {
        if (frame.type() == FrameType.HEARTBEAT) {
          Frame replayed = replay.getAndSet(null);
          return replayed == null ? frame : replayed;
        }
        return frame;
      });
      LocalCluster.await(() -> rejected(observer, "n1", RejectReason.STALE) > staleBefore, WAIT,
          () -> "n3 rejects the replayed advert as stale (replayed: " + (replay.get() == null)
              + ", stats " + join(observer.mesh().advertStats()) + ")");

      assertThat(replay.get()).as("the old advert was sent").isNull();
      // n0 may have re-advertised since (costs settling after n4's return), never gone back.
      LinkStateAdvert held = join(observer.mesh().heldAdvert("n0")).orElseThrow();
      assertThat(Long.compareUnsigned(held.sequence(), current.sequence())).isNotNegative();
      assertThat(Long.compareUnsigned(held.sequence(), replayedSequence)).isPositive();
      assertThat(neighbours(held)).contains("n4");
      awaitRoute(observer, "n4"); // n4's own link may still be settling after its restart
      MeshService.Outcome outcome = join(join(observer.mesh()
          .send("n4", "replay-test", new byte[] {1}, null)).outcome());
      assertThat(outcome.delivered()).as("n3 to n4 after the replay: %s", outcome).isTrue();
    }
  }

  private static void awaitRoute(ClusterNode node, String destination) {
    LocalCluster.await(() -> join(node.mesh().routes()).stream()
            .anyMatch(r -> r.destination().equals(destination)),
        WAIT, () -> node.id() + " has a route to " + destination);
  }

  private static long rejected(ClusterNode node, String neighbour, RejectReason reason) {
    NeighbourAdvertStats stats = join(node.mesh().advertStats()).get(neighbour);
    return stats == null ? 0 : stats.rejected(reason);
  }

  private static MeshService.PeerInfo peer(ClusterNode node, String peerId) {
    return join(node.mesh().peers()).stream().filter(p -> p.nodeId().equals(peerId))
        .findFirst().orElseThrow();
  }

  private static long sequenceOf(Frame advertFrame) {
    AtomicReference<LinkStateAdvert> seen = new AtomicReference<>();
    AdvertRewrite.rewriteAdvertOf("n0"::equals, advertFrame, advert -> {
      seen.set(advert);
      return advert;
    });
    return seen.get().sequence();
  }

  private static Set<String> neighbours(LinkStateAdvert advert) {
    return advert.links().stream().map(LinkStateAdvert.Link::neighbour).collect(Collectors.toSet());
  }

  private static <T> T join(CompletableFuture<T> future) {
    try {
      return future.get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
