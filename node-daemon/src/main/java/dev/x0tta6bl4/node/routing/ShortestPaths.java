package dev.x0tta6bl4.node.routing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * Dijkstra from the local node over its live links and the adverts of other nodes. Stateless;
 * runs on the routing core's thread. The router's runs read the adverts' links as the integer
 * node ids its {@link LinkStateDatabase} resolved once per stored advert ({@link NodeIds}), so a
 * run hashes no strings.
 *
 * <p>Rules: the local node's first hops come from its own live links (the link layer already
 * knows they work both ways). Any other edge A->B is used only when A's advert lists B and B's
 * advert lists A (a half-dead link is not used), with A's advertised cost. Among equal-cost
 * paths, the next hop is the smallest neighbour id that starts one of them, and the hop count is
 * the fewest links among the equal-cost paths through that next hop, so the result depends only
 * on the inputs, never on iteration or insertion order.
 *
 * <p>Because costs are positive, the result is a function of the <em>tight</em> edges alone
 * (those on some shortest path: {@code dist(A) + cost(A->B) == dist(B)}): an edge that is not
 * tight can never set a final distance, next hop or hop count. {@link #mayChange} uses this to
 * tell, from the previous run's distances, whether a changed advert can change any route at all.
 */
final class ShortestPaths {
  private static final long UNREACHABLE = Long.MAX_VALUE;

  private ShortestPaths() {}

  /** The routes from {@code self}; see the class rules. */
  static RouteTable compute(
      String self, SortedMap<String, Long> localLinks, Map<String, LinkStateAdvert> adverts) {
    return computeTree(self, localLinks, adverts).routes();
  }

  /**
   * The routes from {@code self} with the distances behind them, for {@link #mayChange}, from
   * plain maps (through a throw-away database: for checks and tests; the router keeps its own).
   */
  static Tree computeTree(
      String self, SortedMap<String, Long> localLinks, Map<String, LinkStateAdvert> adverts) {
    LinkStateDatabase database = new LinkStateDatabase(self);
    for (LinkStateAdvert advert : adverts.values()) {
      database.put(new LinkStateDatabase.Entry(advert, new byte[0], 0, 0));
    }
    return computeTree(self, localLinks, database, null);
  }

  /**
   * The routes from {@code self} over the adverts held in {@code database} (its own advert
   * ignored), using the links it resolved to ids when each advert was stored. When every
   * distance, next hop and hop count equals those of {@code previous} (the last run, or null),
   * its route table is reused instead of built again.
   */
  static Tree computeTree(
      String self, SortedMap<String, Long> localLinks, LinkStateDatabase database, Tree previous) {
    NodeIds ids = database.ids();
    int source = ids.id(self);
    int[] first = new int[localLinks.size()];
    long[] firstCost = new long[localLinks.size()];
    int f = 0;
    for (Map.Entry<String, Long> link : localLinks.entrySet()) {
      first[f] = ids.id(link.getKey());
      firstCost[f++] = link.getValue();
    }
    int n = ids.size();
    long[] dist = new long[n];
    int[] hop = new int[n];
    int[] hops = new int[n];
    boolean[] done = new boolean[n];
    Arrays.fill(dist, UNREACHABLE);
    Arrays.fill(hop, -1);
    dist[source] = 0;
    Heap heap = new Heap(n * 2);
    heap.push(0, source);
    while (!heap.isEmpty()) {
      long d = heap.topKey();
      int u = heap.pop();
      if (done[u] || d > dist[u]) {
        continue;
      }
      done[u] = true;
      if (u == source) {
        for (int k = 0; k < first.length; k++) {
          relax(first[k], firstCost[k], first[k], 1, dist, hop, hops, done, heap, ids);
        }
        continue;
      }
      int[] to = database.linksOf(u);
      if (to == null) {
        continue;
      }
      long[] cost = database.costsOf(u);
      for (int k = 0; k < to.length; k++) {
        int v = to[k];
        if (v == source || done[v] || !lists(database.linksOf(v), u)) {
          continue; // the local node, settled, or a half-dead link (or no advert from v)
        }
        relax(v, d + cost[k], hop[u], hops[u] + 1, dist, hop, hops, done, heap, ids);
      }
    }
    if (previous != null && previous.sameAs(ids, dist, hop, hops)) {
      return new Tree(previous.routes, ids, dist, hop, hops);
    }
    List<Route> routes = new ArrayList<>(n);
    for (int v = 0; v < n; v++) {
      if (v != source && dist[v] != UNREACHABLE) {
        routes.add(new Route(ids.name(v), ids.name(hop[v]), dist[v], hops[v]));
      }
    }
    return new Tree(RouteTable.of(routes), ids, dist, hop, hops);
  }

  /** Whether an advert's resolved links {@code links} (null: no advert) include {@code id}. */
  private static boolean lists(int[] links, int id) {
    if (links == null) {
      return false;
    }
    for (int link : links) {
      if (link == id) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether replacing {@code before} (null: none held) by {@code after}, both adverts of the same
   * origin other than {@code self}, can change any route of {@code tree}: the last run over the
   * current inputs but that advert. The adverts of other nodes come from {@code adverts}
   * (whatever it holds for the origin itself is ignored). The local node's links are the same as
   * in that run: a change of them is always recomputed.
   *
   * <p>Only edges between the origin A and a node X whose entry differs between the versions
   * change: A->X (A's cost, usable when X lists A) and X->A (X's cost, usable when A lists X).
   * Routes can change only if a changed edge is tight before or after, i.e. {@code dist(from) +
   * cost <= dist(to)} with the old or the new cost; otherwise every shortest path, and so every
   * next hop and hop count, stays as it was (see the class comment). A few look-ups per changed
   * entry, against a full run's work over every advert.
   */
  static boolean mayChange(
      Tree tree,
      String self,
      LinkStateAdvert before,
      LinkStateAdvert after,
      Map<String, LinkStateAdvert> adverts) {
    for (LinkStateAdvert.Link link : after.links()) {
      long old = before == null ? -1 : before.costTo(link.neighbour());
      if (old != link.cost() && edgesMayChange(tree, self, after.origin(), link.neighbour(), old,
          link.cost(), adverts)) {
        return true;
      }
    }
    if (before != null) {
      for (LinkStateAdvert.Link link : before.links()) {
        if (after.costTo(link.neighbour()) < 0 && edgesMayChange(tree, self, after.origin(),
            link.neighbour(), link.cost(), -1, adverts)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Whether the entry of {@code x} in the origin's advert, going from cost {@code old} to {@code
   * now} (-1: not listed), can change a route.
   */
  private static boolean edgesMayChange(
      Tree tree,
      String self,
      String origin,
      String x,
      long old,
      long now,
      Map<String, LinkStateAdvert> adverts) {
    if (x.equals(self)) {
      return false; // edges into the local node are never used; its own come from its links
    }
    LinkStateAdvert xAdvert = adverts.get(x);
    long xToOrigin = xAdvert == null ? -1 : xAdvert.costTo(origin);
    if (xToOrigin < 0) {
      return false; // X does not list A: neither edge is usable before or after
    }
    long distOrigin = tree.distance(origin);
    long distX = tree.distance(x);
    if ((old >= 0 && tight(distOrigin, old, distX)) || (now >= 0 && tight(distOrigin, now, distX))) {
      return true; // A->X was or becomes part of a shortest path
    }
    // X->A keeps its cost; it appears or disappears when A starts or stops listing X.
    return (old >= 0) != (now >= 0) && tight(distX, xToOrigin, distOrigin);
  }

  private static boolean tight(long distFrom, long cost, long distTo) {
    return distFrom != UNREACHABLE && (distTo == UNREACHABLE || distFrom + cost <= distTo);
  }

  /**
   * One run's routes and the distances behind them, by node id of the database's id table at
   * the time. Routing core's thread.
   */
  static final class Tree {
    private final RouteTable routes;
    private final NodeIds ids;
    private final long[] dist;
    private final int[] hop;
    private final int[] hops;

    private Tree(RouteTable routes, NodeIds ids, long[] dist, int[] hop, int[] hops) {
      this.routes = routes;
      this.ids = ids;
      this.dist = dist;
      this.hop = hop;
      this.hops = hops;
    }

    /** Whether a run over {@code ids} found exactly this run's routes (ids added since: none). */
    private boolean sameAs(NodeIds ids, long[] dist, int[] hop, int[] hops) {
      if (ids != this.ids) {
        return false;
      }
      int common = this.dist.length;
      for (int v = common; v < dist.length; v++) {
        if (dist[v] != UNREACHABLE) {
          return false; // a node named after the previous run is reachable now
        }
      }
      for (int v = 0; v < common; v++) {
        if (dist[v] != this.dist[v]
            || (dist[v] != UNREACHABLE && (hop[v] != this.hop[v] || hops[v] != this.hops[v]))) {
          return false;
        }
      }
      return true;
    }

    RouteTable routes() {
      return routes;
    }

    /** Whether the distances are still keyed by {@code current} (false after a compaction). */
    boolean usesIds(NodeIds current) {
      return ids == current;
    }

    /** The shortest distance to {@code node}, or {@link Long#MAX_VALUE} when unreachable. */
    long distance(String node) {
      int id = ids.find(node);
      return id < 0 || id >= dist.length ? UNREACHABLE : dist[id];
    }
  }

  private static void relax(
      int v,
      long candidate,
      int firstHop,
      int hopCount,
      long[] dist,
      int[] hop,
      int[] hops,
      boolean[] done,
      Heap heap,
      NodeIds names) {
    if (done[v]) {
      return;
    }
    if (candidate < dist[v]) {
      dist[v] = candidate;
      hop[v] = firstHop;
      hops[v] = hopCount;
      heap.push(candidate, v);
    } else if (candidate == dist[v]) {
      int order = names.name(firstHop).compareTo(names.name(hop[v]));
      if (order < 0) {
        hop[v] = firstHop;
        hops[v] = hopCount;
      } else if (order == 0 && hopCount < hops[v]) {
        hops[v] = hopCount;
      }
    }
  }

  /** A binary min-heap of (key, node) pairs with lazy deletion; no boxing. */
  private static final class Heap {
    private long[] keys;
    private int[] nodes;
    private int size;

    Heap(int capacity) {
      keys = new long[Math.max(4, capacity)];
      nodes = new int[keys.length];
    }

    boolean isEmpty() {
      return size == 0;
    }

    long topKey() {
      return keys[0];
    }

    void push(long key, int node) {
      if (size == keys.length) {
        keys = Arrays.copyOf(keys, size * 2);
        nodes = Arrays.copyOf(nodes, size * 2);
      }
      int i = size++;
      while (i > 0) {
        int parent = (i - 1) >>> 1;
        if (keys[parent] <= key) {
          break;
        }
        keys[i] = keys[parent];
        nodes[i] = nodes[parent];
        i = parent;
      }
      keys[i] = key;
      nodes[i] = node;
    }

    int pop() {
      int top = nodes[0];
      size--;
      if (size > 0) {
        long key = keys[size];
        int node = nodes[size];
        int i = 0;
        while (true) {
          int child = 2 * i + 1;
          if (child >= size) {
            break;
          }
          if (child + 1 < size && keys[child + 1] < keys[child]) {
            child++;
          }
          if (keys[child] >= key) {
            break;
          }
          keys[i] = keys[child];
          nodes[i] = nodes[child];
          i = child;
        }
        keys[i] = key;
        nodes[i] = node;
      }
      return top;
    }
  }
}
