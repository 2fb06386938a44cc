package dev.x0tta6bl4.node.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.x0tta6bl4.node.LocalNode;
import dev.x0tta6bl4.node.NodeComposition;
import dev.x0tta6bl4.node.config.NodeConfig;
import dev.x0tta6bl4.node.wiring.Container;
import dev.x0tta6bl4.observability.BoundedTagFilter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A thousand distinct peers through the node's own registry (built by {@link NodeComposition}
 * with {@code mesh.peer-metrics-limit}) give at most the configured number of per-peer series
 * plus one overflow series. The filter alone is covered by BoundedTagFilterTest.
 */
class LinkMetricsCardinalityTest {
  private static final int LIMIT = 16;
  private static final int PEERS = 1_000;
  private static final Pattern PEER = Pattern.compile("^(meshd_link_[a-z_]+)\\{.*peer=\"([^\"]*)\"",
      Pattern.MULTILINE);

  @TempDir Path state;

  @Test
  void thousandPeers_atMostLimitSeriesPerFamily_restFoldedIntoOther() {
    try (Container node = NodeComposition.bindings(config(LIMIT), new LocalNode("n1", state))
        .build()) {
      PrometheusMeterRegistry registry = node.get(PrometheusMeterRegistry.class);
      LinkMetrics metrics = new LinkMetrics(registry, () -> 0);
      List<LinkMetrics.PeerMeters> peers = new ArrayList<>();
      for (int i = 0; i < PEERS; i++) {
        LinkMetrics.PeerMeters m = metrics.registerPeer("node-" + i);
        m.rtt.record(Duration.ofMillis(1));
        peers.add(m);
      }

      Map<String, Set<String>> peersByFamily = peersByFamily(registry.scrape());
      assertThat(peersByFamily).containsOnlyKeys(
          "meshd_link_rtt_seconds_bucket", "meshd_link_rtt_seconds_count",
          "meshd_link_rtt_seconds_sum", "meshd_link_rtt_seconds_max", "meshd_link_phi",
          "meshd_link_heartbeats_sent_total", "meshd_link_heartbeats_missed_total",
          "meshd_link_clock_offset_seconds");
      peersByFamily.forEach((family, values) ->
          assertThat(values).as(family).hasSizeLessThanOrEqualTo(LIMIT + 1));
      assertThat(peersByFamily.get("meshd_link_rtt_seconds_count"))
          .hasSize(LIMIT + 1).contains("node-0", "node-15", BoundedTagFilter.OVERFLOW_VALUE);
      assertThat(peersByFamily.get("meshd_link_phi"))
          .hasSize(LIMIT).doesNotContain(BoundedTagFilter.OVERFLOW_VALUE, "node-16");
      assertThat(registry.get("meshd.link.rtt").tag("peer", BoundedTagFilter.OVERFLOW_VALUE)
          .timer().count()).isEqualTo(PEERS - LIMIT);
      assertThat(registry.get("meshd.link.rtt").tag("peer", "node-3").timer().count()).isOne();

      int before = registry.getMeters().size();
      metrics.removePeer(peers.get(500)); // an overflow peer's link goes down
      assertThat(registry.getMeters()).hasSize(before);
      metrics.removePeer(peers.get(3));
      assertThat(registry.find("meshd.link.phi").tag("peer", "node-3").gauge()).isNull();
      assertThat(registry.find("meshd.link.phi").gauges()).hasSize(LIMIT - 1);
    }
  }

  private static Map<String, Set<String>> peersByFamily(String scrape) {
    Map<String, Set<String>> peers = new TreeMap<>();
    Matcher m = PEER.matcher(scrape);
    while (m.find()) {
      peers.computeIfAbsent(m.group(1), k -> new TreeSet<>()).add(m.group(2));
    }
    return peers;
  }

  private static NodeConfig config(int peerMetricsLimit) {
    NodeConfig d = NodeConfig.defaults();
    NodeConfig.Mesh m = d.mesh();
    return d.withMesh(new NodeConfig.Mesh(m.bind(), m.advertise(), m.seeds(), m.minNeighbours(),
        m.maxNeighbours(), m.maxFrameSize(), m.outboundBuffer(), m.heartbeatInterval(),
        m.reconnectBackoffMin(), m.reconnectBackoffMax(), m.helloTimeout(), peerMetricsLimit));
  }
}
