package dev.x0tta6bl4.node.heal;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.x0tta6bl4.mapek.Action;
import dev.x0tta6bl4.mapek.Actuator;
import dev.x0tta6bl4.node.transport.GoodbyeReason;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mesh area's actuators. Each one checks again, against the links as they are when it runs,
 * that it would not leave the node without a link (the veto decided on the tick's snapshot), and
 * records every run with the links it found ({@link #runs()}), so an operator or a test can
 * audit what the loop did against the ground truth.
 *
 * <ul>
 *   <li>{@code drop-link}: closes the link with GOODBYE (peer unresponsive) and refuses the peer
 *       for {@code dropHoldDown}; routing repairs locally at once. If fewer than {@code
 *       replaceBelow} links remain, a different known neighbour is dialled (when {@code
 *       mesh.max-neighbours} leaves room).
 *   <li>{@code quarantine-peer}: closes the link with GOODBYE (quarantined) and refuses the peer
 *       both ways for {@code quarantinePeriod}; the refusal lifts by itself after the period. Then
 *       every other linked neighbour gets a signed notice ({@link QuarantineNotices#announce}),
 *       which it takes as evidence only.
 *   <li>{@code raise-link-cost} / {@code restore-link-cost}: multiplies the link's advertised cost
 *       by {@code costFactor} / back to the measured cost.
 *   <li>{@code reconnect}: dials a peer (or, for the local node, every peer it knew) now instead
 *       of after backoff, and a different neighbour if there is room.
 * </ul>
 *
 * <p>Handlers run on the loop's action executor; the quarantine map is concurrent because the
 * loop thread's sensors read it.
 */
final class MeshActuators {
  private static final Logger log = LoggerFactory.getLogger(MeshActuators.class);
  private static final int RUNS_KEPT = 512;

  static final String DROP_LINK = "drop-link";
  static final String QUARANTINE_PEER = "quarantine-peer";
  static final String RAISE_LINK_COST = "raise-link-cost";
  static final String RESTORE_LINK_COST = "restore-link-cost";
  static final String RECONNECT = "reconnect";
  /** {@code quarantine-peer} parameter: the offences counted, carried in the notice. */
  static final String EVIDENCE = "evidence";
  /** {@code quarantine-peer} parameter: why, a {@link QuarantineNotice.Reason#label()}. */
  static final String REASON = "reason";

  /** Actions that take a link away, which the veto and the run-time guard watch. */
  static final Set<String> LINK_REMOVING = Set.of(DROP_LINK, QUARANTINE_PEER);

  /**
   * One actuator run: when it started, what, and the peers linked at that moment (the ground
   * truth, read from the links' published map, not from the tick's snapshot).
   */
  public record Run(Instant at, Action action, Set<String> linkedAtStart) {
    public Run {
      linkedAtStart = Set.copyOf(linkedAtStart);
    }
  }

  private final String localNodeId;
  private final MeshControl mesh;
  private final MeshHealingSettings settings;
  private final Clock clock;
  private final QuarantineNotices notices; // null: notices off (a fake mesh in unit tests)
  private final Map<String, Instant> quarantinedUntil = new ConcurrentHashMap<>();
  private final Set<String> everLinked = ConcurrentHashMap.newKeySet();
  private final ArrayDeque<Run> runs = new ArrayDeque<>();

  MeshActuators(String localNodeId, MeshControl mesh, MeshHealingSettings settings, Clock clock,
      MeterRegistry registry, QuarantineNotices notices) {
    this.localNodeId = localNodeId;
    this.notices = notices;
    this.mesh = mesh;
    this.settings = settings;
    this.clock = clock;
    Gauge.builder("meshd.heal.quarantined.peers", this, a -> a.quarantines().size())
        .description("Peers the mesh self-healing holds in quarantine now")
        .register(registry);
  }

  List<Actuator> actuators() {
    Duration timeout = Duration.ofSeconds(2);
    return List.of(
        // The hold-down and the quarantine keep the peer away meanwhile: a longer cooldown would
        // only leave a link that fails again soon after it came back to the failure detector.
        new Actuator(DROP_LINK, this::dropLink, timeout, settings.dropHoldDown(),
            Duration.ofSeconds(2)),
        new Actuator(QUARANTINE_PEER, this::quarantine, timeout, Duration.ofSeconds(1),
            Duration.ofSeconds(2)),
        new Actuator(RAISE_LINK_COST, a -> costFactor(a, settings.costFactor()), timeout,
            Duration.ofSeconds(5), Duration.ofSeconds(3)),
        new Actuator(RESTORE_LINK_COST, a -> costFactor(a, 1), timeout, Duration.ofSeconds(5),
            Duration.ofSeconds(2)),
        new Actuator(RECONNECT, this::reconnect, Duration.ofSeconds(3), Duration.ofSeconds(5),
            Duration.ofSeconds(5)));
  }

  /** Peers seen linked since start (what {@code reconnect} of the local node redials). */
  void sawLinked(Set<String> peers) {
    peers.forEach(everLinked::add);
  }

  /** Peer to seconds of quarantine left; expired entries are forgotten. */
  Map<String, Double> quarantines() {
    Instant now = clock.instant();
    quarantinedUntil.values().removeIf(until -> !until.isAfter(now));
    Map<String, Double> left = new TreeMap<>();
    quarantinedUntil.forEach((peer, until) ->
        left.put(peer, Duration.between(now, until).toMillis() / 1000.0));
    return left;
  }

  /** The last runs, oldest first. */
  synchronized List<Run> runs() {
    return List.copyOf(runs);
  }

  private synchronized Set<String> record(Action action) {
    Set<String> linked = Set.copyOf(mesh.linkedPeers());
    runs.addLast(new Run(clock.instant(), action, linked));
    while (runs.size() > RUNS_KEPT) {
      runs.removeFirst();
    }
    return linked;
  }

  private CompletionStage<Void> dropLink(Action action) {
    String peer = action.subject();
    Set<String> linked = record(action);
    if (!keepsAnotherLink(peer, linked)) {
      return refused(action, linked);
    }
    return mesh.refuse(peer, settings.dropHoldDown(), GoodbyeReason.PEER_UNRESPONSIVE,
            "unresponsive; link dropped by " + localNodeId + " self-healing")
        .thenCompose(closed -> replaceIfFew(peer, linked))
        .thenAccept(replacement -> log.warn("link dropped {} {} {}", kv("peer", peer),
            kv("hold_down_ms", settings.dropHoldDown().toMillis()),
            kv("replacement", replacement)));
  }

  private CompletionStage<Void> quarantine(Action action) {
    String peer = action.subject();
    Set<String> linked = record(action);
    if (!keepsAnotherLink(peer, linked)) {
      return refused(action, linked);
    }
    Instant until = clock.instant().plus(settings.quarantinePeriod());
    quarantinedUntil.put(peer, until);
    long evidence = parseCount(action.params().get(EVIDENCE));
    QuarantineNotice.Reason reason = QuarantineNotice.Reason.MALFORMED_FRAMES.label()
        .equals(action.params().get(REASON)) ? QuarantineNotice.Reason.MALFORMED_FRAMES
        : QuarantineNotice.Reason.RELAYED_BAD_SIGNATURES;
    return mesh.refuse(peer, settings.quarantinePeriod(), GoodbyeReason.QUARANTINED,
            reason.label() + "; quarantined by " + localNodeId)
        .thenApply(closed -> announce(peer, reason, evidence))
        .thenCompose(told -> replaceIfFew(peer, linked).thenAccept(replacement ->
            log.warn("peer quarantined {} {} {} {}", kv("peer", peer),
                kv("until", until.toString()), kv("replacement", replacement),
                kv("notified", told))));
  }

  /**
   * Signed notices to the other neighbours. A notice that cannot be signed does not undo the
   * quarantine: it is logged and the neighbours simply are not told.
   */
  private List<String> announce(String peer, QuarantineNotice.Reason reason, long evidence) {
    if (notices == null) {
      return List.of();
    }
    try {
      return notices.announce(peer, reason, settings.quarantinePeriod(), evidence);
    } catch (RuntimeException e) {
      log.warn("quarantine notice not sent {} {}", kv("accused", peer), kv("error", e.toString()));
      return List.of();
    }
  }

  private static long parseCount(String value) {
    try {
      return value == null ? 0 : Math.max(0, Long.parseLong(value));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** At least one other peer is linked now: never take the node's last link. */
  private static boolean keepsAnotherLink(String peer, Set<String> linked) {
    Set<String> others = new HashSet<>(linked);
    others.remove(peer);
    return !others.isEmpty();
  }

  private static CompletionStage<Void> refused(Action action, Set<String> linked) {
    return CompletableFuture.failedFuture(new IllegalStateException(action.kind() + " of "
        + action.subject() + " refused: it would take the node's last link (linked: " + linked
        + ")"));
  }

  private CompletionStage<String> replaceIfFew(String peer, Set<String> linkedBefore) {
    if (linkedBefore.size() - 1 >= settings.replaceBelow()) {
      return CompletableFuture.completedFuture("none needed");
    }
    Set<String> exclude = new HashSet<>(quarantines().keySet());
    exclude.add(peer);
    return mesh.dialAlternate(exclude).thenApply(id -> id.orElse("none known or no room"));
  }

  private CompletionStage<Void> costFactor(Action action, double factor) {
    record(action);
    return mesh.setLinkCostFactor(action.subject(), factor).thenAccept(cost ->
        log.info("link cost {} {} {} {}", kv("peer", action.subject()), kv("factor", factor),
            kv("cost", cost.isPresent() ? String.valueOf(cost.getAsLong()) : "no link"),
            kv("action", action.kind())));
  }

  private CompletionStage<Void> reconnect(Action action) {
    record(action);
    Set<String> peers = HealingModule.LOCAL.equals(action.subject())
        ? Set.copyOf(everLinked) : Set.of(action.subject());
    CompletableFuture<Integer> due = CompletableFuture.completedFuture(0);
    for (String peer : peers) {
      if (!quarantinedUntil.containsKey(peer)) {
        due = due.thenCombine(mesh.redial(peer), Integer::sum);
      }
    }
    return due.thenCompose(n -> mesh.dialAlternate(quarantines().keySet()).thenAccept(alt -> {
      if (n == 0 && alt.isEmpty()) {
        throw new IllegalStateException("nothing to dial for " + action.subject()
            + ": no known address of " + peers + " and no other neighbour known");
      }
      log.info("reconnecting {} {} {}", kv("subject", action.subject()),
          kv("addresses_due", n), kv("alternate", alt.orElse("none")));
    }));
  }
}
