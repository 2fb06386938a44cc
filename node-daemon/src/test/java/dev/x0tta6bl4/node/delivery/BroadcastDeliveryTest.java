package dev.x0tta6bl4.node.delivery;

import static dev.x0tta6bl4.node.delivery.DeliveryTestNetwork.MS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.x0tta6bl4.node.delivery.DeliveryAction.DeliverBroadcast;
import dev.x0tta6bl4.node.delivery.DeliveryAction.ForwardBroadcast;
import dev.x0tta6bl4.node.delivery.DeliveryTestNetwork.LinkSpec;
import dev.x0tta6bl4.node.delivery.DeliveryTestNetwork.Node;
import dev.x0tta6bl4.node.delivery.DeliveryTestNetwork.Routes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BroadcastDeliveryTest {
  private static final long T0 = 1_000 * MS;

  @Test
  void broadcast_sixteenNodesRandomTopology_everyNodeDeliversEachOfThousandExactlyOnce() {
    long seed = System.nanoTime();
    SplittableRandom topology = new SplittableRandom(seed);
    DeliveryTestNetwork net = new DeliveryTestNetwork(seed, DeliverySettings.defaults());
    int n = 16;
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add("n" + i);
      net.add("n" + i);
    }
    LinkSpec spec = new LinkSpec(MS, 3 * MS, 0, 0.1);
    Set<String> edges = new HashSet<>();
    for (int i = 1; i < n; i++) {
      int j = topology.nextInt(i);
      net.connect(ids.get(i), ids.get(j), spec);
      edges.add(j + "-" + i);
    }
    while (edges.size() < n - 1 + 12) {
      int i = topology.nextInt(n);
      int j = topology.nextInt(n);
      if (i < j && edges.add(i + "-" + j)) {
        net.connect(ids.get(i), ids.get(j), spec);
      }
    }
    List<BroadcastId> sent = new ArrayList<>();
    for (int k = 0; k < 1_000; k++) {
      Node origin = net.node(ids.get(topology.nextInt(n)));
      SendResult<BroadcastId> r = origin.broadcast.broadcast("all", new byte[64], null, net.now);
      sent.add(((SendResult.Accepted<BroadcastId>) r).id());
      if (k % 4 == 0) {
        net.runFor(MS);
      }
    }
    net.runFor(2_000 * MS);

    String why = "seed=" + seed;
    assertThat(net.framesInTransit()).as(why).isZero();
    for (Node node : net.nodes.values()) {
      assertThat(node.broadcasts).as(why + " at " + node.id).extracting(BroadcastMessage::id)
          .hasSize(1_000).containsExactlyInAnyOrderElementsOf(sent);
      assertThat(node.broadcast.stats().duplicatesSuppressed()).as(why).isPositive();
      assertThat(node.broadcast.trackedOrigins()).as(why).isLessThanOrEqualTo(n - 1);
    }
  }

  private final List<DeliveryAction> actions = new ArrayList<>();
  private final Routes routes = new Routes();

  private BroadcastDelivery core(String id, DeliverySettings settings) {
    return new BroadcastDelivery(id, 9, routes, settings, actions::add);
  }

  private static BroadcastMessage bc(String origin, long boot, long seq, int ttl) {
    return new BroadcastMessage(new BroadcastId(origin, boot, seq), ttl, "t", null, new byte[4]);
  }

  private List<String> forwardedTo() {
    List<String> out = new ArrayList<>();
    for (DeliveryAction a : actions) {
      if (a instanceof ForwardBroadcast f) {
        out.add(f.neighbour() + ":" + f.message().ttl());
      }
    }
    return out;
  }

  private long deliveries() {
    return actions.stream().filter(a -> a instanceof DeliverBroadcast).count();
  }

  @Test
  void broadcast_own_deliversLocallyAndSendsToEveryNeighbour() {
    routes.neighbours.addAll(List.of("b", "c"));
    BroadcastDelivery a = core("a", DeliverySettings.defaults());
    SendResult<BroadcastId> r = a.broadcast("t", new byte[1], null, T0);
    assertThat(r).isEqualTo(new SendResult.Accepted<>(new BroadcastId("a", 9, 1)));
    assertThat(deliveries()).isEqualTo(1);
    assertThat(forwardedTo()).containsExactly("b:64", "c:64");

    a.broadcastReceived("b", bc("a", 9, 1, 31), T0);
    assertThat(deliveries()).isEqualTo(1);
    assertThat(a.stats().duplicatesSuppressed()).isEqualTo(1);
  }

  @Test
  void broadcastReceived_new_deliversAndRelaysToAllButSenderWithTtlMinusOne() {
    routes.neighbours.addAll(List.of("b", "c", "d"));
    BroadcastDelivery x = core("x", DeliverySettings.defaults());
    x.broadcastReceived("c", bc("o", 1, 1, 5), T0);
    x.broadcastReceived("b", bc("o", 1, 1, 4), T0);
    x.broadcastReceived("d", bc("o", 1, 2, 1), T0);

    assertThat(deliveries()).isEqualTo(2);
    assertThat(forwardedTo()).containsExactly("b:4", "d:4");
    assertThat(x.stats().notRelayed()).isEqualTo(1);
    assertThat(x.stats().duplicatesSuppressed()).isEqualTo(1);
  }

  @Test
  void broadcastReceived_replayedLater_notDeliveredAgainAndWindowStaysBounded() {
    BroadcastDelivery x = core("x", DeliverySettings.builder().broadcastWindow(1_024).build());
    Map<String, Integer> counts = new HashMap<>();
    for (int round = 0; round < 2; round++) {
      for (long s = 1; s <= 5_000; s++) {
        for (String origin : new String[] {"o1", "o2"}) {
          x.broadcastReceived("y", bc(origin, 1, s, 3), T0 + s);
        }
      }
    }
    for (DeliveryAction a : actions) {
      if (a instanceof DeliverBroadcast d) {
        counts.merge(d.message().id().toString(), 1, Integer::sum);
      }
    }
    assertThat(counts).hasSize(10_000);
    assertThat(counts.values()).allSatisfy(c -> assertThat(c).isEqualTo(1));
    assertThat(x.trackedOrigins()).isEqualTo(2);
    // Second round: the newest 1,024 of each origin are duplicates, the older ones are stale.
    assertThat(x.stats().duplicatesSuppressed()).isEqualTo(2 * 1_024);
    assertThat(x.stats().dropped().get(DropReason.STALE)).isEqualTo(2 * (5_000 - 1_024));
  }

  @Test
  void broadcastReceived_originsOverCap_refusedUntilSeenHoldExpires() {
    BroadcastDelivery x = core("x", DeliverySettings.builder().maxOrigins(2)
        .seenHold(java.time.Duration.ofSeconds(1)).build());
    x.broadcastReceived("y", bc("o1", 1, 1, 3), T0);
    x.broadcastReceived("y", bc("o2", 1, 1, 3), T0);
    x.broadcastReceived("y", bc("o3", 1, 1, 3), T0);
    assertThat(x.stats().dropped().get(DropReason.TABLE_FULL)).isEqualTo(1);

    x.tick(T0 + 1_000 * MS);
    assertThat(x.trackedOrigins()).isZero();
    x.broadcastReceived("y", bc("o3", 1, 1, 3), T0 + 1_000 * MS);
    assertThat(deliveries()).isEqualTo(3);
  }

  @Test
  void broadcastReceived_newerBootResetsOlderBootDropped() {
    BroadcastDelivery x = core("x", DeliverySettings.defaults());
    x.broadcastReceived("y", bc("o", 2, 7, 3), T0);
    x.broadcastReceived("y", bc("o", 1, 8, 3), T0);
    x.broadcastReceived("y", bc("o", 3, 1, 3), T0);
    x.broadcastReceived("y", bc("o", 2, 8, 3), T0);
    assertThat(deliveries()).isEqualTo(2);
    assertThat(x.stats().dropped().get(DropReason.STALE_BOOT)).isEqualTo(2);
  }

  @Test
  void broadcast_lineWithSmallTtl_reachesOnlyTtlHops() {
    DeliveryTestNetwork net = new DeliveryTestNetwork(11,
        DeliverySettings.builder().defaultTtl(2).build());
    String[] line = {"a", "b", "c", "d"};
    for (String id : line) {
      net.add(id);
    }
    for (int i = 0; i + 1 < line.length; i++) {
      net.connect(line[i], line[i + 1], LinkSpec.ideal(MS));
    }
    net.node("a").broadcast.broadcast("t", new byte[1], null, net.now);
    net.runFor(20 * MS);
    assertThat(net.node("b").broadcasts).hasSize(1);
    assertThat(net.node("c").broadcasts).hasSize(1);
    assertThat(net.node("d").broadcasts).isEmpty();
  }
}
