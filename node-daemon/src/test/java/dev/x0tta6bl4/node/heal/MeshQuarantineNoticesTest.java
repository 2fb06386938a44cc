package dev.x0tta6bl4.node.heal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.x0tta6bl4.mapek.ControlLoop;
import dev.x0tta6bl4.mapek.IncidentView;
import dev.x0tta6bl4.mapek.KnowledgeBase;
import dev.x0tta6bl4.mapek.Mode;
import dev.x0tta6bl4.mapek.TimelineEvent;
import dev.x0tta6bl4.node.routing.EnvelopeChainVerifier;
import dev.x0tta6bl4.node.routing.EnvelopeSigner;
import dev.x0tta6bl4.node.transport.Frame;
import dev.x0tta6bl4.pqc.MeshCertificateAuthority;
import dev.x0tta6bl4.pqc.NodeIdentity;
import dev.x0tta6bl4.pqc.SpiffeId;
import dev.x0tta6bl4.pqc.SvidValidator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The mesh area with quarantine notices, over fake meshes in real control loops: n3 quarantines
 * the forging n1 and tells n2; n2 raises the cost of its own link to n1 while the report lives,
 * restores it after, and never quarantines n1 on n3's word.
 */
class MeshQuarantineNoticesTest {
  private static final String DOMAIN = "mesh-notice.test";
  private static final Duration TICK = Duration.ofMillis(100);
  private static final TestLoops.FakeClock CLOCK = new TestLoops.FakeClock();
  private static final Map<String, NodeIdentity> IDS = new TreeMap<>();
  private static MeshCertificateAuthority ca;

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @BeforeAll
  static void issueIdentities() {
    ca = MeshCertificateAuthority.builder().trustDomain(DOMAIN).clock(CLOCK).init();
    for (String id : List.of("n1", "n2", "n3")) {
      IDS.put(id, ca.issueNodeIdentity(id));
    }
  }

  /** A node's notices over its fake mesh's links; what it sends is kept per neighbour. */
  private static final class Node {
    final FakeMesh mesh;
    final Map<String, List<byte[]>> sent = new TreeMap<>();
    final QuarantineNotices notices;
    final MeshHealing module;
    final ControlLoop loop;

    Node(String id, SimpleMeterRegistry registry, QuarantineNoticeSettings settings,
        String... links) {
      mesh = new FakeMesh(CLOCK, links);
      QuarantineNotices.Neighbours neighbours = new QuarantineNotices.Neighbours() {
        @Override
        public Set<String> linked() {
          return mesh.linkedPeers();
        }

        @Override
        public boolean send(String peer, Frame frame) {
          sent.computeIfAbsent(peer, p -> new ArrayList<>()).add(((Frame.Opaque) frame).body());
          return true;
        }
      };
      SvidValidator validator = SvidValidator.builder(DOMAIN).trustBundle(ca::trustBundle)
          .clock(CLOCK).build();
      notices = new QuarantineNotices(id,
          new EnvelopeSigner(SpiffeId.forNode(DOMAIN, id), () -> IDS.get(id), CLOCK),
          new EnvelopeChainVerifier(validator, CLOCK), neighbours, settings, CLOCK, registry);
      module = new MeshHealing(id, mesh, MeshHealingSettings.defaults(), CLOCK, registry, notices);
      var b = ControlLoop.builder().clock(CLOCK).executor(Runnable::run).meterRegistry(registry)
          .knowledge(KnowledgeBase.inMemory(16, 1000)).mode(Mode.AUTO);
      loop = HealingComponent.assemble(b, List.of(module), id,
          module.settings().correlateMinLinks(), registry, a -> a).build();
    }
  }

  private static void run(int ticks, Node... nodes) {
    for (int i = 0; i < ticks; i++) {
      CLOCK.advance(TICK);
      for (Node node : nodes) {
        node.mesh.heartbeat(Set.of());
        node.loop.tick();
      }
    }
  }

