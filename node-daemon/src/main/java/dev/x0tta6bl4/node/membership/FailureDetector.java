package dev.x0tta6bl4.node.membership;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * The failure-detection core of one node: a sans-IO state machine that owns a
 * {@link PhiAccrualDetector} per neighbour and decides, SWIM/Lifeguard style, when a neighbour is
 * SUSPECT, when it has recovered and when it is DEAD.
 *
 * <p><b>Inputs</b> are method calls carrying the caller's time {@code nowNanos} (monotonic, e.g.
 * {@code System.nanoTime()} in production, virtual time in the simulator); <b>outputs</b> are the
 * returned {@link DetectorOutput}s, to be handled in order: frames to send ({@link
 * DetectorOutput.Action}) and belief changes ({@link DetectorOutput.Event}). The class never reads
 * a clock, never sleeps, never touches a socket or a thread; its only randomness (choosing probe
 * helpers) comes from the injected generator, so a seeded run replays exactly.
 *
 * <p><b>Protocol.</b>
 *
 * <ul>
 *   <li>{@link #tick} is called about every {@link FailureDetectorSettings#heartbeatInterval()}. It
 *       sends a heartbeat on every link not DEAD, and evaluates every neighbour.
 *   <li>Phi samples only heartbeat arrivals ({@link #heartbeatReceived}), which are regular;
 *       silence is measured from the last evidence of life of any kind ({@link #evidenceOfLife}:
 *       any frame, a heartbeat reply, a probe frame). Data traffic thus makes detection only more
 *       lenient, never noisier.
 *   <li>A neighbour whose phi reaches the threshold (or that is silent for {@code
 *       maxSilenceBeforeSuspicion}) becomes SUSPECT ({@link DetectorOutput.Suspected}); one probe
 *       round goes out: {@link DetectorOutput.SendProbeRequest} to up to {@code probeFanout} other
 *       ALIVE neighbours chosen with the seeded generator, all with the same probe id.
 *   <li>Any evidence of life, direct or an ALIVE probe result, clears suspicion ({@link
 *       DetectorOutput.Recovered}). After {@code suspicionTimeout} without it the neighbour is DEAD
 *       ({@link DetectorOutput.Dead}) with reason {@link DeathReason#PHI_TIMEOUT_CONFIRMED_BY_PROBES}
 *       if a helper answered UNREACHABLE or UNKNOWN_TARGET, else {@link
 *       DeathReason#NO_PROBE_HELPERS_AND_TIMEOUT}. A closed link is DEAD at once ({@link
 *       DeathReason#LINK_CLOSED}).
 *   <li><b>Helper side</b> ({@link #probeRequestReceived}): if this node heard from the target
 *       directly within {@code freshnessWindow} it answers ALIVE at once. Otherwise it sends the
 *       target an extra heartbeat (whose reply is evidence) and keeps the request pending: it is
 *       answered ALIVE as soon as anything arrives from the target, UNREACHABLE after {@code
 *       probeTimeout} or when the target's link dies. UNKNOWN_TARGET if there is no link to the
 *       target, UNREACHABLE at once if the target is already DEAD here.
 *   <li><b>Local health</b> (Lifeguard): a gap between two ticks larger than {@code
 *       localPauseThreshold} means this node was not running (GC pause, stalled or saturated CPU).
 *       The gap minus one interval is not counted against anyone: silence clocks, suspicion
 *       deadlines and pending probe deadlines are all moved forward by it.
 *   <li>A peer kept alive only by probe answers with nothing on the direct link for {@code
 *       directSilenceLimit} is DEAD with {@link DeathReason#DIRECT_LINK_SILENT}, so a link that
 *       carries nothing (e.g. one-way partition) is not kept forever in a suspect/recover loop.
 * </ul>
 *
 * <p>A DEAD neighbour stays in the table (and in {@link #peers}) until {@link #linkClosed} or a new
 * {@link #linkUp}; input about it is ignored meanwhile. The heartbeat reply itself is sent by the
 * adapter (it only echoes the sequence number and send time; no state is needed).
 *
 * <p><b>Threading:</b> not thread-safe; one thread (the node's event loop, or the simulator) owns
 * the instance and makes every call. Holds no resources; nothing to close.
 */
public final class FailureDetector {
  private final String localId;
  private final FailureDetectorSettings settings;
  private final RandomGenerator random;
  private final long intervalNanos;
  private final long heartbeatDueNanos;
  private final long maxSilenceNanos;
  private final long suspicionTimeoutNanos;
  private final long probeTimeoutNanos;
  private final long freshnessNanos;
  private final long localPauseNanos;
  private final long directSilenceNanos;
  private final Map<String, LinkPeer> peers = new LinkedHashMap<>();
  private final PendingProbes pending;
  private long nextProbeId = 1;
  private long lastTickNanos;
  private boolean ticked;
  private long localPauses;
  private long ignoredInputs;

  /**
   * Creates the core for node {@code localId}.
   *
   * @param random source of randomness for choosing probe helpers; seed it in tests and
   *     simulations
   */
  public FailureDetector(
      String localId, FailureDetectorSettings settings, RandomGenerator random) {
    this.localId = requireId(localId, "localId");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.random = Objects.requireNonNull(random, "random");
    this.intervalNanos = settings.heartbeatInterval().toNanos();
    this.heartbeatDueNanos = intervalNanos - intervalNanos / 4;
    this.maxSilenceNanos = settings.maxSilenceBeforeSuspicion().toNanos();
    this.suspicionTimeoutNanos = settings.suspicionTimeout().toNanos();
    this.probeTimeoutNanos = settings.probeTimeout().toNanos();
    this.freshnessNanos = settings.freshnessWindow().toNanos();
    this.localPauseNanos = settings.localPauseThreshold().toNanos();
    this.directSilenceNanos = settings.directSilenceLimit().toNanos();
    this.pending = new PendingProbes(settings.maxPendingProbes());
  }

  /** This node's id. */
  public String localId() {
    return localId;
  }

  /** The settings in force. */
  public FailureDetectorSettings settings() {
    return settings;
  }

  /**
   * A link to {@code peer} is established (HELLO done): start monitoring it and send the first
   * heartbeat. Idempotent while the peer is monitored; a DEAD peer starts over.
   *
   * @throws MembershipException if {@code peer} is this node
   */
  public List<DetectorOutput> linkUp(String peer, long nowNanos) {
    requireId(peer, "peer");
    if (peer.equals(localId)) {
      throw new MembershipException("peer: '" + peer + "'; expected a node other than this one");
    }
    LinkPeer existing = peers.get(peer);
    if (existing != null && existing.status != PeerStatus.DEAD) {
      return List.of();
    }
    peers.remove(peer);
    LinkPeer p = new LinkPeer(peer, PhiAccrualDetector.create(settings), nowNanos);
    peers.put(peer, p);
    List<DetectorOutput> out = new ArrayList<>(1);
    sendHeartbeat(p, nowNanos, true, out);
    return out;
  }

  /**
   * The link to {@code peer} closed (socket closed, TLS or protocol failure, GOODBYE): the peer is
   * DEAD at once with {@link DeathReason#LINK_CLOSED} (unless it already was) and is forgotten.
   */
  public List<DetectorOutput> linkClosed(String peer, long nowNanos) {
    LinkPeer p = peers.remove(Objects.requireNonNull(peer, "peer"));
    if (p == null) {
      ignoredInputs++;
      return List.of();
    }
    List<DetectorOutput> out = new ArrayList<>(2);
    if (p.status != PeerStatus.DEAD) {
      p.clearSuspicion(PeerStatus.DEAD);
      out.add(new DetectorOutput.Dead(peer, nowNanos, DeathReason.LINK_CLOSED));
    }
    pending.answerAll(peer, ProbeOutcome.UNREACHABLE, out);
    return out;
  }

  /**
   * Anything arrived from {@code peer} over its link (a data frame, an advert, any frame): it is
   * alive. Clears a suspicion and answers pending probe requests about it. The specific input
   * methods below already count as evidence; call this for frames that have none.
   */
  public List<DetectorOutput> evidenceOfLife(String peer, long nowNanos) {
    LinkPeer p = live(peer);
    if (p == null) {
      return List.of();
    }
    p.heardDirectly(nowNanos);
    List<DetectorOutput> out = null;
    if (p.status == PeerStatus.SUSPECT) {
      out = new ArrayList<>(2);
      recover(p, nowNanos, out);
    }
    if (pending.size() > 0) {
      List<DetectorOutput> answers = out != null ? out : new ArrayList<>(2);
      pending.answerAll(peer, ProbeOutcome.ALIVE, answers);
      if (!answers.isEmpty()) {
        out = answers;
      }
    }
    return out == null ? List.of() : out;
  }

  /** A HEARTBEAT frame arrived from {@code peer}: a phi sample and evidence of life. */
  public List<DetectorOutput> heartbeatReceived(String peer, long nowNanos) {
    LinkPeer p = live(peer);
    if (p == null) {
      return List.of();
    }
    p.phi.heartbeat(nowNanos);
    return evidenceOfLife(peer, nowNanos);
  }

  /**
   * The reply to our heartbeat {@code seq} arrived, echoing its {@code sentNanos}: an RTT sample
   * (only if seq and time match a heartbeat we sent and not yet answered) and evidence of life.
   */
  public List<DetectorOutput> heartbeatAckReceived(
      String peer, long seq, long sentNanos, long nowNanos) {
    LinkPeer p = live(peer);
    if (p == null) {
      return List.of();
    }
    if (p.ledger.ack(seq, sentNanos) && nowNanos >= sentNanos) {
      p.rttSample(nowNanos - sentNanos);
    } else {
      ignoredInputs++;
    }
    return evidenceOfLife(peer, nowNanos);
  }

  /**
   * Periodic step, about every heartbeat interval: detects a local pause, answers expired probe
   * requests, declares deaths, starts suspicions (with their probe requests) and sends heartbeats.
   */
  public List<DetectorOutput> tick(long nowNanos) {
    List<DetectorOutput> out = new ArrayList<>(peers.size() + 4);
    if (ticked && nowNanos - lastTickNanos > localPauseNanos) {
      long unobserved = nowNanos - lastTickNanos - intervalNanos;
      localPauses++;
      for (LinkPeer p : peers.values()) {
        p.postpone(unobserved, nowNanos);
      }
      pending.postpone(unobserved);
    }
    if (!ticked || nowNanos > lastTickNanos) {
      lastTickNanos = nowNanos;
      ticked = true;
    }
    pending.expire(nowNanos, out);
    declareDeaths(nowNanos, out);
    startSuspicions(nowNanos, out);
    for (LinkPeer p : peers.values()) {
      if (p.status != PeerStatus.DEAD) {
        p.ledger.expire(nowNanos, maxSilenceNanos);
        if (!p.heartbeatSent || nowNanos - p.lastScheduledHeartbeatNanos >= heartbeatDueNanos) {
          sendHeartbeat(p, nowNanos, true, out);
        }
      }
    }
    return out;
  }

  /**
   * Helper side: {@code from} asks whether this node can hear {@code target} (probe {@code
   * probeId}). Answers at once (ALIVE with fresh evidence, UNKNOWN_TARGET without a link,
   * UNREACHABLE if the target is DEAD here or too many requests are pending) or later (see the
   * class comment). Also evidence of life of {@code from}.
   */
  public List<DetectorOutput> probeRequestReceived(
      String from, long probeId, String target, long nowNanos) {
    Objects.requireNonNull(target, "target");
    List<DetectorOutput> out = new ArrayList<>(evidenceOfLife(from, nowNanos));
    if (target.equals(localId) || target.equals(from)) {
      out.add(new DetectorOutput.SendProbeResult(from, probeId, target, ProbeOutcome.ALIVE));
      return out;
    }
    LinkPeer t = peers.get(target);
    ProbeOutcome now = null;
    if (t == null) {
      now = ProbeOutcome.UNKNOWN_TARGET;
    } else if (t.status == PeerStatus.DEAD) {
      now = ProbeOutcome.UNREACHABLE;
    } else if (nowNanos - t.lastHeardNanos <= freshnessNanos) {
      now = ProbeOutcome.ALIVE;
    } else if (pending.contains(from, probeId)) {
      ignoredInputs++;
      return out;
    } else if (!pending.add(from, probeId, target, nowNanos + probeTimeoutNanos)) {
      now = ProbeOutcome.UNREACHABLE;
    } else {
      sendHeartbeat(t, nowNanos, false, out);
    }
    if (now != null) {
      out.add(new DetectorOutput.SendProbeResult(from, probeId, target, now));
    }
    return out;
  }

  /**
   * Requester side: helper {@code from} answers our probe {@code probeId} about {@code target}.
   * ALIVE clears the suspicion; UNREACHABLE or UNKNOWN_TARGET is remembered as confirmation. A
   * result that does not match the current probe round of a SUSPECT target is ignored. Also
   * evidence of life of {@code from}.
   */
  public List<DetectorOutput> probeResultReceived(
      String from, long probeId, String target, ProbeOutcome outcome, long nowNanos) {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(outcome, "outcome");
    List<DetectorOutput> first = evidenceOfLife(from, nowNanos);
    LinkPeer t = peers.get(target);
    if (t == null
        || t.status != PeerStatus.SUSPECT
        || t.probeId != probeId
        || !t.helpersAsked.remove(from)) {
      ignoredInputs++;
      return first;
    }
    if (outcome != ProbeOutcome.ALIVE) {
      t.helperDenied = true;
      return first;
    }
    List<DetectorOutput> out = new ArrayList<>(first);
    t.silenceStartNanos = Math.max(t.silenceStartNanos, nowNanos);
    recover(t, nowNanos, out);
    return out;
  }

  /** A snapshot of one neighbour at {@code nowNanos}, if it is in the table. */
  public Optional<PeerState> peer(String peer, long nowNanos) {
    LinkPeer p = peers.get(peer);
    return p == null ? Optional.empty() : Optional.of(p.snapshot(nowNanos));
  }

  /** Snapshots of all neighbours in the table (DEAD ones included until their link closes). */
  public List<PeerState> peers(long nowNanos) {
    List<PeerState> all = new ArrayList<>(peers.size());
    for (LinkPeer p : peers.values()) {
      all.add(p.snapshot(nowNanos));
    }
    return List.copyOf(all);
  }

  /** How many times {@link #tick} found that this node itself had been paused. */
  public long localPausesDetected() {
    return localPauses;
  }

  /** Inputs ignored as stale, duplicate, unmatched or about unknown or DEAD peers. */
  public long ignoredInputs() {
    return ignoredInputs;
  }

  private LinkPeer live(String peer) {
    LinkPeer p = peers.get(Objects.requireNonNull(peer, "peer"));
    if (p == null || p.status == PeerStatus.DEAD) {
      ignoredInputs++;
      return null;
    }
    return p;
  }

  private void declareDeaths(long nowNanos, List<DetectorOutput> out) {
    for (LinkPeer p : peers.values()) {
      DeathReason reason = null;
      if (p.status == PeerStatus.SUSPECT && nowNanos >= p.suspicionDeadlineNanos) {
        reason =
            p.helperDenied
                ? DeathReason.PHI_TIMEOUT_CONFIRMED_BY_PROBES
                : DeathReason.NO_PROBE_HELPERS_AND_TIMEOUT;
      } else if (p.status != PeerStatus.DEAD && nowNanos - p.lastDirectNanos >= directSilenceNanos) {
        reason = DeathReason.DIRECT_LINK_SILENT;
      }
      if (reason != null) {
        p.clearSuspicion(PeerStatus.DEAD);
        out.add(new DetectorOutput.Dead(p.id, nowNanos, reason));
        pending.answerAll(p.id, ProbeOutcome.UNREACHABLE, out);
      }
    }
  }

  private void startSuspicions(long nowNanos, List<DetectorOutput> out) {
    List<LinkPeer> suspects = null;
    for (LinkPeer p : peers.values()) {
      if (p.status == PeerStatus.ALIVE
          && (p.silence(nowNanos) >= maxSilenceNanos
              || p.phiAt(nowNanos) >= settings.phiThreshold())) {
        if (suspects == null) {
          suspects = new ArrayList<>(2);
        }
        suspects.add(p);
      }
    }
    if (suspects == null) {
      return;
    }
    List<Double> phis = new ArrayList<>(suspects.size());
    for (LinkPeer p : suspects) {
      phis.add(p.phiAt(nowNanos));
      p.suspect(nowNanos, suspicionTimeoutNanos, nextProbeId++);
    }
    for (int i = 0; i < suspects.size(); i++) {
      LinkPeer p = suspects.get(i);
      out.add(new DetectorOutput.Suspected(p.id, nowNanos, phis.get(i)));
      for (LinkPeer helper : chooseHelpers(p)) {
        p.helpersAsked.add(helper.id);
        out.add(new DetectorOutput.SendProbeRequest(helper.id, p.probeId, p.id));
      }
    }
  }

  /** Up to probeFanout ALIVE neighbours other than {@code target}, by a partial shuffle. */
  private List<LinkPeer> chooseHelpers(LinkPeer target) {
    List<LinkPeer> candidates = new ArrayList<>(peers.size());
    for (LinkPeer p : peers.values()) {
      if (p != target && p.status == PeerStatus.ALIVE) {
        candidates.add(p);
      }
    }
    int k = Math.min(settings.probeFanout(), candidates.size());
    for (int i = 0; i < k; i++) {
      int j = i + random.nextInt(candidates.size() - i);
      LinkPeer swap = candidates.get(i);
      candidates.set(i, candidates.get(j));
      candidates.set(j, swap);
    }
    return candidates.subList(0, k);
  }

  private void recover(LinkPeer p, long nowNanos, List<DetectorOutput> out) {
    p.clearSuspicion(PeerStatus.ALIVE);
    out.add(new DetectorOutput.Recovered(p.id, nowNanos));
  }

  private void sendHeartbeat(
      LinkPeer p, long nowNanos, boolean scheduled, List<DetectorOutput> out) {
    long seq = p.ledger.send(nowNanos);
    if (scheduled) {
      p.lastScheduledHeartbeatNanos = nowNanos;
      p.heartbeatSent = true;
    }
    out.add(new DetectorOutput.SendHeartbeat(p.id, seq, nowNanos));
  }

  private static String requireId(String id, String name) {
    Objects.requireNonNull(id, name);
    if (id.isBlank()) {
      throw new MembershipException(name + ": '" + id + "'; expected a non-blank node id");
    }
    return id;
  }
}
