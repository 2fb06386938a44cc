package dev.x0tta6bl4.node.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.x0tta6bl4.node.routing.RoutingAction.AdvertRejected;
import dev.x0tta6bl4.node.routing.RoutingAction.FloodAdvert;
import dev.x0tta6bl4.node.routing.RoutingAction.RoutesChanged;
import dev.x0tta6bl4.node.routing.RoutingAction.SendAdvert;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class LinkStateRouterTest {
  private static final long MS = 1_000_000L;
  private static final long SEC = 1_000 * MS;
  private static final long BOOT = 1_700_000_000_000L;
  private static final long SEED = 7L;

  private long now = 10 * SEC;
  private final LinkStateRouter router =
      new LinkStateRouter(
          "a", BOOT, RoutingSettings.defaults(), FakeAdvertAuth.signer("a"),
          FakeAdvertAuth.verifier(), new Random(SEED));

  private static byte[] advert(String origin, long seq, String... neighbours) {
    List<LinkStateAdvert.Link> links = new ArrayList<>();
    for (String neighbour : neighbours) {
      links.add(new LinkStateAdvert.Link(neighbour, 10));
    }
    return FakeAdvertAuth.signAs(origin, new LinkStateAdvert(origin, seq, 90_000, links));
  }

  private static <T extends RoutingAction> List<T> only(List<RoutingAction> actions, Class<T> type) {
    List<T> out = new ArrayList<>();
    for (RoutingAction action : actions) {
      if (type.isInstance(action)) {
        out.add(type.cast(action));
      }
    }
    return out;
  }

  private static byte[] advert(String origin, long seq, TreeMap<String, Long> costs) {
    List<LinkStateAdvert.Link> links = new ArrayList<>();
    costs.forEach((neighbour, cost) -> links.add(new LinkStateAdvert.Link(neighbour, cost)));
    return FakeAdvertAuth.signAs(origin, new LinkStateAdvert(origin, seq, 90_000, links));
  }

  private static TreeMap<String, Long> costs(Object... neighbourCostPairs) {
    TreeMap<String, Long> out = new TreeMap<>();
    for (int i = 0; i < neighbourCostPairs.length; i += 2) {
      out.put((String) neighbourCostPairs[i], ((Number) neighbourCostPairs[i + 1]).longValue());
    }
    return out;
  }

  /** a-b and a-c up, b advertises a and d, c advertises a; routes taken in. */
  private void star() {
    router.localLinkUp("b", 10, now);
    router.localLinkUp("c", 10, now);
    router.advertReceived("b", advert("b", 5, "a", "d"), now);
    router.advertReceived("c", advert("c", 5, "a"), now);
    router.advertReceived("b", advert("d", 5, "b"), now);
    takeHeldRoutes();
  }

  /** Runs the coalesced route recomputation, if one is held, at its deadline (as a driver). */
  private void takeHeldRoutes() {
    router.routeRecomputeDueNanos().ifPresent(due -> router.tick(due));
  }

  @Test
  void firstInput_originatesOwnAdvertAtSequenceBase() {
    List<RoutingAction> actions = router.localLinkUp("b", 10, now);

    assertThat(router.localSequence()).hasValue(LinkStateAdvert.sequenceBase(BOOT));
    FloodAdvert flood = only(actions, FloodAdvert.class).get(0);
    assertThat(flood.toNeighbours()).containsExactly("b");
    LinkStateAdvert own = FakeAdvertAuth.verifier().parse(flood.advert());
    assertThat(own.links()).containsExactly(new LinkStateAdvert.Link("b", 10));
    assertThat(router.routes().route("b")).contains(new Route("b", "b", 10, 1));
  }

  @Test
  void linkChanges_withinMinInterval_coalescedIntoOneAdvertWhenIntervalEnds() {
    router.localLinkUp("b", 10, now);
    long first = router.localSequence().orElseThrow();

    List<RoutingAction> second = router.localLinkUp("c", 10, now + 20 * MS);
    List<RoutingAction> third = router.localLinkCostChanged("b", 30, now + 50 * MS);

    assertThat(only(second, FloodAdvert.class)).isEmpty();
    assertThat(only(third, FloodAdvert.class)).isEmpty();
    assertThat(router.nextTickNanos()).hasValue(now + 100 * MS);
    assertThat(only(router.tick(now + 99 * MS), FloodAdvert.class)).isEmpty();
    List<FloodAdvert> floods = only(router.tick(now + 100 * MS), FloodAdvert.class);
    assertThat(floods).hasSize(1);
    LinkStateAdvert sent = FakeAdvertAuth.verifier().parse(floods.get(0).advert());
    assertThat(sent.sequence()).isEqualTo(first + 1);
    assertThat(sent.links())
        .containsExactly(new LinkStateAdvert.Link("b", 30), new LinkStateAdvert.Link("c", 10));
  }

  @Test
  void refresh_unchangedLinks_reoriginatedWithinJitteredIntervalWithoutRecomputingRoutes() {
    router.localLinkUp("b", 10, now);
    long computations = router.routeComputations();
    long next = router.nextTickNanos().orElseThrow();

    assertThat(next - now).isBetween(27 * SEC, 30 * SEC);
    List<RoutingAction> actions = router.tick(next);

    assertThat(only(actions, FloodAdvert.class)).hasSize(1);
    assertThat(router.routeComputations()).isEqualTo(computations);
  }

  @Test
  void linkUp_sendsEveryHeldAdvertToTheNewNeighbour() {
    star();

    List<RoutingAction> actions = router.localLinkUp("e", 10, now + SEC);

    List<String> synced = new ArrayList<>();
    for (SendAdvert send : only(actions, SendAdvert.class)) {
      assertThat(send.toNeighbour()).isEqualTo("e");
      synced.add(FakeAdvertAuth.verifier().parse(send.advert()).origin());
    }
    assertThat(synced).containsExactly("a", "b", "c", "d");
  }

  @Test
  void newerAdvert_acceptedFloodedToOthersAndRoutesChanged() {
    router.localLinkUp("b", 10, now);
    router.localLinkUp("c", 10, now);
    router.advertReceived("c", advert("c", 5, "a"), now);

    List<RoutingAction> actions = router.advertReceived("b", advert("b", 5, "a", "c"), now);

    assertThat(only(actions, FloodAdvert.class)).singleElement()
        .satisfies(f -> assertThat(f.toNeighbours()).containsExactly("c"));
    assertThat(router.neighbourStats().get("b").accepted()).isEqualTo(1);
    assertThat(router.advert("b").orElseThrow().sequence()).isEqualTo(5);
  }

  @Test
  void replayedOlderAdvert_ignoredNotFloodedCountedAsStale() {
    star();
    router.advertReceived("b", advert("b", 6, "a", "d"), now);
    RouteTable before = router.routes();

    List<RoutingAction> actions = router.advertReceived("c", advert("b", 5, "a"), now + SEC);

    assertThat(only(actions, FloodAdvert.class))
        .as("only the pending own advert goes out")
        .allSatisfy(f -> assertThat(FakeAdvertAuth.verifier().parse(f.advert()).origin()).isEqualTo("a"));
    assertThat(only(actions, RoutesChanged.class)).isEmpty();
    assertThat(only(actions, AdvertRejected.class)).singleElement()
        .satisfies(r -> assertThat(r.reason()).isEqualTo(RejectReason.STALE));
    assertThat(router.routes()).isEqualTo(before);
    assertThat(router.advert("b").orElseThrow().sequence()).isEqualTo(6);
    assertThat(router.neighbourStats().get("c").rejected(RejectReason.STALE)).isEqualTo(1);
  }

  @Test
  void identicalCopy_countedAsDuplicateWithoutRejection() {
    star();
    long computations = router.routeComputations();

    List<RoutingAction> actions = router.advertReceived("c", advert("b", 5, "a", "d"), now);

    assertThat(actions).isEmpty();
    assertThat(router.neighbourStats().get("c").duplicates()).isEqualTo(1);
    assertThat(router.rejectedFrom("c")).isZero();
    assertThat(router.routeComputations()).isEqualTo(computations);
  }

  @Test
  void tamperedAdvert_rejectedAsBadSignatureCountedAgainstRelayAndNotFlooded() {
    star();
    byte[] wire = advert("b", 9, "a", "d");
    wire[FakeAdvertAuth.lastBodyByte(wire)] ^= 0x01;

    List<RoutingAction> actions = router.advertReceived("c", wire, now);

    assertThat(only(actions, FloodAdvert.class)).isEmpty();
    assertThat(only(actions, AdvertRejected.class)).singleElement()
        .satisfies(r -> {
          assertThat(r.fromNeighbour()).isEqualTo("c");
          assertThat(r.reason()).isEqualTo(RejectReason.BAD_SIGNATURE);
        });
    assertThat(router.advert("b").orElseThrow().sequence()).isEqualTo(5);
    assertThat(router.neighbourStats().get("c").rejected(RejectReason.BAD_SIGNATURE)).isEqualTo(1);
    // The genuine advert with that number is still accepted afterwards.
    assertThat(only(router.advertReceived("b", advert("b", 9, "a", "d"), now), FloodAdvert.class))
        .hasSize(1);
  }

  @Test
  void tamperedCopyWithHeldSequence_stillDetected() {
    star();
    byte[] wire = advert("b", 5, "a", "d");
    wire[FakeAdvertAuth.lastBodyByte(wire)] ^= 0x01;

    List<RoutingAction> actions = router.advertReceived("c", wire, now);

    assertThat(only(actions, AdvertRejected.class)).extracting(AdvertRejected::reason)
        .containsExactly(RejectReason.BAD_SIGNATURE);
  }

  @Test
  void advertSignedByAnotherNode_rejectedAsOriginMismatch() {
    star();
    byte[] forged =
        FakeAdvertAuth.signAs("c", new LinkStateAdvert("b", 99, 90_000, List.of()));

    List<RoutingAction> actions = router.advertReceived("c", forged, now);

    assertThat(only(actions, AdvertRejected.class)).extracting(AdvertRejected::reason)
        .containsExactly(RejectReason.ORIGIN_MISMATCH);
    assertThat(router.advert("b").orElseThrow().sequence()).isEqualTo(5);
  }

  @Test
  void garbage_rejectedAsMalformed() {
    router.localLinkUp("b", 10, now);

    List<RoutingAction> actions = router.advertReceived("b", new byte[] {1, 2, 3}, now);

    assertThat(only(actions, AdvertRejected.class)).extracting(AdvertRejected::reason)
        .containsExactly(RejectReason.MALFORMED);
    assertThat(router.neighbourStats().get("b").totalRejected()).isEqualTo(1);
  }

  @Test
  void ownAdvertWithHigherSequence_makesRouterReoriginateAboveIt() {
    router.localLinkUp("b", 10, now);
    long previousLife = LinkStateAdvert.sequenceBase(BOOT) + 5_000;

    router.advertReceived("b", advert("a", previousLife, "x"), now + SEC);

    assertThat(router.localSequence()).hasValue(previousLife + 1);
    assertThat(router.advert("a").orElseThrow().links())
        .containsExactly(new LinkStateAdvert.Link("b", 10));
  }

  @Test
  void agedOutAdvert_removedAndLateCopyCannotReturn() {
    star();
    assertThat(router.routes().route("d")).isPresent();

    router.tick(now + 89 * SEC);
    assertThat(router.advert("d")).isPresent();
    List<RoutingAction> actions = router.tick(now + 90 * SEC);

    assertThat(router.advert("d")).isEmpty();
    assertThat(only(actions, RoutesChanged.class)).isNotEmpty();
    assertThat(router.routes().route("d")).isEmpty();
    List<RoutingAction> late = router.advertReceived("b", advert("d", 5, "b"), now + 91 * SEC);
    assertThat(only(late, AdvertRejected.class)).extracting(AdvertRejected::reason)
        .containsExactly(RejectReason.STALE);
    assertThat(only(router.advertReceived("b", advert("d", 6, "b"), now + 92 * SEC),
        FloodAdvert.class)).hasSize(1);
  }

  @Test
  void localLinkDown_routesRepairedAtOnceFromDatabase() {
    // a-b-d and a-c-d; b is cheaper.
    router.localLinkUp("b", 10, now);
    router.localLinkUp("c", 20, now);
    router.advertReceived("b", advert("b", 5, "a", "d"), now);
    router.advertReceived("c", advert("c", 5, "a", "d"), now);
    router.advertReceived("b", advert("d", 5, "b", "c"), now);
    takeHeldRoutes();
    assertThat(router.routes().nextHop("d")).contains("b");

    List<RoutingAction> actions = router.localLinkDown("b", now + 20 * MS);

    RoutesChanged changed = only(actions, RoutesChanged.class).get(0);
    assertThat(changed.routes().route("d")).contains(new Route("d", "c", 30, 2));
    assertThat(changed.routes().route("b")).contains(new Route("b", "c", 40, 3));
    assertThat(changed.changedDestinations()).containsExactly("b", "d");
  }

  @Test
  void fullDatabase_newOriginRejected() {
    LinkStateRouter small =
        new LinkStateRouter(
            "a", BOOT, RoutingSettings.builder().maxOrigins(2).build(), FakeAdvertAuth.signer("a"),
            FakeAdvertAuth.verifier(), new Random(SEED));
    small.localLinkUp("b", 10, now);
    small.advertReceived("b", advert("b", 1, "a"), now);

    List<RoutingAction> actions = small.advertReceived("b", advert("c", 1, "b"), now);

    assertThat(only(actions, AdvertRejected.class)).extracting(AdvertRejected::reason)
        .containsExactly(RejectReason.DATABASE_FULL);
  }

  @Test
  void invalidInputs_throwRoutingException() {
    assertThatThrownBy(() -> router.localLinkCostChanged("b", 10, now))
        .isInstanceOf(RoutingException.class).hasMessageContaining("not up");
    assertThatThrownBy(() -> router.localLinkUp("a", 10, now))
        .isInstanceOf(RoutingException.class).hasMessageContaining("local node itself");
    assertThatThrownBy(() -> router.localLinkUp("b", 0, now))
        .isInstanceOf(RoutingException.class).hasMessageContaining("cost of link to b");
    assertThat(router.localLinkDown("zz", now)).noneMatch(a -> a instanceof RoutesChanged);
  }

  @Test
  void databaseSummary_listsOriginsWithSequenceAndAge() {
    star();

    List<AdvertSummary> rows = router.databaseSummary(now + 2 * SEC);

    assertThat(rows).extracting(AdvertSummary::origin).containsExactly("a", "b", "c", "d");
    assertThat(rows.get(0).local()).isTrue();
    assertThat(rows.get(1)).isEqualTo(new AdvertSummary("b", 5, 2_000, 88_000, 2, false));
  }

  @Test
  void receivedAdverts_firstAfterQuietComputedAtOnce_restCoalescedUntilHoldDownEnds() {
    router.localLinkUp("b", 10, now);
    router.localLinkUp("c", 10, now);
    router.advertReceived("b", advert("b", 5, "a", "d"), now); // d has no advert: no route yet
    takeHeldRoutes();
    long t = now + SEC; // quiet since
    long computations = router.routeComputations();

    List<RoutingAction> first = router.advertReceived("b", advert("d", 5, "b", "e"), t);
    List<RoutingAction> second = router.advertReceived("b", advert("e", 5, "d", "f"), t + MS);
    List<RoutingAction> third = router.advertReceived("b", advert("f", 5, "e"), t + 2 * MS);

    assertThat(only(first, RoutesChanged.class)).as("first change after quiet: at once")
        .singleElement().satisfies(c -> assertThat(c.changedDestinations()).containsExactly("d"));
    assertThat(router.routeComputations()).isEqualTo(computations + 1);
    assertThat(only(second, RoutesChanged.class)).isEmpty();
    assertThat(only(third, RoutesChanged.class)).isEmpty();
    long due = t + RoutingSettings.DEFAULT_ROUTE_HOLD_DOWN.toNanos();
    assertThat(router.routeRecomputeDueNanos()).hasValue(due);
    assertThat(router.nextTickNanos()).hasValue(due);
    assertThat(router.routes().route("e")).isEmpty();

    assertThat(only(router.tick(due - 1), RoutesChanged.class)).isEmpty();
    List<RoutesChanged> held = only(router.tick(due), RoutesChanged.class);

    assertThat(held).singleElement()
        .satisfies(c -> assertThat(c.changedDestinations()).containsExactly("e", "f"));
    assertThat(router.routes().route("f")).contains(new Route("f", "b", 40, 4));
    assertThat(router.routeComputations()).as("three adverts, two computations")
        .isEqualTo(computations + 2);
    assertThat(router.routeRecomputeDueNanos()).isEmpty();
  }

  @Test
  void localLinkDown_whileRecomputationHeld_repairsAtOnceIncludingHeldAdverts() {
    // a-b-d and a-c-d, b cheaper.
    router.localLinkUp("b", 10, now);
    router.localLinkUp("c", 20, now);
    router.advertReceived("b", advert("b", 5, "a", "d"), now + SEC);
    router.advertReceived("c", advert("c", 5, "a", "d"), now + SEC);
    router.advertReceived("b", advert("d", 5, "b", "c"), now + SEC); // computed at once
    router.advertReceived("b", advert("d", 6, "b", "c", "f"), now + SEC + MS);
    router.advertReceived("b", advert("f", 5, "d"), now + SEC + MS); // held
    assertThat(router.routeRecomputeDueNanos()).isPresent();
    assertThat(router.routes().nextHop("d")).contains("b");
    assertThat(router.routes().route("f")).isEmpty();

    List<RoutingAction> actions = router.localLinkDown("b", now + SEC + 2 * MS);

    RoutesChanged changed = only(actions, RoutesChanged.class).get(0);
    assertThat(changed.routes().route("d")).contains(new Route("d", "c", 30, 2));
    assertThat(changed.routes().route("f")).as("the repair took the held adverts in")
        .contains(new Route("f", "c", 40, 3));
    assertThat(router.routeRecomputeDueNanos()).isEmpty();
  }

  @Test
  void advertChangingNoShortestPath_skipsComputation_routesStayExact() {
    // a-b (10), a-c (10); b-d (10), c-d (50): d via b at 20, c-d is on no shortest path.
    router.localLinkUp("b", 10, now);
    router.localLinkUp("c", 10, now);
    router.advertReceived("b", advert("b", 5, costs("a", 10, "d", 10)), now + SEC);
    router.advertReceived("c", advert("c", 5, costs("a", 10, "d", 50)), now + SEC);
    router.advertReceived("b", advert("d", 5, costs("b", 10, "c", 50)), now + SEC);
    takeHeldRoutes();
    RouteTable before = router.routes();
    long computations = router.routeComputations();
    long skipped = router.routeComputationsSkipped();

    List<RoutingAction> cheaper =
        router.advertReceived("c", advert("c", 6, costs("a", 10, "d", 40)), now + 2 * SEC);

    assertThat(only(cheaper, RoutesChanged.class)).isEmpty();
    assertThat(router.routeComputations()).isEqualTo(computations);
    assertThat(router.routeComputationsSkipped()).isEqualTo(skipped + 1);
    assertThat(router.routeRecomputeDueNanos()).isEmpty();
    assertThat(router.routes()).isEqualTo(before)
        .isEqualTo(ShortestPaths.compute("a", router.localLinks(), adverts()));

    List<RoutingAction> shortcut =
        router.advertReceived("c", advert("c", 7, costs("a", 10, "d", 5)), now + 3 * SEC);

    assertThat(only(shortcut, RoutesChanged.class)).singleElement()
        .satisfies(c -> assertThat(c.routes().route("d")).contains(new Route("d", "c", 15, 2)));
    assertThat(router.routeComputations()).isEqualTo(computations + 1);
  }

  @Test
  void holdDownZero_everyChangedAdvertComputedAtOnce() {
    LinkStateRouter eager =
        new LinkStateRouter(
            "a", BOOT, RoutingSettings.builder().routeHoldDown(java.time.Duration.ZERO).build(),
            FakeAdvertAuth.signer("a"), FakeAdvertAuth.verifier(), new Random(SEED));
    eager.localLinkUp("b", 10, now);
    eager.advertReceived("b", advert("b", 5, "a", "d"), now);

    List<RoutingAction> actions = eager.advertReceived("b", advert("d", 5, "b"), now);

    assertThat(only(actions, RoutesChanged.class)).singleElement()
        .satisfies(c -> assertThat(c.changedDestinations()).containsExactly("d"));
    assertThat(eager.routeRecomputeDueNanos()).isEmpty();
  }

  @Test
  void routeHoldDown_outsideRange_rejectedWithItsName() {
    assertThatThrownBy(() -> RoutingSettings.builder()
        .routeHoldDown(java.time.Duration.ofMillis(-1)).build())
        .isInstanceOf(RoutingException.class).hasMessageContaining("routeHoldDown");
    assertThatThrownBy(() -> RoutingSettings.builder()
        .routeHoldDown(java.time.Duration.ofSeconds(2)).build())
        .isInstanceOf(RoutingException.class).hasMessageContaining("routeHoldDown PT2S");
  }

  private java.util.Map<String, LinkStateAdvert> adverts() {
    java.util.Map<String, LinkStateAdvert> out = new java.util.HashMap<>();
    for (AdvertSummary row : router.databaseSummary(now)) {
      out.put(row.origin(), router.advert(row.origin()).orElseThrow());
    }
    return out;
  }
}
