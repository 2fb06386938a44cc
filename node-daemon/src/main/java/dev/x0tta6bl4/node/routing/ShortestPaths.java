package dev.x0tta6bl4.node.routing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * Dijkstra from the local node over its live links and the adverts of other nodes. Stateless;
 * runs on the routing core's thread.
 *
 * <p>Rules: the local node's first hops come from its own live links (the link layer already
 * knows they work both ways). Any other edge A->B is used only when A's advert lists B and B's
 * advert lists A (a half-dead link is not used), with A's advertised cost. Among equal-cost
 * paths, the next hop is the smallest neighbour id that starts one of them, and the hop count is
 * the fewest links among the equal-cost paths through that next hop, so the result depends only
 * on the inputs, never on iteration or insertion order.
 */
final class ShortestPaths {
  private ShortestPaths() {}

  static RouteTable compute(
      String self, SortedMap<String, Long> localLinks, Map<String, LinkStateAdvert> adverts) {
    Map<String, Integer> index = new HashMap<>((localLinks.size() + adverts.size()) * 2);
    List<String> names = new ArrayList<>(localLinks.size() + adverts.size() + 1);
    index.put(self, 0);
    names.add(self);
    for (String neighbour : localLinks.keySet()) {
      index.putIfAbsent(neighbour, names.size());
      if (names.size() < index.size()) {
        names.add(neighbour);
      }
    }
    for (String origin : adverts.keySet()) {
      index.putIfAbsent(origin, names.size());
      if (names.size() < index.size()) {
        names.add(origin);
      }
    }
    int n = names.size();
    long[] dist = new long[n];
    int[] hop = new int[n];
    int[] hops = new int[n];
    boolean[] done = new boolean[n];
    Arrays.fill(dist, Long.MAX_VALUE);
    Arrays.fill(hop, -1);
    dist[0] = 0;
    Heap heap = new Heap(n * 2);
    heap.push(0, 0);
    String[] nameOf = names.toArray(new String[0]);
    while (!heap.isEmpty()) {
      long d = heap.topKey();
      int u = heap.pop();
      if (done[u] || d > dist[u]) {
        continue;
      }
      done[u] = true;
      if (u == 0) {
        for (Map.Entry<String, Long> link : localLinks.entrySet()) {
          int v = index.get(link.getKey());
          relax(v, link.getValue(), v, 1, dist, hop, hops, done, heap, nameOf);
        }
        continue;
      }
      LinkStateAdvert advert = adverts.get(nameOf[u]);
      if (advert == null) {
        continue;
      }
      for (LinkStateAdvert.Link link : advert.links()) {
        Integer v = index.get(link.neighbour());
        if (v == null || v == 0 || done[v]) {
          continue;
        }
        LinkStateAdvert back = adverts.get(link.neighbour());
        if (back == null || back.costTo(nameOf[u]) < 0) {
          continue;
        }
        relax(v, d + link.cost(), hop[u], hops[u] + 1, dist, hop, hops, done, heap, nameOf);
      }
    }
    List<Route> routes = new ArrayList<>(n);
    for (int v = 1; v < n; v++) {
      if (dist[v] != Long.MAX_VALUE) {
        routes.add(new Route(nameOf[v], nameOf[hop[v]], dist[v], hops[v]));
      }
    }
    return RouteTable.of(routes);
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
      String[] names) {
    if (done[v]) {
      return;
    }
    if (candidate < dist[v]) {
      dist[v] = candidate;
      hop[v] = firstHop;
      hops[v] = hopCount;
      heap.push(candidate, v);
    } else if (candidate == dist[v]) {
      int order = names[firstHop].compareTo(names[hop[v]]);
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
