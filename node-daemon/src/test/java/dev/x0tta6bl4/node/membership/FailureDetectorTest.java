package dev.x0tta6bl4.node.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.x0tta6bl4.node.membership.DetectorOutput.Dead;
import dev.x0tta6bl4.node.membership.DetectorOutput.Recovered;
import dev.x0tta6bl4.node.membership.DetectorOutput.SendHeartbeat;
import dev.x0tta6bl4.node.membership.DetectorOutput.SendProbeRequest;
import dev.x0tta6bl4.node.membership.DetectorOutput.SendProbeResult;
import dev.x0tta6bl4.node.membership.DetectorOutput.Suspected;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Single-core tests on a fake clock: time is a plain long advanced by the test. */
class FailureDetectorTest {
  private static final long MS = 1_000_000L;
  private static final FailureDetectorSettings DEFAULTS = FailureDetectorSettings.defaults();

  private final List<DetectorOutput> log = new ArrayList<>();

  private List<DetectorOutput> rec(List<DetectorOutput> outputs) {
    log.addAll(outputs);
    return outputs;
  }

  private FailureDetector node(String... peers) {
    return node(DEFAULTS, 42L, peers);
  }

  private FailureDetector node(FailureDetectorSettings settings, long seed, String... peers) {
    FailureDetector fd = new FailureDetector("A", settings, new SplittableRandom(seed));
    for (String p : peers) {
      rec(fd.linkUp(p, 0));
    }
    return fd;
  }

  /**
   * Ticks at k*100 ms for k in [fromMs/100, toMs/100) and, after each tick, a heartbeat from every
   * peer in {@code speaking} arriving at k*100 + phaseMs.
   */
  private void steady(FailureDetector fd, long fromMs, long toMs, long phaseMs, String... speaking) {
    for (long t = fromMs; t < toMs; t += 100) {
      rec(fd.tick(t * MS));
      for (String p : speaking) {
        rec(fd.heartbeatReceived(p, (t + phaseMs) * MS));
      }
    }
  }

  private <T> List<T> logged(Class<T> type) {
    return log.stream().filter(type::isInstance).map(type::cast).collect(Collectors.toList());
  }

  private static <T> List<T> of(List<DetectorOutput> outputs, Class<T> type) {
    return outputs.stream().filter(type::isInstance).map(type::cast).collect(Collectors.toList());
  }

  @Test
  void tick_steadyJitteredHeartbeatsFor10Minutes_neverSuspects() {
    long seed = 20261127L;
    System.out.println("tick_steadyJitteredHeartbeatsFor10Minutes_neverSuspects seed=" + seed);
    SplittableRandom random = new SplittableRandom(seed);
    FailureDetector fd = node("B", "C", "D");
    double maxPhi = 0;
    for (long t = 0; t < 600_000; t += 100) {
      rec(fd.tick(t * MS));
      for (String p : List.of("B", "C", "D")) {
        long arrival = (t + 30 + random.nextLong(21)) * MS;
        rec(fd.heartbeatReceived(p, arrival));
      }
      for (PeerState s : fd.peers((t + 99) * MS)) {
        maxPhi = Math.max(maxPhi, s.phi());
      }
    }
    System.out.println("max phi seen just before a tick: " + maxPhi);

    assertThat(logged(DetectorOutput.Event.class)).isEmpty();
    assertThat(maxPhi).isLessThan(2.0);
    assertThat(fd.peers(600_000 * MS))
        .allSatisfy(s -> assertThat(s.status()).isEqualTo(PeerStatus.ALIVE))
        .allSatisfy(s -> assertThat(s.heartbeatsSent()).isEqualTo(6_000));
  }

