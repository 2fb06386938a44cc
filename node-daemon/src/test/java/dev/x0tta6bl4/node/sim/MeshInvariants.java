package dev.x0tta6bl4.node.sim;

import dev.x0tta6bl4.node.routing.Route;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * The convergence conditions of a quiet mesh, checked over every pair of nodes:
 *
 * <ol>
 *   <li><b>links</b>: every link that is up between two running nodes carries one connection that
 *       both ends agree on, and no node holds a connection over a link that is down;
 *   <li><b>reachability</b>: a node has a route to exactly the running nodes of its connected
 *       component;
 *   <li><b>loop freedom</b>: following next hops from any node toward any destination in its
 *       component reaches the destination over open connections without visiting a node twice;
 *   <li><b>consistency</b>: each route's cost is the cost of its first link plus the next hop's
 *       own cost to the destination, so all nodes computed over the same link-state database.
 * </ol>
 *
 * The walk for one destination visits each node once (next hops form a forest when loop-free),
 * so all pairs cost O(n^2) table lookups.
 */
final class MeshInvariants {
  private MeshInvariants() {}

  /** Violations found, at most {@code limit}; empty when the mesh has converged. */
  static List<String> converged(MeshSimulator sim, int limit) {
    List<String> out = new ArrayList<>();
    int n = sim.size();
    int[] component = sim.components();
    checkLinks(sim, out, limit);
    int[][] next = new int[n][];
    long[][] cost = new long[n][];
    long[][] firstLinkCost = new long[n][];
    for (int s = 0; s < n; s++) {
      SimNode node = sim.node(s);
      if (node == null) {
        continue;
      }
      next[s] = new int[n];
      cost[s] = new long[n];
      firstLinkCost[s] = new long[n];
      Arrays.fill(next[s], -1);
      SortedMap<String, Long> local = node.router().localLinks();
      if (!node.routes().equals(node.router().routes()) && out.size() < limit) {
        out.add(node.id + "'s installed route table differs from its router's");
      }
      for (Route route : node.routes().routes()) {
        int d = sim.index(route.destination());
        int hop = sim.index(route.nextHop());
        next[s][d] = hop;
        cost[s][d] = route.cost();
        Long linkCost = local.get(route.nextHop());
        firstLinkCost[s][d] = linkCost == null ? -1 : linkCost;
      }
      for (int d = 0; d < n && out.size() < limit; d++) {
        if (d == s) {
          continue;
        }
        boolean reachable = component[d] == component[s];
        if (reachable && next[s][d] < 0) {
          out.add(node.id + " has no route to " + Topology.nodeId(d) + " in its component");
        } else if (!reachable && next[s][d] >= 0) {
          out.add(node.id + " routes to unreachable " + Topology.nodeId(d)
              + (sim.alive(d) ? "" : " (crashed)") + " via " + Topology.nodeId(next[s][d]));
        }
      }
    }
    int[] state = new int[n]; // 0 unknown, 1 on the current walk, 2 reaches the destination
    int[] path = new int[n + 1];
    for (int d = 0; d < n && out.size() < limit; d++) {
      if (!sim.alive(d)) {
        continue;
      }
      Arrays.fill(state, 0);
      state[d] = 2;
      for (int s = 0; s < n && out.size() < limit; s++) {
        if (!sim.alive(s) || state[s] != 0 || component[s] != component[d]) {
          continue;
        }
        walk(sim, s, d, next, cost, firstLinkCost, state, path, out);
      }
    }
    return out;
  }

