package dev.x0tta6bl4.node.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ShortestPathsTest {

  /** Symmetric topology: node -> neighbour -> cost. */
  private final TreeMap<String, TreeMap<String, Long>> graph = new TreeMap<>();

  private void link(String a, String b, long cost) {
    graph.computeIfAbsent(a, k -> new TreeMap<>()).put(b, cost);
    graph.computeIfAbsent(b, k -> new TreeMap<>()).put(a, cost);
  }

  private RouteTable routesFrom(String self) {
    return ShortestPaths.compute(self, graph.getOrDefault(self, new TreeMap<>()), adverts(graph));
  }

  private static Map<String, LinkStateAdvert> adverts(Map<String, ? extends Map<String, Long>> g) {
    Map<String, LinkStateAdvert> adverts = new HashMap<>();
    g.forEach(
        (origin, out) -> {
          List<LinkStateAdvert.Link> links = new ArrayList<>();
          out.forEach((to, cost) -> links.add(new LinkStateAdvert.Link(to, cost)));
          adverts.put(origin, new LinkStateAdvert(origin, 1, 90_000, links));
        });
    return adverts;
  }

  @Test
  void compute_line_routesEverythingThroughTheOneNeighbour() {
    for (int i = 0; i < 4; i++) {
      link("n" + i, "n" + (i + 1), 10);
    }

    RouteTable table = routesFrom("n0");

    assertThat(table.routes())
        .containsExactly(
            new Route("n1", "n1", 10, 1),
            new Route("n2", "n1", 20, 2),
            new Route("n3", "n1", 30, 3),
            new Route("n4", "n1", 40, 4));
  }

  @Test
  void compute_evenRing_oppositeNodeTieBrokenBySmallerNeighbourId() {
    for (int i = 0; i < 6; i++) {
      link("r" + i, "r" + ((i + 1) % 6), 1);
    }

    RouteTable table = routesFrom("r0");

    assertThat(table.route("r3")).contains(new Route("r3", "r1", 3, 3));
    assertThat(table.route("r2")).contains(new Route("r2", "r1", 2, 2));
    assertThat(table.route("r4")).contains(new Route("r4", "r5", 2, 2));
  }

  @Test
  void compute_grid_costIsManhattanDistanceAndTiesGoToSmallestNeighbour() {
    int size = 5;
    for (int x = 0; x < size; x++) {
      for (int y = 0; y < size; y++) {
        if (x + 1 < size) {
          link(cell(x, y), cell(x + 1, y), 1);
        }
        if (y + 1 < size) {
          link(cell(x, y), cell(x, y + 1), 1);
        }
      }
    }

    RouteTable table = routesFrom(cell(0, 0));

    assertThat(table.size()).isEqualTo(size * size - 1);
    for (int x = 0; x < size; x++) {
      for (int y = 0; y < size; y++) {
        if (x + y > 0) {
          Route route = table.route(cell(x, y)).orElseThrow();
          assertThat(route.cost()).isEqualTo(x + y);
          assertThat(route.hops()).isEqualTo(x + y);
          // "g0-1" < "g1-0": every destination reachable via both goes via g0-1.
          assertThat(route.nextHop()).isEqualTo(x > 0 && y == 0 ? cell(1, 0) : cell(0, 1));
        }
      }
    }
  }

  @Test
  void compute_equalCostPathsOfDifferentLength_reportsFewestHopsThroughChosenNeighbour() {
    link("a", "b", 2);
    link("b", "d", 2);
    link("a", "c", 1);
    link("c", "e", 1);
    link("e", "d", 2);

    Route route = routesFrom("a").route("d").orElseThrow();

    assertThat(route).isEqualTo(new Route("d", "b", 4, 2));
  }

  @Test
  void compute_linkListedOnlyByOneEnd_isNotUsed() {
    link("a", "b", 1);
    link("b", "c", 1);
    link("a", "x", 5);
    link("x", "c", 5);
    graph.get("c").remove("b"); // c no longer lists b: half-dead b-c link

    RouteTable table = routesFrom("a");

    assertThat(table.route("c")).contains(new Route("c", "x", 10, 2));
  }

  @Test
  void compute_directNeighbourWithoutAdvert_reachableButNotBeyond() {
    TreeMap<String, Long> local = new TreeMap<>(Map.of("b", 3L));
    Map<String, LinkStateAdvert> adverts = new HashMap<>();
    adverts.put("c", new LinkStateAdvert("c", 1, 90_000, List.of(new LinkStateAdvert.Link("b", 1))));

    RouteTable table = ShortestPaths.compute("a", local, adverts);

    assertThat(table.routes()).containsExactly(new Route("b", "b", 3, 1));
  }

  @Test
  void compute_asymmetricCosts_usesCostOfTheSendingEnd() {
    graph.computeIfAbsent("a", k -> new TreeMap<>()).put("b", 1L);
    graph.computeIfAbsent("b", k -> new TreeMap<>()).put("a", 50L);
    graph.get("b").put("c", 7L);
    graph.computeIfAbsent("c", k -> new TreeMap<>()).put("b", 100L);

    assertThat(routesFrom("a").route("c")).contains(new Route("c", "b", 8, 2));
    assertThat(routesFrom("c").route("a")).contains(new Route("a", "b", 150, 2));
  }

  @ParameterizedTest
  @ValueSource(longs = {1L, 2L, 3L, 42L, 2024L, 77_777L})
  void compute_randomGraphs_matchFloydWarshallAndNextHopsAreOnShortestPaths(long seed) {
    System.out.println("ShortestPathsTest random graph seed=" + seed);
    Random random = new Random(seed);
    for (int round = 0; round < 20; round++) {
      graph.clear();
      int nodes = 2 + random.nextInt(30);
      for (int i = 0; i < nodes; i++) {
        graph.put("v" + i, new TreeMap<>());
      }
      int edges = random.nextInt(nodes * 3);
      for (int e = 0; e < edges; e++) {
        int a = random.nextInt(nodes);
        int b = random.nextInt(nodes);
        if (a != b) {
          link("v" + a, "v" + b, 1 + random.nextInt(random.nextBoolean() ? 3 : 1000));
        }
      }
      Map<String, Map<String, Long>> reference = ReferencePaths.floydWarshall(graph);
      for (String source : graph.keySet()) {
        RouteTable table = routesFrom(source);
        Map<String, Long> expected = new TreeMap<>(reference.get(source));
        expected.remove(source);
        Map<String, Long> actual = new TreeMap<>();
        table.routes().forEach(r -> actual.put(r.destination(), r.cost()));
        assertThat(actual).as("seed %d round %d source %s", seed, round, source).isEqualTo(expected);
        for (Route route : table.routes()) {
          long viaHop =
              graph.get(source).get(route.nextHop())
                  + (route.nextHop().equals(route.destination())
                      ? 0
                      : reference.get(route.nextHop()).get(route.destination()));
          assertThat(viaHop).as("next hop of %s lies on a shortest path", route).isEqualTo(route.cost());
          String smallest =
              graph.get(source).entrySet().stream()
                  .filter(
                      n ->
                          n.getValue()
                                  + (n.getKey().equals(route.destination())
                                      ? 0
                                      : reference.get(n.getKey()).getOrDefault(route.destination(),
                                          Long.MAX_VALUE / 4))
                              == route.cost())
                  .map(Map.Entry::getKey)
                  .findFirst()
                  .orElseThrow();
          assertThat(route.nextHop()).as("tie broken by smallest id, %s", route).isEqualTo(smallest);
        }
      }
    }
  }

  /**
   * The skip rule against the full computation: whenever {@link ShortestPaths#mayChange} says a
   * changed advert cannot move a route, recomputing gives exactly the same table (next hops and
   * hop counts included). Changes are drawn to hit shortest paths often: cost changes of either
   * sign, links added and dropped on one side (half-dead links), new origins; costs from a small
   * range so that equal-cost ties are common.
   */
  @ParameterizedTest
  @ValueSource(longs = {11, 12, 13, 14})
  void mayChange_whenItSaysNo_fullComputationGivesTheSameRoutes(long seed) {
    System.out.println("ShortestPathsTest mayChange seed=" + seed);
    Random random = new Random(seed);
    int skipped = 0;
    int changed = 0;
    for (int round = 0; round < 1_000; round++) {
      int nodes = 3 + random.nextInt(14);
      TreeMap<String, TreeMap<String, Long>> listed = new TreeMap<>();
      for (int i = 0; i < nodes; i++) {
        listed.put("v" + i, new TreeMap<>());
      }
      int edges = random.nextInt(nodes * 3);
      for (int e = 0; e < edges; e++) {
        String x = "v" + random.nextInt(nodes);
        String y = "v" + random.nextInt(nodes);
        if (!x.equals(y)) {
          long cost = 1 + random.nextInt(4);
          listed.get(x).put(y, cost);
          if (random.nextInt(8) > 0) {
            listed.get(y).put(x, cost); // mostly symmetric; some half-dead links
          }
        }
      }
      String self = "v0";
      Map<String, LinkStateAdvert> adverts = adverts(listed);
      if (random.nextInt(4) == 0) {
        adverts.remove("v" + (1 + random.nextInt(nodes - 1))); // an origin not heard of yet
      }
      TreeMap<String, Long> local = new TreeMap<>();
      listed.get(self).forEach((peer, cost) -> {
        if (adverts.containsKey(peer) || random.nextBoolean()) {
          local.put(peer, cost);
        }
      });
      ShortestPaths.Tree tree = ShortestPaths.computeTree(self, local, adverts);
      String origin = "v" + (1 + random.nextInt(nodes - 1));
      LinkStateAdvert before = adverts.get(origin);
      TreeMap<String, Long> links = new TreeMap<>(listed.get(origin));
      int edits = 1 + random.nextInt(3);
      for (int i = 0; i < edits; i++) {
        String x = "v" + random.nextInt(nodes);
        if (x.equals(origin)) {
          continue;
        }
        switch (random.nextInt(3)) {
          case 0 -> links.remove(x);
          default -> links.put(x, 1L + random.nextInt(4));
        }
      }
      List<LinkStateAdvert.Link> list = new ArrayList<>();
      links.forEach((to, cost) -> list.add(new LinkStateAdvert.Link(to, cost)));
      LinkStateAdvert after = new LinkStateAdvert(origin, 2, 90_000, list);
      Map<String, LinkStateAdvert> next = new HashMap<>(adverts);
      next.put(origin, after);
      RouteTable recomputed = ShortestPaths.compute(self, local, next);
      if (!ShortestPaths.mayChange(tree, self, before, after, next)) {
        skipped++;
        assertThat(recomputed)
            .as("seed %d round %d: %s -> %s said to change no route", seed, round, before, after)
            .isEqualTo(tree.routes());
      } else if (!recomputed.equals(tree.routes())) {
        changed++;
      }
    }
    System.out.printf("mayChange seed %d: %d changes skipped, %d moved routes%n", seed, skipped,
        changed);
    assertThat(skipped).as("changes shown harmless").isGreaterThan(100);
    assertThat(changed).as("changes that did move routes").isGreaterThan(50);
  }

  @Test
  void compute_200NodesAbout1000Edges_printsTime() {
    long seed = 200L;
    System.out.println("ShortestPathsTest timing seed=" + seed);
    Random random = new Random(seed);
    int nodes = 200;
    for (int i = 1; i < nodes; i++) {
      link(String.format("n%03d", i), String.format("n%03d", random.nextInt(i)), 1 + random.nextInt(500));
    }
    while (graph.values().stream().mapToInt(Map::size).sum() / 2 < 1000) {
      int a = random.nextInt(nodes);
      int b = random.nextInt(nodes);
      if (a != b) {
        link(String.format("n%03d", a), String.format("n%03d", b), 1 + random.nextInt(500));
      }
    }
    Map<String, LinkStateAdvert> adverts = adverts(graph);
    SortedMap<String, Long> local = graph.get("n000");
    RouteTable table = null;
    for (int i = 0; i < 2_000; i++) {
      table = ShortestPaths.compute("n000", local, adverts);
    }
    int runs = 5_000;
    long start = System.nanoTime();
    for (int i = 0; i < runs; i++) {
      table = ShortestPaths.compute("n000", local, adverts);
    }
    long perRun = (System.nanoTime() - start) / runs;
    System.out.printf(
        "SPF over %d nodes / %d edges: %.1f us per computation (mean of %d, after warm-up)%n",
        nodes, graph.values().stream().mapToInt(Map::size).sum() / 2, perRun / 1000.0, runs);
    assertThat(table.size()).isEqualTo(nodes - 1);
  }

  private static String cell(int x, int y) {
    return "g" + x + "-" + y;
  }
}
