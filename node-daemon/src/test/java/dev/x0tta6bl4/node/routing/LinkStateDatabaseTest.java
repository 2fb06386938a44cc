package dev.x0tta6bl4.node.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class LinkStateDatabaseTest {
  private static final long MS = 1_000_000L;

  private static LinkStateAdvert advert(String origin, long seq, String... neighbours) {
    List<LinkStateAdvert.Link> links = new ArrayList<>();
    for (String neighbour : neighbours) {
      links.add(new LinkStateAdvert.Link(neighbour, 10));
    }
    return new LinkStateAdvert(origin, seq, 90_000, links);
  }

  private static void put(LinkStateDatabase database, LinkStateAdvert advert, long expires) {
    database.put(new LinkStateDatabase.Entry(advert, new byte[0], 0, expires));
  }

  @Test
  void nextDeadline_followsPutsReplacementsAndExpiry_withoutRescanningEveryQuestion() {
    LinkStateDatabase database = new LinkStateDatabase("a");
    put(database, advert("a", 1, "b"), 0); // own advert: never ages out
    assertThat(database.nextDeadline()).isEmpty();

    put(database, advert("b", 1, "a"), 500 * MS);
    put(database, advert("c", 1, "b"), 300 * MS);
    assertThat(database.nextDeadline()).hasValue(300 * MS);
    put(database, advert("c", 2, "b"), 900 * MS); // replaces the earliest
    assertThat(database.nextDeadline()).hasValue(500 * MS);

    assertThat(database.expire(499 * MS, 100 * MS)).isEmpty();
    assertThat(database.expire(500 * MS, 100 * MS)).containsExactly("b");
    assertThat(database.nextDeadline()).as("b's tombstone").hasValue(600 * MS);
    assertThat(database.forgottenSequence("b")).hasValue(1);
    assertThat(database.expire(600 * MS, 100 * MS)).isEmpty();
    assertThat(database.nextDeadline()).hasValue(900 * MS);
  }

  @Test
  void compactIds_afterManyOriginsCameAndWent_keepsOnlyLiveNamesAndTheSameRoutes() {
    LinkStateDatabase database = new LinkStateDatabase("a");
    TreeMap<String, Long> local = new TreeMap<>(Map.of("b", 10L));
    Map<String, LinkStateAdvert> live = new HashMap<>();
    live.put("b", advert("b", 1, "a", "c"));
    live.put("c", advert("c", 1, "b"));
    live.values().forEach(a -> put(database, a, 10_000 * MS));
    for (int i = 0; i < 500; i++) {
      put(database, advert("gone" + i, 1, "x" + i), MS); // transient origins and their links
    }
    assertThat(database.ids().size()).isGreaterThan(1_000);
    assertThat(database.compactIds(local.keySet())).as("nothing expired yet: all names live")
        .isFalse();

    database.expire(MS, MS);
    NodeIds before = database.ids();
    assertThat(database.compactIds(local.keySet())).isTrue();

    assertThat(database.ids()).isNotSameAs(before);
    assertThat(database.ids().size()).isLessThan(10);
    RouteTable routes = ShortestPaths.computeTree("a", local, database, null).routes();
    assertThat(routes).isEqualTo(ShortestPaths.compute("a", local, live));
    assertThat(routes.destinations()).isEqualTo(Set.of("b", "c"));
  }
}