  private static void walk(MeshSimulator sim, int s, int d, int[][] next, long[][] cost,
      long[][] firstLinkCost, int[] state, int[] path, List<String> out) {
    int length = 0;
    int at = s;
    boolean ok = true;
    while (state[at] == 0) {
      state[at] = 1;
      path[length++] = at;
      int hop = next[at][d];
      String why = null;
      if (hop < 0) {
        why = "no route";
      } else if (!sim.alive(hop)) {
        why = "next hop " + Topology.nodeId(hop) + " is crashed";
      } else if (!sim.node(at).connections().containsKey(Topology.nodeId(hop))) {
        why = "next hop " + Topology.nodeId(hop) + " is not a neighbour";
      } else if (firstLinkCost[at][d] < 0) {
        why = "next hop " + Topology.nodeId(hop) + " is not an up link of the router";
      } else if (hop != d && cost[at][d] != firstLinkCost[at][d] + cost[hop][d]) {
        why = "cost " + cost[at][d] + " != link " + firstLinkCost[at][d] + " + "
            + Topology.nodeId(hop) + "'s " + cost[hop][d];
      } else if (hop == d && cost[at][d] != firstLinkCost[at][d]) {
        why = "cost " + cost[at][d] + " != direct link " + firstLinkCost[at][d];
      }
      if (why != null) {
        out.add("route " + Topology.nodeId(at) + " -> " + Topology.nodeId(d) + ": " + why
            + " (walk from " + Topology.nodeId(s) + ")");
        ok = false;
        break;
      }
      at = hop;
    }
    if (ok && state[at] == 3) {
      ok = false; // joins a walk that already failed and was reported
    } else if (ok && state[at] == 1) {
      StringBuilder loop = new StringBuilder();
      for (int i = 0; i < length; i++) {
        loop.append(Topology.nodeId(path[i])).append(' ');
      }
      out.add("loop toward " + Topology.nodeId(d) + ": " + loop + "-> " + Topology.nodeId(at));
      ok = false;
    }
    for (int i = 0; i < length; i++) {
      state[path[i]] = ok ? 2 : 3; // 3: already reported, not walked again
    }
  }

  /**
   * Where the link-state databases of two running nodes differ: origins one holds and the other
   * not, or holds with another sequence number or other links. For failure reports.
   */
  static List<String> databaseDifferences(MeshSimulator sim, int a, int b, long now, int limit) {
    SimNode na = sim.node(a);
    SimNode nb = sim.node(b);
    List<String> out = new ArrayList<>();
    java.util.TreeSet<String> origins = new java.util.TreeSet<>();
    na.router().databaseSummary(now).forEach(r -> origins.add(r.origin()));
    nb.router().databaseSummary(now).forEach(r -> origins.add(r.origin()));
    for (String origin : origins) {
      var x = na.router().advert(origin);
      var y = nb.router().advert(origin);
      if (x.isPresent() && y.isPresent() && x.get().sequence() == y.get().sequence()) {
        continue;
      }
      out.add(origin + ": " + na.id + " has " + x.map(v -> "#" + (v.sequence() & 0xFFFFF) + " "
          + v.links()).orElse("nothing") + ", " + nb.id + " has " + y.map(v -> "#"
          + (v.sequence() & 0xFFFFF) + " " + v.links()).orElse("nothing"));
      if (out.size() >= limit) {
        break;
      }
    }
    return out;
  }

  private static void checkLinks(MeshSimulator sim, List<String> out, int limit) {
    for (MeshSimulator.Link link : sim.links()) {
      int a = link.edge.a();
      int b = link.edge.b();
      SimNode na = sim.node(a);
      SimNode nb = sim.node(b);
      Long ca = na == null ? null : na.connections().get(nb == null ? "" : nb.id);
      Long cb = nb == null ? null : nb.connections().get(na == null ? "" : na.id);
      boolean shouldBeUp = link.up && na != null && nb != null;
      if (shouldBeUp && (ca == null || !ca.equals(cb)) && out.size() < limit) {
        out.add("link " + Topology.nodeId(a) + "-" + Topology.nodeId(b)
            + " is up but not connected (connection " + ca + " / " + cb + ")");
      }
    }
    for (int i = 0; i < sim.size(); i++) {
      SimNode node = sim.node(i);
      if (node == null) {
        continue;
      }
      for (Map.Entry<String, Long> c : node.connections().entrySet()) {
        MeshSimulator.Link link = sim.link(i, sim.index(c.getKey()));
        int peer = sim.index(c.getKey());
        if ((link == null || !link.up) && out.size() < limit) {
          out.add(node.id + " holds a connection to " + c.getKey() + " over a link that is down");
        } else if (!sim.alive(peer) && out.size() < limit) {
          out.add(node.id + " holds a connection to crashed " + c.getKey());
        }
      }
    }
  }
}
