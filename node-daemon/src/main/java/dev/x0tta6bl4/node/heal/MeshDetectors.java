package dev.x0tta6bl4.node.heal;

import dev.x0tta6bl4.mapek.Detection;
import dev.x0tta6bl4.mapek.Detector;
import dev.x0tta6bl4.mapek.Severity;
import dev.x0tta6bl4.mapek.Snapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The mesh area's detectors, pure functions of the snapshot plus their own hysteresis state:
 *
 * <ul>
 *   <li>{@code neighbour-unresponsive} (critical): a link is open but nothing arrived on it for
 *       {@code unresponsiveAfter}; onset = the last frame heard. A frozen neighbour and a link
 *       cut in both directions look the same from here.
 *   <li>{@code link-degraded} (warning): loss or smoothed RTT at or above the enter threshold; it
 *       stays degraded until both are below their exit thresholds. Reported while the link's cost
 *       is not raised yet (raising it is the remedy, so a mitigated link is not a symptom).
 *   <li>{@code link-cost-restorable} (info): a raised cost whose link has been healthy, or gone,
 *       for {@code restoreAfter}, and about which no neighbour's quarantine report is live.
 *   <li>{@code misbehaving-peer} (critical): at least {@code signatureFailures} offences by a
 *       linked, not quarantined neighbour within {@code signatureWindow}: adverts it relayed with
 *       bad signatures (or forged origin, malformed body), and times the transport cut it off for
 *       malformed frames (it comes back after the transport's short backoff and is then
 *       quarantined); onset = the tick the first was counted.
 *   <li>{@code peer-reported} (warning): a linked neighbour, not quarantined by us, about which
 *       at least one other neighbour's signed quarantine notice is live ({@code
 *       peer.quarantine_reports}), while its link's cost is not raised; the evidence names the
 *       reporters. Hearsay: the remedy only raises the link's cost, and {@code
 *       link-cost-restorable} waits until no report is live.
 *   <li>{@code clock-skew} (warning): the neighbour's clock differs from ours by at least
 *       {@code clockSkewEnter} seconds, until below {@code clockSkewExit}.
 *   <li>{@code isolated} (critical, subject local): no link for {@code isolatedAfter} after the
 *       node had one.
 * </ul>
 *
 * <p>Not thread-safe: the loop thread calls it.
 */
final class MeshDetectors {
  static final String NEIGHBOUR_UNRESPONSIVE = "neighbour-unresponsive";
  static final String LINK_DEGRADED = "link-degraded";
  static final String LINK_COST_RESTORABLE = "link-cost-restorable";
  static final String MISBEHAVING_PEER = "misbehaving-peer";
  static final String CLOCK_SKEW = "clock-skew";
  static final String PEER_REPORTED = "peer-reported";
  static final String ISOLATED = "isolated";

  private final MeshHealingSettings settings;
  private final java.util.function.Function<String, String> reportEvidence;
  // Hysteresis and windows, per peer.
  private final Set<String> degraded = new HashSet<>();
  private final Map<String, Instant> healthySince = new HashMap<>();
  private final Set<String> skewed = new HashSet<>();
  private final Map<String, ArrayDeque<Count>> failureHistory = new HashMap<>();
  private boolean watching;
  private boolean hadLink;
  private Instant alone;

  /** @param reportEvidence the live quarantine reports about a peer, described for evidence */
  MeshDetectors(MeshHealingSettings settings,
      java.util.function.Function<String, String> reportEvidence) {
    this.settings = settings;
    this.reportEvidence = reportEvidence;
  }

  List<Detector> detectors() {
    return List.of(Detector.of("mesh-link-health", this::linkHealth),
        Detector.of("mesh-misbehaviour", this::misbehaviour),
        Detector.of("mesh-quarantine-reports", this::reported),
        Detector.of("mesh-clock-skew", this::clockSkew),
        Detector.of("mesh-isolation", this::isolation));
  }