  private static IncidentView incident(Node node, String key) {
    return node.loop.incidents().stream().filter(i -> (i.kind() + "/" + i.subject()).equals(key))
        .reduce((first, later) -> later)
        .orElseThrow(() -> new AssertionError(key + " not in " + node.loop.incidents()));
  }

  @Test
  void quarantine_notifiesTheOtherNeighbours_whoRaiseTheirCostToTheAccused_thenRestoreIt() {
    QuarantineNoticeSettings settings =
        QuarantineNoticeSettings.defaults().withReportLifetime(Duration.ofSeconds(15));
    Node n3 = new Node("n3", registry, settings, "n1", "n2");
    Node n2 = new Node("n2", new SimpleMeterRegistry(), settings, "n1", "n3");
    n3.mesh.signatureFailures.put("n1", 0L);
    run(3, n3, n2);

    n3.mesh.signatureFailures.put("n1", 4L); // n1 forges adverts towards n3 only
    run(1, n3, n2);

    assertThat(n3.mesh.operations).contains("refuse n1 QUARANTINED 60000");
    assertThat(n3.sent).containsOnlyKeys("n2");
    assertThat(registry.get("meshd.heal.quarantine.notices.sent").counter().count()).isEqualTo(1);

    assertThat(n2.notices.receive("n3", n3.sent.get("n2").get(0)))
        .isEqualTo(QuarantineNotices.Outcome.ACCEPTED);
    assertThat(n2.notices.liveReports()).singleElement()
        .satisfies(r -> assertThat(r.evidence()).isEqualTo(4));
    run(2, n3, n2);

    assertThat(n2.mesh.costFactors).containsEntry("n1", 10.0);
    IncidentView reported = incident(n2, "peer-reported/n1");
    assertThat(reported.timeline()).first().satisfies(e ->
        assertThat(e.detail()).contains("n3 (relayed-bad-signatures, 4 offences"));
    run(3, n3, n2);
    assertThat(TestLoops.types(incident(n2, "peer-reported/n1"))).containsSubsequence(
        TimelineEvent.Type.DETECTED, TimelineEvent.Type.ACTION_STARTED,
        TimelineEvent.Type.ACTION_SUCCEEDED, TimelineEvent.Type.VERIFIED,
        TimelineEvent.Type.RESOLVED);

    // 12 s in: the link has been healthy for longer than restoreAfter (10 s), but the report
    // still lives, so the cost stays raised.
    run(115, n3, n2);
    assertThat(n2.notices.reporters()).containsKey("n1");
    assertThat(n2.mesh.costFactors).containsEntry("n1", 10.0);
    run(35, n3, n2); // the report's 15 s are over
    assertThat(n2.notices.reporters()).isEmpty();
    assertThat(n2.mesh.costFactors).doesNotContainKey("n1");
    assertThat(n2.mesh.operations).containsSubsequence("cost n1 x10.0", "cost n1 x1.0");
    // Hearsay never made n2 refuse anyone.
    assertThat(n2.mesh.operations).noneMatch(op -> op.startsWith("refuse"));
    assertThat(n2.module.quarantines()).isEmpty();
    assertThat(n2.mesh.links).containsOnlyKeys("n1", "n3");
  }

  @Test
  void reportAboutAPeerWeHaveNoLinkTo_isEvidenceOnly_andTriggersNothing() {
    Node n2 = new Node("n2", registry, QuarantineNoticeSettings.defaults(), "n3");
    Node n3 = new Node("n3", new SimpleMeterRegistry(), QuarantineNoticeSettings.defaults(),
        "n1", "n2");
    n3.notices.announce("n1", QuarantineNotice.Reason.RELAYED_BAD_SIGNATURES,
        Duration.ofSeconds(60), 1);
    assertThat(n2.notices.receive("n3", n3.sent.get("n2").get(0)))
        .isEqualTo(QuarantineNotices.Outcome.ACCEPTED);
    run(5, n2);
    assertThat(n2.mesh.operations).isEmpty();
    assertThat(n2.loop.incidents()).noneMatch(i -> i.kind().equals("peer-reported"));
  }
}
