package dev.x0tta6bl4.node.heal;

import static dev.x0tta6bl4.node.heal.HostedLoops.incident;
import static dev.x0tta6bl4.node.heal.HostedLoops.loop;
import static org.assertj.core.api.Assertions.assertThat;

import dev.x0tta6bl4.mapek.IncidentView;
import dev.x0tta6bl4.mapek.TimelineEvent;
import dev.x0tta6bl4.node.cluster.LocalCluster;
import dev.x0tta6bl4.node.cluster.LocalCluster.ClusterNode;
import dev.x0tta6bl4.node.config.NodeConfig;
import dev.x0tta6bl4.node.transport.Frame;
import dev.x0tta6bl4.node.transport.FrameFormat;
import dev.x0tta6bl4.node.transport.FrameRewriter;
import dev.x0tta6bl4.node.transport.FrameType;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signed quarantine notices on real nodes through each node's own {@link HealingComponent}
 * ({@code mapek.mode=auto}). Four nodes: n0–n1, n0–n2, n1–n2, n1–n3, n2–n3. n1 forges the
 * adverts it relays to n3 only; n3 quarantines it and tells n2, which also has a link to n1 but
 * no evidence of its own. n2 must accept the notice, raise the cost of its link to n1 while the
 * report lives and restore it after, and never quarantine n1 on n3's word.
 */
class QuarantineNoticeClusterTest {
  private static final Duration WAIT = MeshHealingScenarioTest.WAIT;
  private static final Duration REPORT_LIFETIME = Duration.ofSeconds(3);

  /** n1 and n2 both link n0 and n3, and each other. */
  static final LocalCluster.Topology TWO_PATHS = (i, n) -> switch (i) {
    case 1 -> List.of(0);
    case 2 -> List.of(0, 1);
    case 3 -> List.of(1, 2);
    default -> List.of();
  };

  @TempDir Path dir;

  private static LocalCluster cluster(Path dir) {
    QuarantineNoticeSettings notices =
        QuarantineNoticeSettings.defaults().withReportLifetime(REPORT_LIFETIME);
    LocalCluster cluster = LocalCluster.start(dir, 4, TWO_PATHS,
        c -> c.withMapek(c.mapek().withMode(NodeConfig.MapekMode.AUTO)
            .withTickInterval(Duration.ofMillis(50))), 1L,
        (id, b) -> b.bindInstance(QuarantineNoticeSettings.class, notices));
    cluster.awaitTopology(WAIT);
    for (ClusterNode node : cluster.nodes()) {
      LocalCluster.await(() -> node.mesh().routeTable().size() == 3, WAIT,
          () -> node.id() + " routes to every other node");
    }
    return cluster;
  }

  private static double counter(ClusterNode node, String name, String... tags) {
    var search = node.container().get(PrometheusMeterRegistry.class).find(name).tags(tags);
    return search.counter() == null ? 0 : search.counter().count();
  }

  private static double received(ClusterNode node, String outcome) {
    return counter(node, "meshd.heal.quarantine.notices.received", "outcome", outcome);
  }

  private static double costFactor(ClusterNode node, String peer) {
    return node.mesh().health().costFactors().getOrDefault(peer, 1.0);
  }

  /** n1 forges adverts to n3 until n3 closes the link. */
  private static void forgeUntilQuarantined(LocalCluster cluster) {
    ClusterNode n3 = cluster.node(3);
    MeshFaults.Forger forger = new MeshFaults.Forger("n1");
    cluster.faults().rewrite("n1", "n3", forger);
    MeshFaults.provokeAdverts(cluster.node(0), "n2");
    LocalCluster.await(() -> forger.forged.get() > 0
        && !n3.links().currentLinks().containsKey("n1"), WAIT, () -> "n3 quarantines n1");
  }