  List<Detection> linkHealth(Snapshot s) {
    List<Detection> out = new ArrayList<>();
    Map<String, Double> up = s.metric(MeshSensors.LINK_UP);
    double unresponsive = seconds(settings.unresponsiveAfter());
    for (String peer : up.keySet()) {
      double silence = s.value(MeshSensors.LINK_SILENCE, peer).orElse(0);
      if (silence >= unresponsive) {
        double lastHeard = s.value(MeshSensors.LINK_LAST_HEARD, peer).orElse(Double.NaN);
        Instant onset = Double.isNaN(lastHeard) ? null : Instant.ofEpochMilli((long) lastHeard);
        out.add(new Detection(NEIGHBOUR_UNRESPONSIVE, peer, Severity.CRITICAL,
            String.format(Locale.ROOT, "link open but silent for %.2f s (phi %.1f)", silence,
                s.value(MeshSensors.LINK_PHI, peer).orElse(0)), onset));
        continue; // a silent link's loss and RTT say nothing more
      }
      double loss = s.value(MeshSensors.LINK_LOSS, peer).orElse(0);
      double rtt = s.value(MeshSensors.LINK_RTT, peer).orElse(0);
      boolean bad = degraded.contains(peer)
          ? loss >= settings.degradedLossExit() || rtt >= seconds(settings.degradedRttExit())
          : loss >= settings.degradedLossEnter() || rtt >= seconds(settings.degradedRttEnter());
      if (bad) {
        degraded.add(peer);
        healthySince.remove(peer);
      } else {
        degraded.remove(peer);
        healthySince.putIfAbsent(peer, s.at());
      }
      double factor = s.value(MeshSensors.LINK_COST_FACTOR, peer).orElse(1);
      if (bad && factor <= 1) {
        out.add(Detection.of(LINK_DEGRADED, peer, Severity.WARNING, String.format(Locale.ROOT,
            "loss %.0f %%, smoothed RTT %.1f ms", loss * 100, rtt * 1000)));
      }
    }
    degraded.retainAll(up.keySet());
    for (Map.Entry<String, Double> e : s.metric(MeshSensors.LINK_COST_FACTOR).entrySet()) {
      String peer = e.getKey();
      if (e.getValue() <= 1 || degraded.contains(peer)
          || s.value(MeshSensors.PEER_QUARANTINE_REPORTS, peer).orElse(0) > 0) {
        continue; // still degraded, or still reported by a neighbour: keep the cost raised
      }
      Instant since = up.containsKey(peer) ? healthySince.get(peer)
          : healthySince.computeIfAbsent(peer, p -> s.at());
      if (since != null && !since.plus(settings.restoreAfter()).isAfter(s.at())) {
        out.add(Detection.of(LINK_COST_RESTORABLE, peer, Severity.INFO, String.format(Locale.ROOT,
            "cost raised x%.0f; link %s since %s", e.getValue(),
            up.containsKey(peer) ? "healthy" : "gone", since)));
      }
    }
    healthySince.keySet().removeIf(peer -> !up.containsKey(peer)
        && s.value(MeshSensors.LINK_COST_FACTOR, peer).orElse(1) <= 1);
    return out;
  }

