package dev.x0tta6bl4.node.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * N routers exchanging their actions over an in-memory network in virtual time: each advert is
 * delivered after 1-3 ms (seeded), only while the link it travels on is up; timers fire exactly
 * when a router asks. Test fixture; single-threaded.
 */
final class RouterNetwork {
  static final long MS = 1_000_000L;

  /** Rewrites bytes relayed by {@code from} to {@code to}; returns them unchanged by default. */
  interface Tamperer {
    byte[] apply(String from, String to, byte[] wire);
  }

  private record Event(long time, long order, String node, String from, byte[] wire) {}

  private final Random random;
  private final RoutingSettings settings;
  private final Function<String, AdvertSigner> signers;
  private final Function<String, AdvertVerifier> verifiers;
  private final TreeMap<String, LinkStateRouter> routers = new TreeMap<>();
  private final TreeMap<String, TreeMap<String, Long>> links = new TreeMap<>();
  private final PriorityQueue<Event> queue =
      new PriorityQueue<>(
          (a, b) -> a.time != b.time ? Long.compare(a.time, b.time) : Long.compare(a.order, b.order));
  private final Map<String, Long> scheduledTicks = new HashMap<>();
  private final List<RoutingAction.AdvertRejected> rejections = new ArrayList<>();
  private Tamperer tamperer = (from, to, wire) -> wire;
  private long now = 1_000 * MS;
  private long order;
  private long deliveries;

  RouterNetwork(long seed, RoutingSettings settings) {
    this(seed, settings, FakeAdvertAuth::signer, id -> FakeAdvertAuth.verifier());
  }

  RouterNetwork(
      long seed,
      RoutingSettings settings,
      Function<String, AdvertSigner> signers,
      Function<String, AdvertVerifier> verifiers) {
    this.random = new Random(seed);
    this.settings = settings;
    this.signers = signers;
    this.verifiers = verifiers;
  }

  LinkStateRouter addNode(String id) {
    return addNode(id, 1_700_000_000_000L);
  }

  /** Adds (or replaces, simulating a restart) the router of {@code id}. */
  LinkStateRouter addNode(String id, long bootEpochMillis) {
    LinkStateRouter router =
        new LinkStateRouter(
            id, bootEpochMillis, settings, signers.apply(id), verifiers.apply(id),
            new Random(random.nextLong()));
    routers.put(id, router);
    links.putIfAbsent(id, new TreeMap<>());
    handle(id, router.tick(now));
    return router;
  }

  void tamperer(Tamperer value) {
    this.tamperer = value;
  }

  void linkUp(String a, String b, long cost) {
    links.get(a).put(b, cost);
    links.get(b).put(a, cost);
    handle(a, routers.get(a).localLinkUp(b, cost, now));
    handle(b, routers.get(b).localLinkUp(a, cost, now));
  }

  void linkDown(String a, String b) {
    links.get(a).remove(b);
    links.get(b).remove(a);
    handle(a, routers.get(a).localLinkDown(b, now));
    handle(b, routers.get(b).localLinkDown(a, now));
  }

  /** Removes a node and its links without telling it (a crash). */
  void crash(String id) {
    for (String peer : new ArrayList<>(links.get(id).keySet())) {
      links.get(peer).remove(id);
      handle(peer, routers.get(peer).localLinkDown(id, now));
    }
    links.remove(id);
    routers.remove(id);
  }

  /** Delivers {@code wire} to {@code to} as if relayed by {@code from}, now. */
  List<RoutingAction> inject(String from, String to, byte[] wire) {
    List<RoutingAction> actions = routers.get(to).advertReceived(from, wire, now);
    handle(to, actions);
    return actions;
  }

