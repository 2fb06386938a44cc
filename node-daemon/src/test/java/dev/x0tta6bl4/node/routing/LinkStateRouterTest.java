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

  /** a-b and a-c up, b advertises a and d, c advertises a. */
  private void star() {
    router.localLinkUp("b", 10, now);
    router.localLinkUp("c", 10, now);
    router.advertReceived("b", advert("b", 5, "a", "d"), now);
    router.advertReceived("c", advert("c", 5, "a"), now);
    router.advertReceived("b", advert("d", 5, "b"), now);
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
}
