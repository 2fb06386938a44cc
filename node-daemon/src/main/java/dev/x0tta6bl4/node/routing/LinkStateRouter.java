package dev.x0tta6bl4.node.routing;

import dev.x0tta6bl4.node.routing.RoutingAction.AdvertRejected;
import dev.x0tta6bl4.node.routing.RoutingAction.FloodAdvert;
import dev.x0tta6bl4.node.routing.RoutingAction.RoutesChanged;
import dev.x0tta6bl4.node.routing.RoutingAction.SendAdvert;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * The sans-IO link-state routing core of one node: events in (local link up, down or re-costed;
 * advert received; timer tick), {@link RoutingAction}s out (adverts to send, route changes,
 * rejections). It never touches a socket, a thread or a clock: every input carries {@code
 * nowNanos} from the driver's monotonic clock (System.nanoTime semantics, compared by
 * subtraction), randomness comes from the injected generator.
 *
 * <h2>Rules</h2>
 *
 * <ul>
 *   <li><b>Own adverts</b> are originated on the first input, on every local link change
 *       (coalesced: at most one per {@link RoutingSettings#minOriginationInterval()}, the pending
 *       change going out when the interval ends) and every {@link
 *       RoutingSettings#refreshInterval()} minus random jitter. Sequence numbers start at {@link
 *       LinkStateAdvert#sequenceBase(long)} of the boot time and grow by one.
 *   <li><b>Received adverts</b>: malformed ones are rejected; one older than the advert held (or
 *       recently aged out) for its origin is {@link RejectReason#STALE}; an identical copy is a
 *       duplicate; only then is the signature checked, so duplicates cost no cryptography. A
 *       same-numbered copy with different bytes is verified too, so a relay that alters a copy
 *       is caught even when the original arrived first. A new authentic advert replaces the old
 *       one and is flooded to every up neighbour except the sender. Every rejection is counted
 *       against the relaying neighbour and reported as {@link AdvertRejected}.
 *   <li><b>Own adverts from a previous life</b>: an authentic advert naming this node with a
 *       higher sequence number than its own (after a restart whose clock went back) is not
 *       stored; this node re-originates above it.
 *   <li><b>Aging</b>: an advert is removed {@code min(its max-age, settings max-age)} after it
 *       arrived unless replaced; its number is remembered for {@link
 *       RoutingSettings#staleMemory()} so a late copy cannot bring it back.
 *   <li><b>Database sync</b>: when a link comes up, every held advert (own included) is sent to
 *       the new neighbour, so merged partitions re-converge without waiting for refreshes.
 *   <li><b>Shortest paths</b> (see {@link ShortestPaths}) are recomputed only when the topology
 *       changed: a local link change, an advert aging out, or a new advert whose links differ
 *       from the one it replaces in a way that can change a route (an edge on a shortest path
 *       from this node before or after; any other change leaves every route as it was, see
 *       {@link ShortestPaths#mayChange}).
 *   <li><b>Local changes are immediate</b>: a local link going down is repaired at once from the
 *       database (local fast reroute), before any new advert arrives; a link coming up or
 *       re-costed, and an aged-out advert, are recomputed at once too.
 *   <li><b>Received changes are coalesced</b>: the first one after {@link
 *       RoutingSettings#routeHoldDown()} without a computation is computed at once; later ones
 *       only mark the table stale, and it is recomputed once when the hold-down since the last
 *       computation ends ({@link #nextTickNanos()} and {@link #routeRecomputeDueNanos()} name
 *       the deadline, {@link #tick} runs it), so a burst of adverts (the two ends of a failed
 *       link, a partition) costs one run per hold-down instead of one per advert. Any immediate
 *       computation in between takes the pending changes with it.
 * </ul>
 *
 * <p>Not thread-safe: one thread (the node's routing event loop, or the simulator) owns it and
 * makes every call. Holds no resources; nothing to close.
 */
public final class LinkStateRouter {
  private final String localId;
  private final RoutingSettings settings;
  private final AdvertSigner signer;
  private final AdvertVerifier verifier;
  private final RandomGenerator random;
  private final long minIntervalNanos;
  private final long refreshNanos;
  private final long maxAgeNanos;
  private final long staleMemoryNanos;
  private final long holdDownNanos;

  private final TreeMap<String, Long> localLinks = new TreeMap<>();
  private final LinkStateDatabase database;
  private final HashMap<String, Counters> counters = new HashMap<>(); // sorted when read

  private long nextSequence;
  private boolean originated;
  private boolean ownDirty = true;
  private long lastOriginatedNanos;
  private long nextRefreshNanos;
  /** A local change (or an expiry): recompute before the current input returns. */
  private boolean topologyDirty;
  /** A received advert changed a route's inputs: recompute at {@link #routesDueNanos}. */
  private boolean routesPending;
  private long routesDueNanos;
  private boolean computed;
  private long lastComputedNanos;
  private ShortestPaths.Tree tree;
  private RouteTable routes = RouteTable.empty();
  private long routeComputations;
  private long routeComputationsSkipped;

  /**
   * @param localNodeId this node's id
   * @param bootEpochMillis wall-clock milliseconds at process start, for sequence numbers
   * @param settings timings and limits
   * @param signer signs own adverts
   * @param verifier parses and authenticates received adverts
   * @param random source of refresh jitter (seeded in tests)
   */
  public LinkStateRouter(
      String localNodeId,
      long bootEpochMillis,
      RoutingSettings settings,
      AdvertSigner signer,
      AdvertVerifier verifier,
      RandomGenerator random) {
    this.localId = LinkStateAdvert.requireNodeId(localNodeId, "local node id");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.signer = Objects.requireNonNull(signer, "signer");
    this.verifier = Objects.requireNonNull(verifier, "verifier");
    this.random = Objects.requireNonNull(random, "random");
    this.nextSequence = LinkStateAdvert.sequenceBase(bootEpochMillis);
    this.minIntervalNanos = settings.minOriginationInterval().toNanos();
    this.refreshNanos = settings.refreshInterval().toNanos();
    this.maxAgeNanos = settings.maxAge().toNanos();
    this.staleMemoryNanos = settings.staleMemory().toNanos();
    this.holdDownNanos = settings.routeHoldDown().toNanos();
    this.database = new LinkStateDatabase(localId);
  }

  /** A link to {@code peer} came up (or was re-established) with {@code cost}. */
  public List<RoutingAction> localLinkUp(String peer, long cost, long nowNanos) {
    requirePeer(peer);
    LinkStateAdvert.requireCost(cost, "cost of link to " + peer);
    List<RoutingAction> actions = new ArrayList<>();
    localLinks.put(peer, cost);
    ownDirty = true;
    topologyDirty = true;
    for (LinkStateDatabase.Entry entry : database.entries().values()) {
      actions.add(new SendAdvert(peer, entry.wire()));
    }
    return finish(nowNanos, actions);
  }

  /**
   * The cost of the up link to {@code peer} changed.
   *
   * @throws RoutingException if the link is not up
   */
  public List<RoutingAction> localLinkCostChanged(String peer, long cost, long nowNanos) {
    requirePeer(peer);
    LinkStateAdvert.requireCost(cost, "cost of link to " + peer);
    Long old = localLinks.get(peer);
    if (old == null) {
      throw new RoutingException("cost change for link to " + peer + ", which is not up");
    }
    List<RoutingAction> actions = new ArrayList<>();
    if (old != cost) {
      localLinks.put(peer, cost);
      ownDirty = true;
      topologyDirty = true;
    }
    return finish(nowNanos, actions);
  }

  /**
   * The link to {@code peer} went down: routes are repaired at once from the database (local fast
   * reroute). A link that is not up is ignored, so the socket layer and the failure detector may
   * both report the same death.
   */
  public List<RoutingAction> localLinkDown(String peer, long nowNanos) {
    requirePeer(peer);
    List<RoutingAction> actions = new ArrayList<>();
    if (localLinks.remove(peer) != null) {
      ownDirty = true;
      topologyDirty = true;
    }
    return finish(nowNanos, actions);
  }

  /** A neighbour sent the signed advert {@code wire}. */
  public List<RoutingAction> advertReceived(String fromNeighbour, byte[] wire, long nowNanos) {
    requirePeer(fromNeighbour);
    Objects.requireNonNull(wire, "wire");
    List<RoutingAction> actions = new ArrayList<>();
    LinkStateAdvert advert;
    try {
      advert = verifier.parse(wire);
    } catch (RoutingCodecException e) {
      reject(fromNeighbour, RejectReason.MALFORMED, e.getMessage(), actions);
      return finish(nowNanos, actions);
    }
    if (advert.origin().equals(localId)) {
      ownAdvertReceived(fromNeighbour, wire, advert, actions);
    } else {
      otherAdvertReceived(fromNeighbour, wire, advert, nowNanos, actions);
    }
    return finish(nowNanos, actions);
  }

  /** Timers: ages out adverts, sends a pending or periodic own advert. */
  public List<RoutingAction> tick(long nowNanos) {
    List<RoutingAction> actions = new ArrayList<>();
    if (!database.expire(nowNanos, staleMemoryNanos).isEmpty()) {
      topologyDirty = true;
      database.compactIds(localLinks.keySet()); // a recomputation follows: the tree is renewed
    }
    return finish(nowNanos, actions);
  }

  /**
   * When {@link #tick} next has work: a pending or periodic own advert, a coalesced route
   * recomputation, or an advert or a remembered sequence number to age out. Empty before the
   * first input. Scans the database; a driver that asks after every received advert should ask
   * {@link #routeRecomputeDueNanos()} instead, which is all a received advert can bring forward.
   */
  public OptionalLong nextTickNanos() {
    if (!originated) {
      return OptionalLong.empty();
    }
    long next = ownDirty ? lastOriginatedNanos + minIntervalNanos : nextRefreshNanos;
    if (ownDirty && nextRefreshNanos - next < 0) {
      next = nextRefreshNanos;
    }
    OptionalLong expiry = database.nextDeadline();
    if (expiry.isPresent() && expiry.getAsLong() - next < 0) {
      next = expiry.getAsLong();
    }
    if (routesPending && routesDueNanos - next < 0) {
      next = routesDueNanos;
    }
    return OptionalLong.of(next);
  }

  /**
   * When received adverts that changed the topology are taken into the route table, if any are
   * waiting: {@link #tick} at or after it recomputes. Constant time.
   */
  public OptionalLong routeRecomputeDueNanos() {
    return routesPending ? OptionalLong.of(routesDueNanos) : OptionalLong.empty();
  }

  /** This node's id. */
  public String localNodeId() {
    return localId;
  }

  /** The current route table (an immutable snapshot). */
  public RouteTable routes() {
    return routes;
  }

  /** The up links and their costs, in neighbour order (a copy). */
  public SortedMap<String, Long> localLinks() {
    return Collections.unmodifiableSortedMap(new TreeMap<>(localLinks));
  }

  /** The sequence number of the last own advert, or empty before the first. */
  public OptionalLong localSequence() {
    return originated ? OptionalLong.of(nextSequence - 1) : OptionalLong.empty();
  }

  /** How many times shortest paths were computed (to check that no-op events skip them). */
  public long routeComputations() {
    return routeComputations;
  }

  /**
   * How many received adverts changed the topology but were shown not to change any route
   * without computing shortest paths ({@link ShortestPaths#mayChange}).
   */
  public long routeComputationsSkipped() {
    return routeComputationsSkipped;
  }

  /** The database, one row per origin in origin order. */
  public List<AdvertSummary> databaseSummary(long nowNanos) {
    List<AdvertSummary> rows = new ArrayList<>(database.size());
    for (LinkStateDatabase.Entry entry : database.entries().values()) {
      boolean own = entry.advert().origin().equals(localId);
      rows.add(
          new AdvertSummary(
              entry.advert().origin(),
              entry.advert().sequence(),
              TimeUnit.NANOSECONDS.toMillis(nowNanos - entry.receivedNanos()),
              own ? -1 : Math.max(0, TimeUnit.NANOSECONDS.toMillis(entry.expiresNanos() - nowNanos)),
              entry.advert().links().size(),
              own));
    }
    return rows;
  }

  /** The stored advert of {@code origin}, if any. */
  public Optional<LinkStateAdvert> advert(String origin) {
    LinkStateDatabase.Entry entry = database.get(origin);
    return entry == null ? Optional.empty() : Optional.of(entry.advert());
  }

  /** Per-neighbour advert counters, in neighbour order. */
  public SortedMap<String, NeighbourAdvertStats> neighbourStats() {
    TreeMap<String, NeighbourAdvertStats> out = new TreeMap<>();
    counters.forEach((neighbour, c) -> out.put(neighbour, c.snapshot(neighbour)));
    return Collections.unmodifiableSortedMap(out);
  }

  /** All rejections counted against {@code neighbour}. */
  public long rejectedFrom(String neighbour) {
    Counters c = counters.get(neighbour);
    return c == null ? 0 : c.snapshot(neighbour).totalRejected();
  }

  private void ownAdvertReceived(
      String from, byte[] wire, LinkStateAdvert advert, List<RoutingAction> actions) {
    long current = nextSequence - 1;
    int order = Long.compareUnsigned(advert.sequence(), current);
    if (order < 0 || (!originated && order == 0)) {
      reject(from, RejectReason.STALE, "own advert #" + Long.toUnsignedString(advert.sequence())
          + " is older than #" + Long.toUnsignedString(current), actions);
      return;
    }
    if (order == 0) {
      LinkStateDatabase.Entry own = database.get(localId);
      if (own != null && Arrays.equals(own.wire(), wire)) {
        counters(from).duplicates++;
        return;
      }
    }
    Optional<AdvertRejection> rejection = verifier.verify(wire, advert);
    if (rejection.isPresent()) {
      reject(from, rejection.get().reason(), rejection.get().detail(), actions);
    } else if (order == 0) {
      counters(from).duplicates++;
    } else {
      // Our previous life's advert is still in the mesh: out-number it.
      counters(from).accepted++;
      nextSequence = advert.sequence() + 1;
      ownDirty = true;
    }
  }

  private void otherAdvertReceived(
      String from, byte[] wire, LinkStateAdvert advert, long nowNanos, List<RoutingAction> actions) {
    String origin = advert.origin();
    LinkStateDatabase.Entry held = database.get(origin);
    if (held != null) {
      int order = Long.compareUnsigned(advert.sequence(), held.advert().sequence());
      if (order < 0) {
        reject(from, RejectReason.STALE, staleDetail(advert, held.advert().sequence()), actions);
        return;
      }
      if (order == 0) {
        sameSequenceReceived(from, wire, advert, held, actions);
        return;
      }
    } else {
      OptionalLong forgotten = database.forgottenSequence(origin);
      if (forgotten.isPresent()
          && Long.compareUnsigned(advert.sequence(), forgotten.getAsLong()) <= 0) {
        reject(from, RejectReason.STALE, staleDetail(advert, forgotten.getAsLong()), actions);
        return;
      }
      if (database.size() >= settings.maxOrigins()) {
        reject(from, RejectReason.DATABASE_FULL, "advert of new origin " + origin + " refused: "
            + database.size() + " origins held, limit " + settings.maxOrigins(), actions);
        return;
      }
    }
    Optional<AdvertRejection> rejection = verifier.verify(wire, advert);
    if (rejection.isPresent()) {
      reject(from, rejection.get().reason(), rejection.get().detail(), actions);
      return;
    }
    counters(from).accepted++;
    long lifetime = Math.min(TimeUnit.MILLISECONDS.toNanos(advert.maxAgeMillis()), maxAgeNanos);
    database.put(new LinkStateDatabase.Entry(advert, wire, nowNanos, nowNanos + lifetime));
    if (held == null || !held.advert().sameLinks(advert)) {
      topologyChangedBy(held == null ? null : held.advert(), advert, nowNanos);
    }
    List<String> targets = new ArrayList<>(localLinks.size());
    for (String neighbour : localLinks.keySet()) {
      if (!neighbour.equals(from)) {
        targets.add(neighbour);
      }
    }
    if (!targets.isEmpty()) {
      actions.add(new FloodAdvert(wire, targets));
    }
  }

  private void sameSequenceReceived(
      String from,
      byte[] wire,
      LinkStateAdvert advert,
      LinkStateDatabase.Entry held,
      List<RoutingAction> actions) {
    if (Arrays.equals(held.wire(), wire)) {
      counters(from).duplicates++;
      return;
    }
    // Same number, other bytes: an altered copy, or the same advert with another encoding of
    // the origin's credentials. Only the signature tells which.
    Optional<AdvertRejection> rejection = verifier.verify(wire, advert);
    if (rejection.isPresent()) {
      reject(from, rejection.get().reason(), rejection.get().detail(), actions);
    } else {
      counters(from).duplicates++;
    }
  }

  /**
   * A stored advert replaced {@code before} (null: none) with other links: schedules the
   * recomputation, at once when none ran within the hold-down, unless the change cannot move a
   * route. Called with {@code after} already in the database.
   */
  private void topologyChangedBy(LinkStateAdvert before, LinkStateAdvert after, long nowNanos) {
    if (routesPending || topologyDirty) {
      return; // a recomputation is already due and will see this advert
    }
    if (tree != null && tree.usesIds(database.ids())
        && !ShortestPaths.mayChange(tree, localId, before, after, database.adverts())) {
      routeComputationsSkipped++;
      return;
    }
    routesPending = true;
    long due = lastComputedNanos + holdDownNanos;
    routesDueNanos = !computed || due - nowNanos <= 0 ? nowNanos : due;
  }

  private List<RoutingAction> finish(long nowNanos, List<RoutingAction> actions) {
    maybeOriginate(nowNanos, actions);
    if (topologyDirty || (routesPending && nowNanos - routesDueNanos >= 0)) {
      recompute(nowNanos, actions);
    }
    return actions;
  }

  private void recompute(long nowNanos, List<RoutingAction> actions) {
    topologyDirty = false;
    routesPending = false;
    computed = true;
    lastComputedNanos = nowNanos;
    routeComputations++;
    tree = ShortestPaths.computeTree(localId, localLinks, database, tree);
    RouteTable next = tree.routes();
    if (!next.equals(routes)) {
      RouteTable previous = routes;
      routes = next;
      actions.add(new RoutesChanged(next, next.changedFrom(previous)));
    }
  }

  private void maybeOriginate(long nowNanos, List<RoutingAction> actions) {
    boolean due =
        !originated
            || (ownDirty && nowNanos - lastOriginatedNanos >= minIntervalNanos)
            || nowNanos - nextRefreshNanos >= 0;
    if (!due) {
      return;
    }
    List<LinkStateAdvert.Link> links = new ArrayList<>(localLinks.size());
    localLinks.forEach((peer, cost) -> links.add(new LinkStateAdvert.Link(peer, cost)));
    LinkStateAdvert advert =
        new LinkStateAdvert(localId, nextSequence, settings.maxAge().toMillis(), links);
    byte[] wire = signer.sign(advert);
    nextSequence++;
    originated = true;
    ownDirty = false;
    lastOriginatedNanos = nowNanos;
    long jitter = (long) (refreshNanos * settings.refreshJitter() * random.nextDouble());
    nextRefreshNanos = nowNanos + refreshNanos - jitter;
    database.put(new LinkStateDatabase.Entry(advert, wire, nowNanos, nowNanos));
    if (!localLinks.isEmpty()) {
      actions.add(new FloodAdvert(wire, new ArrayList<>(localLinks.keySet())));
    }
  }

  private void reject(
      String from, RejectReason reason, String detail, List<RoutingAction> actions) {
    counters(from).rejected.merge(reason, 1L, Long::sum);
    actions.add(new AdvertRejected(from, reason, detail));
  }

  private static String staleDetail(LinkStateAdvert advert, long held) {
    return "advert of " + advert.origin() + " #" + Long.toUnsignedString(advert.sequence())
        + " is not newer than #" + Long.toUnsignedString(held);
  }

  private Counters counters(String neighbour) {
    return counters.computeIfAbsent(neighbour, n -> new Counters());
  }

  private void requirePeer(String peer) {
    LinkStateAdvert.requireNodeId(peer, "peer");
    if (peer.equals(localId)) {
      throw new RoutingException("peer " + peer + " is the local node itself");
    }
  }

  private static final class Counters {
    long accepted;
    long duplicates;
    final Map<RejectReason, Long> rejected = new EnumMap<>(RejectReason.class);

    NeighbourAdvertStats snapshot(String neighbour) {
      return new NeighbourAdvertStats(neighbour, accepted, duplicates, rejected);
    }
  }
}