  @Test
  void tick_silentPeerWithoutHelpers_suspectedAt295msDeadAt695msAfterLastHeartbeat() {
    FailureDetector fd = node("B");
    steady(fd, 0, 5_100, 5, "B"); // last heartbeat at 5005 ms
    steady(fd, 5_100, 6_000, 5);

    assertThat(logged(Suspected.class))
        .singleElement()
        .satisfies(s -> assertThat(s.atNanos()).isEqualTo(5_300 * MS))
        .satisfies(s -> assertThat(s.phi()).isGreaterThan(DEFAULTS.phiThreshold()));
    assertThat(logged(SendProbeRequest.class)).isEmpty();
    assertThat(logged(Dead.class))
        .containsExactly(new Dead("B", 5_700 * MS, DeathReason.NO_PROBE_HELPERS_AND_TIMEOUT));
    long detection = 5_700 * MS - 5_005 * MS;
    assertThat(detection)
        .isBetween(650 * MS, DEFAULTS.worstCaseDetectionDelay().toNanos())
        .isLessThanOrEqualTo(1_000 * MS);
    assertThat(fd.peer("B", 6_000 * MS).orElseThrow().status()).isEqualTo(PeerStatus.DEAD);
  }

  @Test
  void tick_silentPeerWithUnreachableAnswers_deadConfirmedByProbesThroughKDistinctHelpers() {
    FailureDetector fd = node("B", "C", "D", "E", "F");
    steady(fd, 0, 5_100, 5, "B", "C", "D", "E", "F");
    steady(fd, 5_100, 5_400, 5, "B", "C", "D", "E"); // F silent after 5005 ms

    List<SendProbeRequest> requests = logged(SendProbeRequest.class);
    assertThat(logged(Suspected.class)).extracting(Suspected::peer).containsExactly("F");
    assertThat(requests).hasSize(3);
    assertThat(requests).extracting(SendProbeRequest::target).containsOnly("F");
    assertThat(requests).extracting(SendProbeRequest::via).doesNotHaveDuplicates()
        .isSubsetOf("B", "C", "D", "E");
    assertThat(requests).extracting(SendProbeRequest::probeId).containsOnly(requests.get(0).probeId());

    SendProbeRequest first = requests.get(0);
    rec(fd.probeResultReceived(
        first.via(), first.probeId(), "F", ProbeOutcome.UNREACHABLE, 5_620 * MS));
    steady(fd, 5_400, 6_000, 5, "B", "C", "D", "E");

    assertThat(logged(Dead.class))
        .containsExactly(new Dead("F", 5_700 * MS, DeathReason.PHI_TIMEOUT_CONFIRMED_BY_PROBES));
    assertThat(logged(Recovered.class)).isEmpty();
  }

  @Test
  void probeResult_aliveFromAskedHelper_recoversAndRestartsSilenceClock() {
    FailureDetector fd = node("B", "C");
    steady(fd, 0, 5_100, 5, "B", "C");
    steady(fd, 5_100, 5_400, 5, "B"); // C silent; suspected at 5300 ms, helper is B
    SendProbeRequest req = logged(SendProbeRequest.class).get(0);
    assertThat(req.via()).isEqualTo("B");

    List<DetectorOutput> wrongId =
        rec(fd.probeResultReceived("B", req.probeId() + 7, "C", ProbeOutcome.ALIVE, 5_410 * MS));
    List<DetectorOutput> notAsked =
        rec(fd.probeResultReceived("X", req.probeId(), "C", ProbeOutcome.ALIVE, 5_410 * MS));
    List<DetectorOutput> alive =
        rec(fd.probeResultReceived("B", req.probeId(), "C", ProbeOutcome.ALIVE, 5_420 * MS));
    List<DetectorOutput> duplicate =
        rec(fd.probeResultReceived("B", req.probeId(), "C", ProbeOutcome.ALIVE, 5_430 * MS));

    assertThat(wrongId).isEmpty();
    assertThat(notAsked).isEmpty();
    assertThat(alive).containsExactly(new Recovered("C", 5_420 * MS));
    assertThat(duplicate).isEmpty();
    assertThat(fd.peer("C", 5_430 * MS).orElseThrow().status()).isEqualTo(PeerStatus.ALIVE);
    // Still silent directly: suspected again once the silence since 5420 ms is long enough.
    steady(fd, 5_400, 5_800, 5, "B");
    assertThat(logged(Suspected.class)).extracting(Suspected::atNanos)
        .containsExactly(5_300 * MS, 5_700 * MS);
    assertThat(logged(Dead.class)).isEmpty();
  }

