package dev.x0tta6bl4.node.heal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.x0tta6bl4.node.heal.QuarantineNotices.Outcome;
import dev.x0tta6bl4.node.routing.EnvelopeChainVerifier;
import dev.x0tta6bl4.node.routing.EnvelopeSigner;
import dev.x0tta6bl4.node.routing.SignedFrame;
import dev.x0tta6bl4.node.transport.Frame;
import dev.x0tta6bl4.node.transport.FrameType;
import dev.x0tta6bl4.pqc.MeshCertificateAuthority;
import dev.x0tta6bl4.pqc.NodeIdentity;
import dev.x0tta6bl4.pqc.SignedEnvelope;
import dev.x0tta6bl4.pqc.SpiffeId;
import dev.x0tta6bl4.pqc.SvidValidator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Sender and receiver of signed quarantine notices with real SVIDs from a mesh CA and a fake
 * clock: n3 quarantined n1 and tells n2 and n0; n2 checks each notice as it arrives on the link
 * from {@code from}.
 */
class QuarantineNoticesTest {
  private static final String DOMAIN = "notice.test";
  private static final TestLoops.FakeClock CLOCK = new TestLoops.FakeClock();
  private static final Duration PERIOD = Duration.ofSeconds(60);
  private static MeshCertificateAuthority ca;
  private static MeshCertificateAuthority rogueCa;
  private static final Map<String, NodeIdentity> IDS = new TreeMap<>();

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final QuarantineNoticeSettings settings = QuarantineNoticeSettings.defaults();

  @BeforeAll
  static void issueIdentities() {
    ca = MeshCertificateAuthority.builder().trustDomain(DOMAIN).clock(CLOCK).init();
    rogueCa = MeshCertificateAuthority.builder().trustDomain(DOMAIN).clock(CLOCK).init();
    for (String id : List.of("n0", "n1", "n2", "n3")) {
      IDS.put(id, ca.issueNodeIdentity(id));
    }
  }

  /** Records what a node sends, per neighbour. */
  private static final class Wire implements QuarantineNotices.Neighbours {
    final Set<String> linked;
    final Map<String, List<byte[]>> sent = new TreeMap<>();

    Wire(String... linked) {
      this.linked = Set.of(linked);
    }

    @Override
    public Set<String> linked() {
      return linked;
    }

    @Override
    public boolean send(String peer, Frame frame) {
      assertThat(frame.type()).isEqualTo(FrameType.QUARANTINE_NOTICE);
      sent.computeIfAbsent(peer, p -> new ArrayList<>()).add(((Frame.Opaque) frame).body());
      return true;
    }

    byte[] last(String peer) {
      List<byte[]> frames = sent.get(peer);
      return frames.get(frames.size() - 1);
    }
  }

  private QuarantineNotices node(String id, Wire wire, SimpleMeterRegistry meters) {
    return node(id, wire, meters, settings);
  }

  private static QuarantineNotices node(String id, Wire wire, SimpleMeterRegistry meters,
      QuarantineNoticeSettings settings) {
    SvidValidator validator = SvidValidator.builder(DOMAIN).trustBundle(ca::trustBundle)
        .clock(CLOCK).build();
    return new QuarantineNotices(id,
        new EnvelopeSigner(SpiffeId.forNode(DOMAIN, id), () -> IDS.get(id), CLOCK),
        new EnvelopeChainVerifier(validator, CLOCK), wire, settings, CLOCK, meters);
  }

  private double received(SimpleMeterRegistry meters, Outcome outcome) {
    return meters.get("meshd.heal.quarantine.notices.received").tag("outcome", outcome.label())
        .counter().count();
  }

  /** A notice from n3 about n1 as n3 would send it to n2. */
  private byte[] noticeFromN3(String accused) {
    Wire wire = new Wire("n2");
    node("n3", wire, new SimpleMeterRegistry()).announce(accused,
        QuarantineNotice.Reason.RELAYED_BAD_SIGNATURES, PERIOD, 5);
    return wire.last("n2");
  }

  /** A notice signed with {@code key}'s key, naming {@code origin}, carrying {@code chain}. */
  private static byte[] signed(String origin, NodeIdentity key, List<X509Certificate> chain,
      QuarantineNotice notice, long sequence, long timestampMillis) {
    byte[] envelope = SignedEnvelope.sign(SpiffeId.forNode(DOMAIN, origin), sequence,
        timestampMillis, notice.encode(), key.privateKey()).encode();
    List<byte[]> der = new ArrayList<>();
    for (X509Certificate c : chain) {
      try {
        der.add(c.getEncoded());
      } catch (CertificateEncodingException e) {
        throw new AssertionError(e);
      }
    }
    return new SignedFrame(envelope, der).encode();
  }