  void runFor(long nanos) {
    long end = now + nanos;
    while (!queue.isEmpty() && queue.peek().time - end <= 0) {
      Event event = queue.poll();
      now = event.time;
      LinkStateRouter router = routers.get(event.node);
      if (router == null) {
        continue;
      }
      if (event.wire == null) {
        Long scheduled = scheduledTicks.get(event.node);
        if (scheduled != null && scheduled == event.time) {
          scheduledTicks.remove(event.node);
          handle(event.node, router.tick(now));
        }
      } else if (links.get(event.node).containsKey(event.from)) {
        deliveries++;
        handle(event.node, router.advertReceived(event.from, event.wire, now));
      }
    }
    now = end;
  }

  private void handle(String node, List<RoutingAction> actions) {
    for (RoutingAction action : actions) {
      if (action instanceof RoutingAction.SendAdvert send) {
        send(node, send.toNeighbour(), send.advert());
      } else if (action instanceof RoutingAction.FloodAdvert flood) {
        for (String to : flood.toNeighbours()) {
          send(node, to, flood.advert());
        }
      } else if (action instanceof RoutingAction.AdvertRejected rejected) {
        rejections.add(rejected);
      }
    }
    LinkStateRouter router = routers.get(node);
    if (router != null && router.nextTickNanos().isPresent()) {
      long at = router.nextTickNanos().getAsLong();
      if (at - now < 0) {
        at = now;
      }
      Long scheduled = scheduledTicks.get(node);
      if (scheduled == null || at - scheduled < 0 || scheduled - now < 0) {
        scheduledTicks.put(node, at);
        queue.add(new Event(at, order++, node, null, null));
      }
    }
  }

  private void send(String from, String to, byte[] wire) {
    if (!links.get(from).containsKey(to)) {
      return;
    }
    byte[] bytes = tamperer.apply(from, to, wire);
    long delay = MS + (long) (random.nextDouble() * 2 * MS);
    queue.add(new Event(now + delay, order++, to, from, bytes));
  }

  long now() {
    return now;
  }

  long deliveries() {
    return deliveries;
  }

  LinkStateRouter router(String id) {
    return routers.get(id);
  }

  TreeMap<String, LinkStateRouter> routers() {
    return routers;
  }

  TreeMap<String, Long> linksOf(String id) {
    return links.get(id);
  }

  List<RoutingAction.AdvertRejected> rejections() {
    return rejections;
  }

  /**
   * Checks every router against a reference computed from the live links: each routes exactly
   * to the nodes of its connected component, with the reference shortest cost, and following
   * next hops from any node reaches the destination over live links without a loop.
   */
  void assertConverged() {
    Map<String, Map<String, Long>> all = ReferencePaths.floydWarshall(links);
    for (String source : routers.keySet()) {
      Map<String, Long> reference = all.getOrDefault(source, Map.of(source, 0L));
      RouteTable table = routers.get(source).routes();
      TreeSet<String> expected = new TreeSet<>(reference.keySet());
      expected.remove(source);
      assertThat(table.destinations()).as("destinations of %s", source).isEqualTo(expected);
      for (Route route : table.routes()) {
        assertThat(route.cost())
            .as("cost %s -> %s", source, route.destination())
            .isEqualTo(reference.get(route.destination()));
        assertLoopFreePath(source, route.destination());
      }
    }
  }

  private void assertLoopFreePath(String source, String destination) {
    TreeSet<String> visited = new TreeSet<>();
    String at = source;
    long cost = 0;
    while (!at.equals(destination)) {
      assertThat(visited.add(at)).as("loop at %s on %s -> %s", at, source, destination).isTrue();
      String next =
          routers.get(at).routes().nextHop(destination)
              .orElseThrow(() -> new AssertionError("no route to " + destination));
      Long linkCost = links.get(at).get(next);
      assertThat(linkCost).as("next hop %s of %s is a live link", next, destination).isNotNull();
      cost += linkCost;
      at = next;
    }
    assertThat(cost)
        .as("path cost %s -> %s", source, destination)
        .isEqualTo(routers.get(source).routes().route(destination).orElseThrow().cost());
  }
}