  @Test
  void tick_peerReachableOnlyThroughHelpers_deadWithDirectLinkSilentAfterLimit() {
    FailureDetector fd = node("B", "C");
    steady(fd, 0, 5_100, 5, "B", "C"); // last direct frame from C at 5005 ms
    for (long t = 5_100; t < 8_000; t += 100) {
      List<DetectorOutput> out = rec(fd.tick(t * MS));
      rec(fd.heartbeatReceived("B", (t + 5) * MS));
      for (SendProbeRequest r : of(out, SendProbeRequest.class)) {
        rec(fd.probeResultReceived(r.via(), r.probeId(), r.target(), ProbeOutcome.ALIVE, (t + 10) * MS));
      }
    }

    assertThat(logged(Recovered.class)).isNotEmpty();
    assertThat(logged(Dead.class))
        .containsExactly(new Dead("C", 7_100 * MS, DeathReason.DIRECT_LINK_SILENT));
  }

  @Test
  void evidenceOfLife_suspectPeerSendsAnyFrame_recovered() {
    FailureDetector fd = node("B");
    steady(fd, 0, 5_100, 5, "B");
    steady(fd, 5_100, 5_400, 5);
    assertThat(fd.peer("B", 5_300 * MS).orElseThrow().suspectedSinceNanos()).hasValue(5_300 * MS);

    List<DetectorOutput> out = rec(fd.evidenceOfLife("B", 5_450 * MS));
    steady(fd, 5_500, 7_000, 5, "B");

    assertThat(out).containsExactly(new Recovered("B", 5_450 * MS));
    assertThat(logged(Dead.class)).isEmpty();
    assertThat(fd.peer("B", 7_000 * MS).orElseThrow().suspectedSinceNanos()).isEmpty();
  }

  @ParameterizedTest(name = "pause {0} ms, buffered frames before tick: {1}")
  @CsvSource({"300, false", "300, true", "1000, false", "2000, true", "5000, false"})
  void tick_localNodeStalled_noPeerSuspectedOrDead(long pauseMs, boolean framesFirst) {
    FailureDetector fd = node("B", "C");
    steady(fd, 0, 5_100, 30, "B", "C");
    // A runs nothing in (5000, 5000 + pause]; frames from B and C pile up in the socket buffer.
    long resume = 5_000 + pauseMs + 50;
    List<Long> buffered = new ArrayList<>();
    for (long t = 5_130; t < resume; t += 100) {
      buffered.add(t);
    }
    if (!framesFirst) {
      rec(fd.tick(resume * MS));
    }
    for (long ignored : buffered) {
      rec(fd.heartbeatReceived("B", resume * MS));
      rec(fd.heartbeatReceived("C", resume * MS));
    }
    if (framesFirst) {
      rec(fd.tick(resume * MS));
    }
    long next = (resume / 100 + 1) * 100;
    steady(fd, next, next + 3_000, 30, "B", "C");

    assertThat(logged(DetectorOutput.Event.class)).isEmpty();
    assertThat(fd.localPausesDetected()).isEqualTo(1);
  }

  @Test
  void tick_gapBelowLocalPauseThreshold_isNotALocalPause() {
    FailureDetector fd = node("B");
    steady(fd, 0, 1_000, 30, "B");
    rec(fd.tick(1_140 * MS)); // 240 ms after the last tick at 900 ms

    assertThat(fd.localPausesDetected()).isZero();
  }

  @Test
  void linkClosed_monitoredPeer_deadAtOnceThenForgotten() {
    FailureDetector fd = node("B", "C");
    steady(fd, 0, 1_000, 5, "B", "C");

    List<DetectorOutput> out = fd.linkClosed("B", 1_003 * MS);

    assertThat(out).containsExactly(new Dead("B", 1_003 * MS, DeathReason.LINK_CLOSED));
    assertThat(fd.peer("B", 1_003 * MS)).isEmpty();
    assertThat(fd.peers(1_003 * MS)).extracting(PeerState::peer).containsExactly("C");
    assertThat(fd.linkClosed("B", 1_004 * MS)).isEmpty();
    assertThat(fd.heartbeatReceived("B", 1_005 * MS)).isEmpty();
  }

