package dev.x0tta6bl4.node.heal;

import dev.x0tta6bl4.node.membership.PeerState;
import dev.x0tta6bl4.node.membership.PeerStatus;
import dev.x0tta6bl4.node.mesh.MeshRouter;
import dev.x0tta6bl4.node.routing.NeighbourAdvertStats;
import dev.x0tta6bl4.node.routing.RejectReason;
import dev.x0tta6bl4.node.transport.GoodbyeReason;
import dev.x0tta6bl4.node.transport.MeshLinks;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A mesh for unit tests of {@link MeshHealing}: links with failure-detector counters the test
 * sets, advert counters, and a record of every operation the actuators asked for (which change
 * the fake the way the real mesh would: a refused peer's link goes away).
 */
final class FakeMesh implements MeshControl {
  /** One link's state as the test sets it. */
  static final class FakeLink {
    long lastHeardNanos;
    long acks;
    long missed;
    long srttNanos = 1_000_000;
    double clockOffset;

    FakeLink(long now) {
      lastHeardNanos = now;
    }
  }

  final TestLoops.FakeClock clock;
  final Map<String, FakeLink> links = new TreeMap<>();
  final Map<String, Long> signatureFailures = new TreeMap<>();
  final Map<String, Double> costFactors = new TreeMap<>();
  final List<String> operations = new ArrayList<>();
  final Map<String, Instant> refusedUntil = new TreeMap<>();
  List<String> alternates = new ArrayList<>();

  FakeMesh(TestLoops.FakeClock clock, String... peers) {
    this.clock = clock;
    for (String peer : peers) {
      links.put(peer, new FakeLink(clock.nanos()));
    }
  }

  /** Every link hears a heartbeat reply now (the ones not {@code silent}). */
  void heartbeat(Set<String> silent) {
    links.forEach((peer, link) -> {
      if (!silent.contains(peer)) {
        link.lastHeardNanos = clock.nanos();
        link.acks++;
      }
    });
  }

  @Override
  public MeshLinks.LinkView links() {
    long now = clock.nanos();
    List<MeshLinks.LinkSnapshot> out = new ArrayList<>();
    links.forEach((peer, l) -> out.add(new MeshLinks.LinkSnapshot(peer, "spiffe://t/node/" + peer,
        true, "127.0.0.1:1", "127.0.0.1:1",
        new PeerState(peer, PeerStatus.ALIVE, 0.5, OptionalLong.of(l.srttNanos),
            OptionalLong.of(l.srttNanos), l.acks + l.missed, l.acks, l.missed,
            OptionalLong.empty(), l.lastHeardNanos),
        l.clockOffset)));
    return new MeshLinks.LinkView(now, clock.millis(), out);
  }

  @Override
  public MeshRouter.HealthView health() {
    TreeMap<String, NeighbourAdvertStats> adverts = new TreeMap<>();
    signatureFailures.forEach((peer, n) -> adverts.put(peer,
        new NeighbourAdvertStats(peer, 10, 0, Map.of(RejectReason.BAD_SIGNATURE, n))));
    return new MeshRouter.HealthView(adverts, 0, links.size(), 0, 0, costFactors);
  }

  @Override
  public Set<String> linkedPeers() {
    return Set.copyOf(links.keySet());
  }

  /** Malformed-data strikes per peer, as the test sets them. */
  final Map<String, Integer> strikes = new java.util.HashMap<>();

  @Override
  public Map<String, Integer> malformedStrikes() {
    return Map.copyOf(strikes);
  }

  @Override
  public CompletionStage<Boolean> refuse(
      String peer, Duration period, GoodbyeReason reason, String detail) {
    operations.add("refuse " + peer + " " + reason + " " + period.toMillis());
    refusedUntil.put(peer, clock.instant().plus(period));
    return CompletableFuture.completedFuture(links.remove(peer) != null);
  }

  @Override
  public CompletionStage<Boolean> lift(String peer) {
    operations.add("lift " + peer);
    return CompletableFuture.completedFuture(refusedUntil.remove(peer) != null);
  }

  @Override
  public CompletionStage<Integer> redial(String peer) {
    operations.add("redial " + peer);
    return CompletableFuture.completedFuture(1);
  }

  @Override
  public CompletionStage<Optional<String>> dialAlternate(Set<String> excluding) {
    operations.add("alternate excluding " + new TreeMap<>(Map.of("x", excluding)).get("x"));
    return CompletableFuture.completedFuture(alternates.stream()
        .filter(a -> !excluding.contains(a)).findFirst());
  }

  @Override
  public CompletionStage<OptionalLong> setLinkCostFactor(String peer, double factor) {
    operations.add("cost " + peer + " x" + factor);
    if (factor == 1) {
      costFactors.remove(peer);
    } else {
      costFactors.put(peer, factor);
    }
    return CompletableFuture.completedFuture(links.containsKey(peer)
        ? OptionalLong.of(Math.round(100 * factor)) : OptionalLong.empty());
  }
}