  private static QuarantineNotice about(String accused) {
    return new QuarantineNotice(accused, QuarantineNotice.Reason.RELAYED_BAD_SIGNATURES, PERIOD, 5);
  }

  @Test
  void announce_goesToEveryNeighbourButTheAccused_andIsAcceptedAsAReport() {
    Wire n3wire = new Wire("n0", "n1", "n2");
    SimpleMeterRegistry n3meters = new SimpleMeterRegistry();
    QuarantineNotices n3 = node("n3", n3wire, n3meters);

    List<String> to = n3.announce("n1", QuarantineNotice.Reason.RELAYED_BAD_SIGNATURES, PERIOD, 5);

    assertThat(to).containsExactly("n0", "n2");
    assertThat(n3wire.sent).containsOnlyKeys("n0", "n2");
    assertThat(n3meters.get("meshd.heal.quarantine.notices.sent").counter().count()).isEqualTo(2);
    QuarantineNotices n2 = node("n2", new Wire("n1", "n3"), registry);
    assertThat(n2.receive("n3", n3wire.last("n2"))).isEqualTo(Outcome.ACCEPTED);
    assertThat(n2.reporters()).containsExactly(Map.entry("n1", Set.of("n3")));
    QuarantineNotices.Report report = n2.liveReports().get(0);
    assertThat(report.evidence()).isEqualTo(5);
    assertThat(report.until()).isEqualTo(CLOCK.instant().plus(PERIOD));
    assertThat(n2.describe("n1")).contains("n3 (relayed-bad-signatures, 5 offences");
    assertThat(received(registry, Outcome.ACCEPTED)).isEqualTo(1);
    assertThat(registry.get("meshd.heal.quarantine.reports").gauge().value()).isEqualTo(1);
  }

  @Test
  void neighbourLinkingDuringTheQuarantine_isToldWithThePeriodLeft_notAfterIt() {
    Wire n3wire = new Wire("n2");
    QuarantineNotices n3 = node("n3", n3wire, new SimpleMeterRegistry());
    n3.announce("n1", QuarantineNotice.Reason.RELAYED_BAD_SIGNATURES, PERIOD, 5);
    CLOCK.advance(Duration.ofSeconds(20));

    n3.neighbourLinked("n0");
    n3.neighbourLinked("n1"); // the accused itself is never told

    assertThat(n3wire.sent).containsOnlyKeys("n0", "n2");
    QuarantineNotices n0 = node("n0", new Wire(), registry);
    assertThat(n0.receive("n3", n3wire.last("n0"))).isEqualTo(Outcome.ACCEPTED);
    assertThat(n0.liveReports()).singleElement()
        .satisfies(r -> assertThat(r.period()).isEqualTo(PERIOD.minusSeconds(20)));
    CLOCK.advance(PERIOD);
    n3.neighbourLinked("n0");
    assertThat(n3wire.sent.get("n0")).hasSize(1);
  }

  @Test
  void report_expiresAfterThePeriodOrTheLifetimeCap_whicheverIsShorter() {
    QuarantineNotices n2 = node("n2", new Wire(), registry,
        settings.withReportLifetime(Duration.ofSeconds(20)));
    assertThat(n2.receive("n3", noticeFromN3("n1"))).isEqualTo(Outcome.ACCEPTED);
    CLOCK.advance(Duration.ofSeconds(19));
    assertThat(n2.reporters()).containsKey("n1");
    CLOCK.advance(Duration.ofSeconds(1));
    assertThat(n2.reporters()).isEmpty();
    assertThat(n2.describe("n1")).isEmpty();
  }

  @Test
  void newerNoticeFromTheSameReporter_replacesItsReport_distinctReportersAddUp() {
    QuarantineNotices n2 = node("n2", new Wire(), registry);
    assertThat(n2.receive("n3", noticeFromN3("n1"))).isEqualTo(Outcome.ACCEPTED);
    CLOCK.advance(Duration.ofMillis(5));
    assertThat(n2.receive("n3", noticeFromN3("n1"))).isEqualTo(Outcome.ACCEPTED);
    byte[] fromN0 = signed("n0", IDS.get("n0"), IDS.get("n0").certificateChain(), about("n1"),
        1, CLOCK.millis());
    assertThat(n2.receive("n0", fromN0)).isEqualTo(Outcome.ACCEPTED);
    assertThat(n2.reporters()).containsExactly(Map.entry("n1", Set.of("n0", "n3")));
    assertThat(n2.liveReports()).hasSize(2);
  }

