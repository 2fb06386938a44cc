package dev.x0tta6bl4.node.routing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The newest verified advert of every known origin, with its wire form (for database sync) and
 * its expiry, plus a short memory of the sequence numbers of adverts that aged out. Owned by the
 * routing core's thread. The local node's own advert is kept here too but never ages out.
 */
final class LinkStateDatabase {

  /** One stored advert; times are the router's monotonic nanoseconds. */
  record Entry(LinkStateAdvert advert, byte[] wire, long receivedNanos, long expiresNanos) {}

  private record Tombstone(long sequence, long untilNanos) {}

  private final String localId;
  private final TreeMap<String, Entry> entries = new TreeMap<>();
  private final Map<String, LinkStateAdvert> adverts = new HashMap<>();
  private final Map<String, LinkStateAdvert> advertsView = Collections.unmodifiableMap(adverts);
  private final TreeMap<String, Tombstone> tombstones = new TreeMap<>();
  /** Node ids as ints, and every held advert's links resolved to them, indexed by origin id. */
  private NodeIds ids = new NodeIds();
  private int[][] linkTo = new int[16][];
  private long[][] linkCost = new long[16][];
  /**
   * {@link #nextDeadline}'s answer while {@code deadlineKnown}: drivers ask after most events, and
   * a scan of every entry each time cost more than the rest of advert handling.
   */
  private long deadline;
  private boolean hasDeadline;
  private boolean deadlineKnown = true;

  LinkStateDatabase(String localId) {
    this.localId = localId;
    ids.id(localId);
  }

  Entry get(String origin) {
    return entries.get(origin);
  }

  int size() {
    return entries.size();
  }

  void put(Entry entry) {
    String origin = entry.advert().origin();
    Entry replaced = entries.put(origin, entry);
    adverts.put(origin, entry.advert());
    resolve(entry.advert());
    Tombstone forgotten = tombstones.remove(origin);
    if (!deadlineKnown || origin.equals(localId)) {
      return;
    }
    if ((replaced != null && replaced.expiresNanos() == deadline)
        || (forgotten != null && forgotten.untilNanos() == deadline)) {
      deadlineKnown = false; // the earliest deadline may be gone: scan on the next question
    } else if (!hasDeadline || entry.expiresNanos() - deadline < 0) {
      deadline = entry.expiresNanos();
      hasDeadline = true;
    }
  }

  /** The sequence number remembered for an aged-out origin, if any. */
  OptionalLong forgottenSequence(String origin) {
    Tombstone tombstone = tombstones.get(origin);
    return tombstone == null ? OptionalLong.empty() : OptionalLong.of(tombstone.sequence());
  }

  /** Origin to advert, for shortest paths (read-only view, not a copy). */
  Map<String, LinkStateAdvert> adverts() {
    return advertsView;
  }

  /** Every entry in origin order (read-only view). */
  SortedMap<String, Entry> entries() {
    return Collections.unmodifiableSortedMap(entries);
  }

  /**
   * Removes adverts whose max-age has passed (remembering their sequence numbers for {@code
   * staleMemoryNanos}) and forgets old tombstones.
   *
   * @return the origins removed, in order
   */
  List<String> expire(long nowNanos, long staleMemoryNanos) {
    if (!deadlineKnown) {
      scanDeadline();
    }
    if (!hasDeadline || nowNanos - deadline < 0) {
      return List.of(); // nothing is due yet
    }
    List<String> removed = new ArrayList<>();
    for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
      Entry entry = it.next();
      String origin = entry.advert().origin();
      if (!origin.equals(localId) && nowNanos - entry.expiresNanos() >= 0) {
        it.remove();
        adverts.remove(origin);
        int id = ids.find(origin);
        linkTo[id] = null;
        linkCost[id] = null;
        tombstones.put(
            origin, new Tombstone(entry.advert().sequence(), nowNanos + staleMemoryNanos));
        removed.add(origin);
      }
    }
    tombstones.values().removeIf(t -> nowNanos - t.untilNanos() >= 0);
    deadlineKnown = false;
    return removed;
  }

  /** The id table the held adverts' links are resolved against (replaced by compaction). */
  NodeIds ids() {
    return ids;
  }

  /** The ids of the nodes {@code originId}'s held advert lists, or null when none is held. */
  int[] linksOf(int originId) {
    return originId < linkTo.length ? linkTo[originId] : null;
  }

  /** The costs matching {@link #linksOf}, or null when no advert is held. */
  long[] costsOf(int originId) {
    return originId < linkCost.length ? linkCost[originId] : null;
  }

  /**
   * Starts a new id table when more than half of the ids belong to nodes that neither a held
   * advert nor {@code alsoLive} (the local links) names any more, so a long life with churning
   * node ids does not grow it without bound. Callers must drop anything holding old ids.
   *
   * @return whether the table was replaced
   */
  boolean compactIds(Iterable<String> alsoLive) {
    if (ids.size() <= 2 * entries.size() + 64) {
      return false; // the live names are at least the origins: nothing to gain (the usual case)
    }
    int live = 1;
    for (Entry entry : entries.values()) {
      live += 1 + entry.advert().links().size();
    }
    for (String ignored : alsoLive) {
      live++;
    }
    if (ids.size() <= 2 * live + 64) {
      return false;
    }
    ids = new NodeIds();
    ids.id(localId);
    linkTo = new int[16][];
    linkCost = new long[16][];
    for (Entry entry : entries.values()) {
      resolve(entry.advert());
    }
    for (String name : alsoLive) {
      ids.id(name);
    }
    return true;
  }

  private void resolve(LinkStateAdvert advert) {
    int origin = ids.id(advert.origin());
    List<LinkStateAdvert.Link> links = advert.links();
    int[] to = new int[links.size()];
    long[] cost = new long[links.size()];
    for (int k = 0; k < to.length; k++) {
      to[k] = ids.id(links.get(k).neighbour());
      cost[k] = links.get(k).cost();
    }
    if (origin >= linkTo.length) {
      int length = Math.max(origin + 1, linkTo.length * 2);
      linkTo = java.util.Arrays.copyOf(linkTo, length);
      linkCost = java.util.Arrays.copyOf(linkCost, length);
    }
    linkTo[origin] = to;
    linkCost[origin] = cost;
  }

  /** The earliest time {@link #expire} has something to do, if any. */
  OptionalLong nextDeadline() {
    if (!deadlineKnown) {
      scanDeadline();
    }
    return hasDeadline ? OptionalLong.of(deadline) : OptionalLong.empty();
  }

  private void scanDeadline() {
    long best = 0;
    boolean any = false;
    for (Entry entry : entries.values()) {
      if (!entry.advert().origin().equals(localId)
          && (!any || entry.expiresNanos() - best < 0)) {
        best = entry.expiresNanos();
        any = true;
      }
    }
    for (Tombstone tombstone : tombstones.values()) {
      if (!any || tombstone.untilNanos() - best < 0) {
        best = tombstone.untilNanos();
        any = true;
      }
    }
    deadline = best;
    hasDeadline = any;
    deadlineKnown = true;
  }
}