  @Test
  void linkClosed_alreadyDeadPeer_noSecondDeadEvent() {
    FailureDetector fd = node("B");
    steady(fd, 0, 1_000, 5, "B");
    steady(fd, 1_000, 2_000, 5);
    assertThat(logged(Dead.class)).hasSize(1);

    assertThat(fd.linkClosed("B", 2_000 * MS)).isEmpty();
  }

  @Test
  void linkUp_newPeer_sendsFirstHeartbeatAndIsIdempotent() {
    FailureDetector fd = node();

    assertThat(fd.linkUp("B", 7 * MS)).containsExactly(new SendHeartbeat("B", 0, 7 * MS));
    assertThat(fd.linkUp("B", 8 * MS)).isEmpty();
    assertThatThrownBy(() -> fd.linkUp("A", 9 * MS))
        .isInstanceOf(MembershipException.class)
        .hasMessageContaining("peer: 'A'");
    assertThatThrownBy(() -> fd.linkUp(" ", 9 * MS)).hasMessageContaining("non-blank");
  }

  @Test
  void linkUp_afterDeath_startsOverAlive() {
    FailureDetector fd = node("B");
    steady(fd, 0, 2_000, 5);
    assertThat(fd.peer("B", 2_000 * MS).orElseThrow().status()).isEqualTo(PeerStatus.DEAD);

    assertThat(fd.linkUp("B", 2_010 * MS)).hasSize(1);

    PeerState s = fd.peer("B", 2_010 * MS).orElseThrow();
    assertThat(s.status()).isEqualTo(PeerStatus.ALIVE);
    assertThat(s.heartbeatsSent()).isEqualTo(1);
  }

  @Test
  void heartbeatAck_matchingReply_givesRttAndSmoothedRtt() {
    FailureDetector fd = node();
    SendHeartbeat hb0 = (SendHeartbeat) fd.linkUp("B", 0).get(0);
    fd.heartbeatAckReceived("B", hb0.seq(), hb0.sentNanos(), 8 * MS);
    SendHeartbeat hb1 = of(fd.tick(100 * MS), SendHeartbeat.class).get(0);
    fd.heartbeatAckReceived("B", hb1.seq(), hb1.sentNanos(), 116 * MS);

    PeerState s = fd.peer("B", 120 * MS).orElseThrow();
    assertThat(s.lastRttNanos()).hasValue(16 * MS);
    assertThat(s.smoothedRttNanos()).hasValue(9 * MS); // 8 + (16 - 8) / 8
    assertThat(s.acksReceived()).isEqualTo(2);
    assertThat(s.heartbeatsSent()).isEqualTo(2);
  }

  @Test
  void heartbeatAck_forgedOrUnknownReply_noRttSampleButStillEvidence() {
    FailureDetector fd = node();
    SendHeartbeat hb0 = (SendHeartbeat) fd.linkUp("B", 0).get(0);

    fd.heartbeatAckReceived("B", hb0.seq(), hb0.sentNanos() + 1, 5 * MS);
    fd.heartbeatAckReceived("B", 99, 0, 6 * MS);

    PeerState s = fd.peer("B", 6 * MS).orElseThrow();
    assertThat(s.lastRttNanos()).isEmpty();
    assertThat(s.acksReceived()).isZero();
    assertThat(s.lastHeardNanos()).isEqualTo(6 * MS);
    assertThat(fd.ignoredInputs()).isEqualTo(2);
  }

  @Test
  void tick_heartbeatsWithoutReplies_countedMissedAfterTheSilenceBound() {
    FailureDetector fd = node("B");
    steady(fd, 0, 1_000, 5, "B"); // B's heartbeats arrive, but B never replies to ours

    PeerState s = fd.peer("B", 1_000 * MS).orElseThrow();
    // Sent at 0 (link up), 100, ... 900; at the 900 ms tick those sent by 500 ms are overdue.
    assertThat(s.heartbeatsSent()).isEqualTo(10);
    assertThat(s.acksMissed()).isEqualTo(6);
  }