  @Test
  void forgedSignature_rewrittenPayload_isRejected_andRecordsNothing() {
    byte[] wire = noticeFromN3("n1");
    // Rewrite the accused inside the signed envelope: "n1" -> "n0" (same length).
    int envelopeLength = ByteBuffer.wrap(wire, 1, 4).getInt();
    byte[] forged = wire.clone();
    boolean rewritten = false;
    for (int i = 5; i < 5 + envelopeLength - 1; i++) {
      if (forged[i] == 0 && forged[i + 1] == 2 && forged[i + 2] == 'n' && forged[i + 3] == '1') {
        forged[i + 3] = '0';
        rewritten = true;
        break;
      }
    }
    assertThat(rewritten).isTrue();
    QuarantineNotices n2 = node("n2", new Wire(), registry);

    assertThat(n2.receive("n3", forged)).isEqualTo(Outcome.BAD_SIGNATURE);
    assertThat(n2.reporters()).isEmpty();
    assertThat(received(registry, Outcome.BAD_SIGNATURE)).isEqualTo(1);
    // The genuine one still passes: the forgery did not consume its sequence.
    assertThat(n2.receive("n3", wire)).isEqualTo(Outcome.ACCEPTED);
  }

  @Test
  void keyOutsideTheTrustBundle_isUntrusted() {
    NodeIdentity rogue = rogueCa.issueNodeIdentity("n3");
    byte[] wire = signed("n3", rogue, rogue.certificateChain(), about("n1"), 1, CLOCK.millis());
    QuarantineNotices n2 = node("n2", new Wire(), registry);
    assertThat(n2.receive("n3", wire)).isEqualTo(Outcome.UNTRUSTED);
    assertThat(n2.reporters()).isEmpty();
  }

  @Test
  void noticeOfAnotherNode_onTheLinkOfARelay_isWrongOrigin() {
    QuarantineNotices n2 = node("n2", new Wire(), registry);
    assertThat(n2.receive("n0", noticeFromN3("n1"))).isEqualTo(Outcome.WRONG_ORIGIN);
    // Signed with n0's key and chain but naming n3 as its origin.
    byte[] impersonating = signed("n3", IDS.get("n0"), IDS.get("n0").certificateChain(),
        about("n1"), 1, CLOCK.millis());
    assertThat(n2.receive("n3", impersonating)).isEqualTo(Outcome.WRONG_ORIGIN);
    assertThat(received(registry, Outcome.WRONG_ORIGIN)).isEqualTo(2);
    assertThat(n2.reporters()).isEmpty();
  }

  @Test
  void oldOrFutureTimestamp_isStale() {
    QuarantineNotices n2 = node("n2", new Wire(), registry);
    long now = CLOCK.millis();
    long window = settings.freshness().toMillis();
    NodeIdentity n3 = IDS.get("n3");
    assertThat(n2.receive("n3", signed("n3", n3, n3.certificateChain(), about("n1"), 1,
        now - window - 1))).isEqualTo(Outcome.STALE);
    assertThat(n2.receive("n3", signed("n3", n3, n3.certificateChain(), about("n1"), 2,
        now + window + 1))).isEqualTo(Outcome.STALE);
    assertThat(n2.receive("n3", signed("n3", n3, n3.certificateChain(), about("n1"), 3,
        now - window))).isEqualTo(Outcome.ACCEPTED);
    assertThat(received(registry, Outcome.STALE)).isEqualTo(2);
  }

  @Test
  void sameNoticeTwice_orAnOlderSequence_isReplayed() {
    QuarantineNotices n2 = node("n2", new Wire(), registry);
    byte[] wire = noticeFromN3("n1");
    assertThat(n2.receive("n3", wire)).isEqualTo(Outcome.ACCEPTED);
    assertThat(n2.receive("n3", wire)).isEqualTo(Outcome.REPLAYED);
    NodeIdentity n3 = IDS.get("n3");
    assertThat(n2.receive("n3", signed("n3", n3, n3.certificateChain(), about("n0"), 1,
        CLOCK.millis()))).isEqualTo(Outcome.REPLAYED);
    assertThat(n2.reporters()).containsOnlyKeys("n1");
    assertThat(received(registry, Outcome.REPLAYED)).isEqualTo(2);
  }

