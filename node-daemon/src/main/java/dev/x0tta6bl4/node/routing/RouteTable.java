package dev.x0tta6bl4.node.routing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * An immutable snapshot of the routes of one node: for every reachable destination, the next hop
 * and the path's cost and length. Safe to hand to any thread (API, metrics, the delivery layer);
 * the router publishes a new one on every change.
 */
public final class RouteTable {
  private static final RouteTable EMPTY = new RouteTable(new TreeMap<>());

  private final SortedMap<String, Route> routes;

  private RouteTable(TreeMap<String, Route> routes) {
    this.routes = Collections.unmodifiableSortedMap(routes);
  }

  /** A table with no routes. */
  public static RouteTable empty() {
    return EMPTY;
  }

  /** A table holding {@code routes}, keyed by destination. */
  public static RouteTable of(List<Route> routes) {
    TreeMap<String, Route> map = new TreeMap<>();
    for (Route route : routes) {
      if (map.put(route.destination(), route) != null) {
        throw new RoutingException("two routes to " + route.destination());
      }
    }
    return map.isEmpty() ? EMPTY : new RouteTable(map);
  }

  /** The route to {@code destination}, if it is reachable. */
  public Optional<Route> route(String destination) {
    return Optional.ofNullable(routes.get(destination));
  }

  /** The next hop towards {@code destination}, if it is reachable. */
  public Optional<String> nextHop(String destination) {
    Route route = routes.get(destination);
    return route == null ? Optional.empty() : Optional.of(route.nextHop());
  }

  /** Every route, in destination order. */
  public List<Route> routes() {
    return List.copyOf(routes.values());
  }

  /** The reachable destinations, in order. */
  public Set<String> destinations() {
    return Collections.unmodifiableSet(new TreeSet<>(routes.keySet()));
  }

  /** Destination to route, in destination order (read-only view). */
  public SortedMap<String, Route> asMap() {
    return routes;
  }

  public int size() {
    return routes.size();
  }

  /** Destinations whose route differs between this table and {@code other}, in order. */
  public Set<String> changedFrom(RouteTable other) {
    TreeSet<String> changed = new TreeSet<>();
    // Both maps are sorted by destination: one merge pass instead of a look-up per entry (the
    // routing core compares two tables of every node after each computation).
    Iterator<Route> mine = routes.values().iterator();
    Iterator<Route> theirs = other.routes.values().iterator();
    Route a = mine.hasNext() ? mine.next() : null;
    Route b = theirs.hasNext() ? theirs.next() : null;
    while (a != null || b != null) {
      int order = a == null ? 1 : b == null ? -1 : a.destination().compareTo(b.destination());
      if (order < 0) {
        changed.add(a.destination());
        a = mine.hasNext() ? mine.next() : null;
      } else if (order > 0) {
        changed.add(b.destination());
        b = theirs.hasNext() ? theirs.next() : null;
      } else {
        if (!a.equals(b)) {
          changed.add(a.destination());
        }
        a = mine.hasNext() ? mine.next() : null;
        b = theirs.hasNext() ? theirs.next() : null;
      }
    }
    return Collections.unmodifiableSet(changed);
  }

  @Override
  public boolean equals(Object other) {
    if (this == other) {
      return true;
    }
    if (!(other instanceof RouteTable that) || routes.size() != that.routes.size()) {
      return false;
    }
    Iterator<Route> theirs = that.routes.values().iterator();
    for (Route route : routes.values()) {
      if (!route.equals(theirs.next())) {
        return false; // same size, sorted: any difference shows at the same position
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    return Objects.hashCode(routes);
  }

  @Override
  public String toString() {
    List<String> lines = new ArrayList<>(routes.size());
    for (Route route : routes.values()) {
      lines.add(route.destination() + " via " + route.nextHop() + " cost " + route.cost()
          + " hops " + route.hops());
    }
    return "RouteTable" + lines;
  }
}
