package dev.x0tta6bl4.node.routing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Dense integer ids for node ids, so shortest paths compare ints instead of hashing strings:
 * {@link LinkStateDatabase} resolves every stored advert's links once, when it is stored, not on
 * every computation. Ids are never reused within one instance; the database replaces the
 * instance when too many ids belong to nodes it no longer holds. Owned by the routing core's
 * thread.
 */
final class NodeIds {
  private final Map<String, Integer> ids = new HashMap<>();
  private final List<String> names = new ArrayList<>();

  /** The id of {@code name}, assigned on first use. */
  int id(String name) {
    Integer id = ids.get(name);
    if (id != null) {
      return id;
    }
    int next = names.size();
    ids.put(name, next);
    names.add(name);
    return next;
  }

  /** The id of {@code name}, or -1 if it has none. */
  int find(String name) {
    Integer id = ids.get(name);
    return id == null ? -1 : id;
  }

  String name(int id) {
    return names.get(id);
  }

  /** Ids assigned so far: every id is below it. */
  int size() {
    return names.size();
  }
}