  @Test
  void noticeAccusingTheReceiverOrItsSender_isRejected() {
    QuarantineNotices n2 = node("n2", new Wire(), registry);
    NodeIdentity n3 = IDS.get("n3");
    assertThat(n2.receive("n3", signed("n3", n3, n3.certificateChain(), about("n2"),
        CLOCK.millis() - 1, CLOCK.millis()))).isEqualTo(Outcome.SELF_ACCUSATION);
    assertThat(n2.receive("n3", signed("n3", n3, n3.certificateChain(), about("n3"),
        CLOCK.millis(), CLOCK.millis()))).isEqualTo(Outcome.MALFORMED);
    assertThat(n2.reporters()).isEmpty();
  }

  @Test
  void periodAboveTheCap_isRejected() {
    QuarantineNotices n2 = node("n2", new Wire(), registry);
    NodeIdentity n3 = IDS.get("n3");
    QuarantineNotice forever = new QuarantineNotice("n1",
        QuarantineNotice.Reason.RELAYED_BAD_SIGNATURES, settings.maxPeriod().plusMillis(1), 1);
    assertThat(n2.receive("n3", signed("n3", n3, n3.certificateChain(), forever, 1,
        CLOCK.millis()))).isEqualTo(Outcome.PERIOD_TOO_LONG);
    assertThat(n2.reporters()).isEmpty();
  }

  @Test
  void ownQuarantineLongerThanTheCap_isAnnouncedForTheCap_soNeighboursAcceptIt() {
    Wire n3wire = new Wire("n2");
    node("n3", n3wire, new SimpleMeterRegistry()).announce("n1",
        QuarantineNotice.Reason.MALFORMED_FRAMES, Duration.ofDays(7), 3);

    QuarantineNotices n2 = node("n2", new Wire("n1", "n3"), registry);
    assertThat(n2.receive("n3", n3wire.last("n2"))).isEqualTo(Outcome.ACCEPTED);
    assertThat(n2.describe("n1")).contains("malformed-frames");
  }

  @Test
  void reportsPerReporter_areCapped() {
    QuarantineNotices n2 = node("n2", new Wire(), registry,
        new QuarantineNoticeSettings(settings.freshness(), settings.maxPeriod(),
            settings.reportLifetime(), 2));
    NodeIdentity n3 = IDS.get("n3");
    List<Outcome> outcomes = new ArrayList<>();
    for (String accused : List.of("a1", "a2", "a3")) {
      outcomes.add(n2.receive("n3", signed("n3", n3, n3.certificateChain(), about(accused),
          outcomes.size() + 1, CLOCK.millis())));
    }
    assertThat(outcomes).containsExactly(Outcome.ACCEPTED, Outcome.ACCEPTED,
        Outcome.REPORTER_LIMIT);
    // Renewing a report it already holds is not a new one.
    assertThat(n2.receive("n3", signed("n3", n3, n3.certificateChain(), about("a1"), 9,
        CLOCK.millis()))).isEqualTo(Outcome.ACCEPTED);
    assertThat(n2.reporters()).containsOnlyKeys("a1", "a2");
  }

  @Test
  void malformedBodies_areCountedAndDropped() {
    QuarantineNotices n2 = node("n2", new Wire(), registry);
    byte[] wire = noticeFromN3("n1");
    assertThat(n2.receive("n3", new byte[] {1})).isEqualTo(Outcome.MALFORMED);
    assertThat(n2.receive("n3", java.util.Arrays.copyOf(wire, wire.length - 1)))
        .isEqualTo(Outcome.MALFORMED);
    byte[] notANotice = signed("n3", IDS.get("n3"), IDS.get("n3").certificateChain(),
        about("n1"), 1, CLOCK.millis());
    notANotice[notANotice.length - 1] ^= 1; // the certificate's last byte
    assertThat(n2.receive("n3", notANotice)).isIn(Outcome.UNTRUSTED, Outcome.MALFORMED);
    assertThat(received(registry, Outcome.MALFORMED)).isGreaterThanOrEqualTo(2);
    assertThat(n2.reporters()).isEmpty();
    assertThat(n2.receive("n3", wire)).isEqualTo(Outcome.ACCEPTED);
  }

  @Test
  void everyOutcome_isPreRegistered_withBoundedLabels() {
    node("n2", new Wire(), registry);
    for (Outcome outcome : Outcome.values()) {
      assertThat(received(registry, outcome)).isZero();
    }
    assertThat(registry.get("meshd.heal.quarantine.notices.received").counters())
        .hasSize(Outcome.values().length);
  }
}