  // ---- helper side of indirect probes ----

  @Test
  void probeRequest_freshEvidenceOfTarget_answersAliveAtOnce() {
    FailureDetector fd = node("B", "C");
    rec(fd.heartbeatReceived("C", 1_000 * MS));

    List<DetectorOutput> out = fd.probeRequestReceived("B", 11, "C", 1_150 * MS);

    assertThat(out).containsExactly(new SendProbeResult("B", 11, "C", ProbeOutcome.ALIVE));
  }

  @Test
  void probeRequest_staleTargetThatSpeaksWithinTimeout_pingsTargetThenAnswersAlive() {
    FailureDetector fd = node("B", "C");
    rec(fd.heartbeatReceived("C", 1_000 * MS));

    List<DetectorOutput> asked = fd.probeRequestReceived("B", 11, "C", 1_151 * MS);
    List<DetectorOutput> meanwhile = fd.tick(1_200 * MS);
    List<DetectorOutput> spoke = fd.heartbeatReceived("C", 1_340 * MS);

    assertThat(asked).singleElement().isInstanceOf(SendHeartbeat.class)
        .extracting(o -> ((SendHeartbeat) o).peer()).isEqualTo("C");
    assertThat(of(meanwhile, SendProbeResult.class)).isEmpty();
    assertThat(spoke).containsExactly(new SendProbeResult("B", 11, "C", ProbeOutcome.ALIVE));
  }

  @Test
  void probeRequest_targetSilentForProbeTimeout_answersUnreachableAtTheDeadlineTick() {
    FailureDetector fd = node("B", "C");
    rec(fd.heartbeatReceived("C", 1_000 * MS));
    fd.probeRequestReceived("B", 11, "C", 1_200 * MS);

    List<DetectorOutput> early = fd.tick(1_400 * MS);
    List<DetectorOutput> atDeadline = fd.tick(1_500 * MS); // deadline 1450 ms
    List<DetectorOutput> later = fd.heartbeatReceived("C", 1_510 * MS);

    assertThat(of(early, SendProbeResult.class)).isEmpty();
    assertThat(of(atDeadline, SendProbeResult.class))
        .containsExactly(new SendProbeResult("B", 11, "C", ProbeOutcome.UNREACHABLE));
    assertThat(of(later, SendProbeResult.class)).isEmpty();
  }

  @Test
  void probeRequest_unknownTarget_answersUnknownTarget() {
    FailureDetector fd = node("B");

    assertThat(fd.probeRequestReceived("B", 3, "Z", 10 * MS))
        .containsExactly(new SendProbeResult("B", 3, "Z", ProbeOutcome.UNKNOWN_TARGET));
  }

  @Test
  void probeRequest_targetAlreadyDeadHere_answersUnreachable() {
    FailureDetector fd = node("B", "C");
    steady(fd, 0, 2_000, 5, "B");
    assertThat(fd.peer("C", 2_000 * MS).orElseThrow().status()).isEqualTo(PeerStatus.DEAD);

    assertThat(fd.probeRequestReceived("B", 3, "C", 2_000 * MS))
        .containsExactly(new SendProbeResult("B", 3, "C", ProbeOutcome.UNREACHABLE));
  }

  @Test
  void probeRequest_aboutThisNodeOrTheRequester_answersAlive() {
    FailureDetector fd = node("B");

    assertThat(fd.probeRequestReceived("B", 1, "A", 10 * MS))
        .containsExactly(new SendProbeResult("B", 1, "A", ProbeOutcome.ALIVE));
    assertThat(fd.probeRequestReceived("B", 2, "B", 10 * MS))
        .containsExactly(new SendProbeResult("B", 2, "B", ProbeOutcome.ALIVE));
  }

