package dev.x0tta6bl4.node.heal;

import dev.x0tta6bl4.node.cluster.AdvertRewrite;
import dev.x0tta6bl4.node.cluster.LocalCluster;
import dev.x0tta6bl4.node.cluster.LocalCluster.ClusterNode;
import dev.x0tta6bl4.node.mesh.MeshService;
import dev.x0tta6bl4.node.routing.LinkStateAdvert;
import dev.x0tta6bl4.node.transport.FaultPlans;
import dev.x0tta6bl4.node.transport.Frame;
import dev.x0tta6bl4.node.transport.FrameRewriter;
import dev.x0tta6bl4.node.transport.FrameType;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** The faults of the mesh healing scenarios, on a {@link LocalCluster}'s fault controller. */
final class MeshFaults {
  /**
   * The diamond with a leaf: n0 links to n1, n2 and the leaf n4; n3 links to n1 and n2. Every
   * node but n4 has two ways to every other, so one link or one of n1, n2, n3 can fail.
   */
  static final LocalCluster.Topology DIAMOND_WITH_LEAF = (i, n) -> switch (i) {
    case 1, 2, 4 -> List.of(0);
    case 3 -> List.of(1, 2);
    default -> List.of();
  };

  private MeshFaults() {}

  /** Both directions of the link a–b drop everything, at both ends. */
  static void cutLink(LocalCluster cluster, String a, String b) {
    cluster.faults().set(a, b, FaultPlans.partition());
    cluster.faults().set(b, a, FaultPlans.partition());
  }

  static void mendLink(LocalCluster cluster, String a, String b) {
    cluster.faults().reset(a, b);
    cluster.faults().reset(b, a);
  }

  /**
   * A relay that forges every link-state advert it forwards (except its own): the body claims
   * the origin's only link is a free one to the relay, the origin's signature is kept. Counts the
   * frames forged and remembers when the first one was written.
   */
  static final class Forger implements FrameRewriter {
    final String relay;
    final AtomicInteger forged = new AtomicInteger();
    final AtomicLong firstForgedNanos = new AtomicLong();

    Forger(String relay) {
      this.relay = relay;
    }

    @Override
    public Frame rewrite(Frame frame) {
      if (!(frame instanceof Frame.Opaque opaque) || opaque.type() != FrameType.LINK_STATE_ADVERT) {
        return frame;
      }
      Frame altered = forge(opaque);
      if (altered != frame) {
        if (forged.getAndIncrement() == 0) {
          firstForgedNanos.set(System.nanoTime());
        }
      }
      return altered;
    }

    private Frame forge(Frame.Opaque opaque) {
      return AdvertRewrite.rewriteAdvertOf(origin -> !origin.equals(relay), opaque,
          advert -> new LinkStateAdvert(advert.origin(), advert.sequence(),
              advert.maxAgeMillis(), List.of(new LinkStateAdvert.Link(relay, 1))))
          .orElse(opaque);
    }
  }

  /**
   * Makes {@code origin} flood new adverts now: its link to {@code peer} briefly costs more, then
   * its measured cost again (two adverts).
   */
  static void provokeAdverts(ClusterNode origin, String peer) {
    HealingLoops.join(origin.mesh().setLinkCostFactor(peer, 1.5));
    HealingLoops.join(origin.mesh().setLinkCostFactor(peer, 1));
  }

  /** Sends one message and waits (bounded) for its end-to-end outcome. */
  static boolean delivered(ClusterNode from, String to) {
    return outcome(send(from, to));
  }

  static CompletableFuture<MeshService.Outcome> send(ClusterNode from, String to) {
    return from.mesh().send(to, "heal-test", new byte[] {1}, null)
        .thenCompose(MeshService.Accepted::outcome);
  }

  static boolean outcome(CompletableFuture<MeshService.Outcome> outcome) {
    try {
      return outcome.get(10, TimeUnit.SECONDS).delivered();
    } catch (Exception e) {
      return false;
    }
  }

  /** Whether {@code node} routes to {@code destination} other than over a link to {@code avoid}. */
  static boolean routesAround(ClusterNode node, String destination, String avoid) {
    return node.mesh().routeTable().nextHop(destination).filter(hop -> !hop.equals(avoid))
        .isPresent();
  }
}