  @Test
  void quarantinedRelay_isReportedToTheOtherNeighbour_asEvidenceNotAnOrder() {
    try (LocalCluster cluster = cluster(dir)) {
      ClusterNode n2 = cluster.node(2);
      ClusterNode n3 = cluster.node(3);
      // HELLO carried the capability: n3 may send the new frame type to n2.
      assertThat(n3.links().currentLinks().get("n2")
          .peerSupports(FrameFormat.CAPABILITY_QUARANTINE_NOTICES)).isTrue();
      long start = System.nanoTime();
      forgeUntilQuarantined(cluster);

      LocalCluster.await(() -> received(n2, "accepted") >= 1, WAIT,
          () -> "n2 accepts n3's notice; rejected: " + rejected(n2));
      // To n2 (n3's only other neighbour); again if their link flapped meanwhile.
      assertThat(counter(n3, "meshd.heal.quarantine.notices.sent")).isGreaterThanOrEqualTo(1);
      LocalCluster.await(() -> costFactor(n2, "n1") > 1, WAIT,
          () -> "n2 raises its cost to n1: " + loop(n2).incidents());
      long raisedMs = (System.nanoTime() - start) / 1_000_000;
      IncidentView reported = incident(n2, "peer-reported", "n1").orElseThrow();
      assertThat(reported.timeline()).anySatisfy(e -> assertThat(e.detail())
          .contains("n3 (relayed-bad-signatures"));
      LocalCluster.await(() -> incident(n2, "peer-reported", "n1").filter(i -> !i.open())
          .isPresent(), WAIT, () -> "peer-reported resolved: " + loop(n2).incidents());
      MeshHealingScenarioTest.assertHealed(incident(n2, "peer-reported", "n1").orElseThrow());
      // The API serves the receiver's incident with the reporters as evidence.
      assertThat(MeshHealingComponentTest.get(n2, "/v1/incidents"))
          .contains("\"kind\":\"peer-reported\"").contains("relayed-bad-signatures");

      // The report lives REPORT_LIFETIME; then the cost goes back (once the link has been
      // healthy for restoreAfter, 10 s, counted from when it came up).
      LocalCluster.await(() -> costFactor(n2, "n1") == 1, WAIT.plusSeconds(10),
          () -> "n2 restores its cost to n1: " + loop(n2).incidents());
      long restoredMs = (System.nanoTime() - start) / 1_000_000;
      assertThat(n2.container().get(HealingComponent.class).incidents())
          .anyMatch(i -> i.kind().equals("link-cost-restorable") && i.subject().equals("n1"));

      // Hearsay never cut n1 off at n2: still linked, never quarantined, no such action.
      assertThat(n2.links().currentLinks()).containsKey("n1");
      for (IncidentView incident : loop(n2).incidents()) {
        assertThat(incident.kind()).isNotEqualTo("misbehaving-peer");
        assertThat(incident.timeline()).noneMatch(e -> e.detail() != null
            && e.detail().contains("quarantine-peer"));
      }
      assertThat(n2.container().get(PrometheusMeterRegistry.class)
          .get("meshd.heal.quarantined.peers").gauge().value()).isZero();
      assertThat(MeshFaults.delivered(n2, "n1")).isTrue();
      System.out.printf("notice: n2 raised its cost to n1 %d ms after the forging began,"
          + " restored it %d ms after; n3 sent %.0f, n2 accepted %.0f%n", raisedMs, restoredMs,
          counter(n3, "meshd.heal.quarantine.notices.sent"), received(n2, "accepted"));
    }
  }

  @Test
  void forgedNotice_isRejectedByTheReceiver_andChangesNothing() {
    try (LocalCluster cluster = cluster(dir)) {
      ClusterNode n2 = cluster.node(2);
      AtomicInteger rewritten = new AtomicInteger();
      // n3's notice to n2 is altered on the wire: it accuses n0 instead of n1, signature kept.
      cluster.faults().rewrite("n3", "n2", accuseInstead("n0", rewritten));
      forgeUntilQuarantined(cluster);

      LocalCluster.await(() -> received(n2, "bad_signature") >= 1, WAIT,
          () -> "n2 rejects the altered notice; rewritten " + rewritten.get() + ", outcomes: "
              + rejected(n2));
      assertThat(received(n2, "accepted")).isZero();
      // Nothing changed at n2: no report, so no peer-reported incident and no cost raised for
      // one (a link-degraded incident may raise a cost on this loaded machine: not the notice's),
      // nothing quarantined, every link up.
      assertThat(n2.container().get(PrometheusMeterRegistry.class)
          .get("meshd.heal.quarantine.reports").gauge().value()).isZero();
      assertThat(loop(n2).incidents()).noneMatch(i -> i.kind().equals("peer-reported")
          || i.kind().equals("misbehaving-peer"));
      assertThat(n2.links().currentLinks()).containsKeys("n0", "n1", "n3");
    }
  }

  private static String rejected(ClusterNode node) {
    StringBuilder out = new StringBuilder();
    for (QuarantineNotices.Outcome o : QuarantineNotices.Outcome.values()) {
      out.append(o.label()).append('=').append(received(node, o.label())).append(' ');
    }
    return out.toString();
  }

  /** Rewrites the accused of every quarantine notice (same length), keeping the signature. */
  static FrameRewriter accuseInstead(String accused, AtomicInteger count) {
    return frame -> {
      if (!(frame instanceof Frame.Opaque opaque)
          || opaque.type() != FrameType.QUARANTINE_NOTICE) {
        return frame;
      }
      byte[] body = opaque.body().clone();
      // u8 version | u32 envelope length | envelope; in the envelope: u8 version | u8 algorithm |
      // u16 origin length | origin | u64 sequence | i64 timestamp | u32 payload length | payload
      int envelopeAt = 1 + 4;
      int originLength = ByteBuffer.wrap(body).getShort(envelopeAt + 2) & 0xFFFF;
      int payloadAt = envelopeAt + 1 + 1 + 2 + originLength + 8 + 8 + 4;
      // payload: u8 version | u8 reason | u16 accused length | accused
      int idLength = ByteBuffer.wrap(body).getShort(payloadAt + 2) & 0xFFFF;
      if (idLength != accused.length()) {
        return frame;
      }
      System.arraycopy(accused.getBytes(java.nio.charset.StandardCharsets.UTF_8), 0, body,
          payloadAt + 4, idLength);
      count.incrementAndGet();
      return new Frame.Opaque(FrameType.QUARANTINE_NOTICE, body);
    };
  }
}