  @Test
  void probeRequest_duplicate_answeredOnce() {
    FailureDetector fd = node("B", "C");
    fd.probeRequestReceived("B", 11, "C", 500 * MS);
    List<DetectorOutput> dup = fd.probeRequestReceived("B", 11, "C", 510 * MS);

    List<DetectorOutput> spoke = fd.evidenceOfLife("C", 520 * MS);

    assertThat(dup).isEmpty();
    assertThat(spoke).containsExactly(new SendProbeResult("B", 11, "C", ProbeOutcome.ALIVE));
  }

  @Test
  void probeRequest_pendingTableFull_answersUnreachableAtOnce() {
    FailureDetectorSettings one = DEFAULTS.toBuilder().maxPendingProbes(1).build();
    FailureDetector fd = node(one, 1L, "B", "C", "D");
    fd.probeRequestReceived("B", 1, "C", 500 * MS);

    assertThat(fd.probeRequestReceived("D", 2, "C", 500 * MS))
        .containsExactly(new SendProbeResult("D", 2, "C", ProbeOutcome.UNREACHABLE));
  }

  @Test
  void probeRequest_targetLinkCloses_pendingAnsweredUnreachable() {
    FailureDetector fd = node("B", "C");
    fd.probeRequestReceived("B", 11, "C", 500 * MS);

    assertThat(fd.linkClosed("C", 520 * MS))
        .containsExactly(
            new Dead("C", 520 * MS, DeathReason.LINK_CLOSED),
            new SendProbeResult("B", 11, "C", ProbeOutcome.UNREACHABLE));
  }

  @Test
  void probeRequest_localPauseWhileWaiting_deadlinePostponed() {
    FailureDetector fd = node("B", "C");
    steady(fd, 0, 1_000, 5, "B", "C"); // last tick 900 ms, C last heard at 905 ms
    fd.probeRequestReceived("B", 11, "C", 1_060 * MS); // stale: deadline 1360 ms

    List<DetectorOutput> afterPause = fd.tick(1_600 * MS); // gap 700 ms: 600 ms unobserved
    List<DetectorOutput> spoke = fd.heartbeatReceived("C", 1_650 * MS);

    assertThat(of(afterPause, SendProbeResult.class)).isEmpty();
    assertThat(spoke).contains(new SendProbeResult("B", 11, "C", ProbeOutcome.ALIVE));
  }

  // ---- helper choice ----

  @Test
  void tick_helperChoice_sameSeedSameHelpersAndDifferentSeedsSpreadLoad() {
    Set<String> union = new TreeSet<>();
    List<String> firstRun = null;
    for (long seed = 0; seed < 20; seed++) {
      for (int repeat = 0; repeat < 2; repeat++) {
        log.clear();
        FailureDetector fd = node(DEFAULTS, seed, "B", "C", "D", "E", "F", "G");
        steady(fd, 0, 1_000, 5, "B", "C", "D", "E", "F", "G");
        steady(fd, 1_000, 1_400, 5, "B", "C", "D", "E", "F");
        List<String> vias =
            logged(SendProbeRequest.class).stream().map(SendProbeRequest::via).toList();
        assertThat(vias).hasSize(3).doesNotHaveDuplicates().doesNotContain("G");
        if (repeat == 0) {
          firstRun = vias;
        } else {
          assertThat(vias).as("seed %d replays", seed).isEqualTo(firstRun);
        }
        union.addAll(vias);
      }
    }
    assertThat(union).containsExactlyInAnyOrder("B", "C", "D", "E", "F");
  }

  @Test
  void constructor_badArguments_throw() {
    assertThatThrownBy(() -> new FailureDetector("", DEFAULTS, new SplittableRandom(1)))
        .isInstanceOf(MembershipException.class)
        .hasMessageContaining("localId");
    assertThatThrownBy(() -> new FailureDetector("A", null, new SplittableRandom(1)))
        .isInstanceOf(NullPointerException.class);
    FailureDetectorSettings custom =
        DEFAULTS.toBuilder().heartbeatInterval(Duration.ofMillis(50)).build();
    assertThat(new FailureDetector("A", custom, new SplittableRandom(1)).settings())
        .isEqualTo(custom);
  }
}