  List<Detection> misbehaviour(Snapshot s) {
    List<Detection> out = new ArrayList<>();
    Instant horizon = s.at().minus(settings.signatureWindow());
    Map<String, Double> signatures = s.metric(MeshSensors.PEER_SIGNATURE_FAILURES);
    Map<String, Double> strikes = s.metric(MeshSensors.PEER_MALFORMED_STRIKES);
    java.util.Set<String> peers = new java.util.TreeSet<>(signatures.keySet());
    peers.addAll(strikes.keySet());
    for (String peer : peers) {
      double badSignatures = signatures.getOrDefault(peer, 0.0);
      double malformed = strikes.getOrDefault(peer, 0.0);
      double total = badSignatures + malformed;
      ArrayDeque<Count> history = failureHistory.get(peer);
      if (history == null) {
        history = new ArrayDeque<>();
        failureHistory.put(peer, history);
        // Counted before the loop watched: not news. A neighbour first seen later: all new.
        history.add(new Count(s.at(), watching ? 0 : total));
      }
      boolean quarantined = s.value(MeshSensors.PEER_QUARANTINED, peer).orElse(0) > 0;
      if (quarantined) {
        // Paid for: once the quarantine ends, only failures after it count.
        history.clear();
        history.add(new Count(s.at(), total));
      } else if (history.peekLast().total() != total) {
        history.addLast(new Count(s.at(), total));
      }
      while (history.size() > 1 && !secondOf(history).at().isAfter(horizon)) {
        history.removeFirst(); // the count as of the window's start stays first, as the base
      }
      double recent = total - history.peekFirst().total();
      boolean linked = s.value(MeshSensors.LINK_UP, peer).isPresent();
      if (recent >= settings.signatureFailures() && linked && !quarantined) {
        out.add(new Detection(MISBEHAVING_PEER, peer, Severity.CRITICAL, String.format(Locale.ROOT,
            "%.0f offences in the last %d s; since start %.0f relayed adverts with bad"
                + " signatures, cut off %.0f times for malformed frames", recent,
            settings.signatureWindow().toSeconds(), badSignatures, malformed),
            secondOf(history).at()));
      }
    }
    watching = true;
    return out;
  }

  /**
   * Neighbours reported by other neighbours' signed quarantine notices. Evidence only: the
   * remedy raises the link's cost; only this node's own evidence ({@link #misbehaviour}) ever
   * quarantines.
   */
  List<Detection> reported(Snapshot s) {
    List<Detection> out = new ArrayList<>();
    for (Map.Entry<String, Double> e : s.metric(MeshSensors.PEER_QUARANTINE_REPORTS).entrySet()) {
      String peer = e.getKey();
      boolean linked = s.value(MeshSensors.LINK_UP, peer).isPresent();
      boolean quarantined = s.value(MeshSensors.PEER_QUARANTINED, peer).orElse(0) > 0;
      boolean raised = s.value(MeshSensors.LINK_COST_FACTOR, peer).orElse(1) > 1;
      if (e.getValue() >= 1 && linked && !quarantined && !raised) {
        out.add(Detection.of(PEER_REPORTED, peer, Severity.WARNING, String.format(Locale.ROOT,
            "quarantined by %.0f neighbour(s), signed notices: %s; evidence only, no quarantine"
                + " on hearsay", e.getValue(), reportEvidence.apply(peer))));
      }
    }
    return out;
  }

  private static Count secondOf(ArrayDeque<Count> history) {
    java.util.Iterator<Count> it = history.iterator();
    it.next();
    return it.next();
  }

  /** A neighbour's signature-failure count as first seen at {@code at}. */
  private record Count(Instant at, double total) {}

  List<Detection> clockSkew(Snapshot s) {
    List<Detection> out = new ArrayList<>();
    Map<String, Double> offsets = s.metric(MeshSensors.LINK_CLOCK_OFFSET);
    for (Map.Entry<String, Double> e : offsets.entrySet()) {
      double abs = Math.abs(e.getValue());
      boolean skew = skewed.contains(e.getKey())
          ? abs >= settings.clockSkewExit() : abs >= settings.clockSkewEnter();
      if (skew) {
        skewed.add(e.getKey());
        out.add(Detection.of(CLOCK_SKEW, e.getKey(), Severity.WARNING, String.format(Locale.ROOT,
            "neighbour clock %+.3f s from ours", e.getValue())));
      } else {
        skewed.remove(e.getKey());
      }
    }
    skewed.retainAll(offsets.keySet());
    return out;
  }

  List<Detection> isolation(Snapshot s) {
    double links = s.value(MeshSensors.MESH_LINKS, HealingModule.LOCAL).orElse(-1);
    if (links > 0) {
      hadLink = true;
      alone = null;
      return List.of();
    }
    if (links < 0 || !hadLink) {
      return List.of();
    }
    if (alone == null) {
      alone = s.at();
    }
    if (alone.plus(settings.isolatedAfter()).isAfter(s.at())) {
      return List.of();
    }
    return List.of(new Detection(ISOLATED, HealingModule.LOCAL, Severity.CRITICAL,
        "no mesh link since " + alone, alone));
  }

  private static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }
}
