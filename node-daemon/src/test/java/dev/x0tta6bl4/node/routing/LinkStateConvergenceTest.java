package dev.x0tta6bl4.node.routing;

import static dev.x0tta6bl4.node.routing.RouterNetwork.MS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.x0tta6bl4.node.routing.RoutingAction.RoutesChanged;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Routers exchanging adverts over {@link RouterNetwork} in virtual time. */
class LinkStateConvergenceTest {
  private static final long SEC = 1_000 * MS;

  private static RouterNetwork network(long seed) {
    System.out.println("LinkStateConvergenceTest seed=" + seed);
    return new RouterNetwork(seed, RoutingSettings.defaults());
  }

  private static void ring(RouterNetwork net, int size) {
    for (int i = 0; i < size; i++) {
      net.addNode("r" + i);
    }
    for (int i = 0; i < size; i++) {
      net.linkUp("r" + i, "r" + ((i + 1) % size), 10);
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {11L, 12L, 13L})
  void randomConnectedTopology_convergesToConsistentLoopFreeShortestPaths(long seed) {
    RouterNetwork net = network(seed);
    Random random = new Random(seed);
    int nodes = 40;
    for (int i = 0; i < nodes; i++) {
      net.addNode(String.format("n%02d", i));
    }
    for (int i = 1; i < nodes; i++) {
      net.linkUp(String.format("n%02d", i), String.format("n%02d", random.nextInt(i)),
          1 + random.nextInt(100));
    }
    for (int extra = 0; extra < nodes; extra++) {
      String a = String.format("n%02d", random.nextInt(nodes));
      String b = String.format("n%02d", random.nextInt(nodes));
      if (!a.equals(b) && !net.linksOf(a).containsKey(b)) {
        net.linkUp(a, b, 1 + random.nextInt(100));
      }
    }

    net.runFor(2 * SEC);

    net.assertConverged();
    assertThat(net.rejections()).noneMatch(r -> r.reason() != RejectReason.STALE);
  }

  @Test
  void ringLinkCut_localRouterReroutesAtOnceThenEveryoneConverges() {
    RouterNetwork net = network(21L);
    ring(net, 6);
    net.runFor(2 * SEC);
    net.assertConverged();
    assertThat(net.router("r0").routes().nextHop("r1")).contains("r1");

    List<RoutingAction> actions = net.router("r0").localLinkDown("r1", net.now());

    RoutesChanged changed =
        actions.stream().filter(RoutesChanged.class::isInstance).map(RoutesChanged.class::cast)
            .findFirst().orElseThrow();
    assertThat(changed.routes().route("r1")).contains(new Route("r1", "r5", 50, 5));
    assertThat(changed.routes().nextHop("r2")).contains("r5");
    net.linkDown("r0", "r1");
    net.runFor(SEC);
    net.assertConverged();
  }

  @Test
  void partitionThenMerge_eachSideConvergesToItsReachableSetThenAllReconverge() {
    RouterNetwork net = network(31L);
    ring(net, 8);
    net.runFor(2 * SEC);

    net.linkDown("r0", "r1");
    net.linkDown("r4", "r5");
    net.runFor(SEC);

    net.assertConverged();
    assertThat(net.router("r2").routes().destinations()).containsExactly("r1", "r3", "r4");
    assertThat(net.router("r6").routes().destinations()).containsExactly("r0", "r5", "r7");
    // Adverts of the far side are kept until they age out, but give no route.
    assertThat(net.router("r2").advert("r6")).isPresent();

    net.runFor(100 * SEC);
    assertThat(net.router("r2").advert("r6")).isEmpty();
    net.assertConverged();

    net.linkUp("r4", "r5", 10);
    net.runFor(SEC);
    net.assertConverged();
    assertThat(net.router("r2").routes().size()).isEqualTo(7);
  }

  @Test
  void crashedNode_advertAgesOutEverywhere() {
    RouterNetwork net = network(41L);
    ring(net, 5);
    net.linkUp("r0", "r2", 10);
    net.runFor(2 * SEC);
    assertThat(net.router("r3").advert("r1")).isPresent();

    net.crash("r1");
    net.runFor(SEC);
    net.assertConverged();
    assertThat(net.router("r3").advert("r1")).isPresent();

    net.runFor(95 * SEC);
    for (LinkStateRouter router : net.routers().values()) {
      assertThat(router.advert("r1")).as("r1 at %s", router.localNodeId()).isEmpty();
    }
    net.assertConverged();
  }

  @Test
  void restartedNode_outnumbersItsPreviousLifeAndIsRoutedAgain() {
    RouterNetwork net = network(51L);
    ring(net, 4);
    net.runFor(2 * SEC);
    net.crash("r2");
    net.runFor(SEC);

    // Restarted with a clock that went back: its first sequence is below the old one.
    net.addNode("r2", 1_600_000_000_000L);
    net.linkUp("r1", "r2", 10);
    net.linkUp("r2", "r3", 10);
    net.runFor(2 * SEC);

    net.assertConverged();
    long mine = net.router("r2").localSequence().orElseThrow();
    assertThat(Long.compareUnsigned(mine, LinkStateAdvert.sequenceBase(1_700_000_000_000L)))
        .isPositive();
    assertThat(net.router("r0").advert("r2").orElseThrow().sequence()).isEqualTo(mine);
  }

  @Test
  void tamperingRelay_detectedCountedAndItsAlteredCopiesNeverUsed() {
    RouterNetwork net = network(61L);
    // Two paths from r0 to r3: via r1 (honest) and via r2 (tampers with what it relays).
    for (String id : List.of("r0", "r1", "r2", "r3")) {
      net.addNode(id);
    }
    net.tamperer(
        (from, to, wire) -> {
          if (!from.equals("r2")) {
            return wire;
          }
          LinkStateAdvert advert = FakeAdvertAuth.verifier().parse(wire);
          if (advert.origin().equals("r2")) {
            return wire;
          }
          byte[] altered = wire.clone();
          altered[FakeAdvertAuth.lastBodyByte(altered)] |= 0x40;
          return altered;
        });
    net.linkUp("r0", "r1", 10);
    net.linkUp("r1", "r3", 10);
    net.linkUp("r0", "r2", 10);
    net.linkUp("r2", "r3", 10);
    net.runFor(2 * SEC);

    net.assertConverged();
    assertThat(net.rejections())
        .isNotEmpty()
        .allSatisfy(r -> {
          assertThat(r.fromNeighbour()).isEqualTo("r2");
          // An altered link count fails to parse (MALFORMED); an altered cost fails the signature.
          assertThat(r.reason())
              .isIn(RejectReason.BAD_SIGNATURE, RejectReason.MALFORMED, RejectReason.STALE);
        });
    assertThat(net.router("r0").neighbourStats().get("r2").rejected(RejectReason.BAD_SIGNATURE))
        .isPositive();
    assertThat(net.router("r0").rejectedFrom("r1")).isZero();
  }

  @Test
  void replayedOldAdvert_changesNothingAnywhere() {
    RouterNetwork net = network(71L);
    ring(net, 5);
    net.runFor(2 * SEC);
    byte[] old = FakeAdvertAuth.signAs("r3", new LinkStateAdvert("r3", 1, 90_000, List.of()));
    List<RouteTable> before = new ArrayList<>();
    net.routers().values().forEach(r -> before.add(r.routes()));
    long deliveries = net.deliveries();

    List<RoutingAction> actions = net.inject("r1", "r0", old);
    net.runFor(SEC);

    assertThat(actions).singleElement().isInstanceOfSatisfying(
        RoutingAction.AdvertRejected.class,
        r -> assertThat(r.reason()).isEqualTo(RejectReason.STALE));
    List<RouteTable> after = new ArrayList<>();
    net.routers().values().forEach(r -> after.add(r.routes()));
    assertThat(after).isEqualTo(before);
    assertThat(net.deliveries()).isEqualTo(deliveries);
  }

  @ParameterizedTest
  @ValueSource(longs = {101L, 202L})
  void manyLinkFailuresAndRepairs_convergeAfterEveryQuietPeriod(long seed) {
    RouterNetwork net = network(seed);
    Random random = new Random(seed);
    int nodes = 60;
    List<String[]> edges = new ArrayList<>();
    for (int i = 0; i < nodes; i++) {
      net.addNode(String.format("m%02d", i));
    }
    for (int i = 1; i < nodes; i++) {
      edges.add(new String[] {String.format("m%02d", i), String.format("m%02d", random.nextInt(i))});
    }
    for (int extra = 0; extra < nodes * 2; extra++) {
      String a = String.format("m%02d", random.nextInt(nodes));
      String b = String.format("m%02d", random.nextInt(nodes));
      if (!a.equals(b)) {
        edges.add(new String[] {a, b});
      }
    }
    for (String[] edge : edges) {
      if (!net.linksOf(edge[0]).containsKey(edge[1])) {
        net.linkUp(edge[0], edge[1], 1 + random.nextInt(50));
      }
    }
    net.runFor(2 * SEC);
    net.assertConverged();
    for (int round = 0; round < 40; round++) {
      for (int change = 0; change < 5; change++) {
        String[] edge = edges.get(random.nextInt(edges.size()));
        if (net.linksOf(edge[0]).containsKey(edge[1])) {
          net.linkDown(edge[0], edge[1]);
        } else {
          net.linkUp(edge[0], edge[1], 1 + random.nextInt(50));
        }
        net.runFor(random.nextInt(20) * MS);
      }
      net.runFor(SEC);
      net.assertConverged();
    }
  }
}
