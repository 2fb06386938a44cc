package dev.x0tta6bl4.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RaftMetricsTest {
  @TempDir Path dir;

  @Test
  void scrape_afterWritesAndSnapshot_showsRaftMetricsUnderPrometheusNames() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Voter self = new Voter("n1", "127.0.0.1", TestCluster.freePort());
    try (ReplicatedStore s = ReplicatedStore.start(ConsensusConfig.builder("n1", dir)
        .voters(java.util.List.of(self)).build(), registry)) {
      TestCluster.await(Duration.ofSeconds(60),
          () -> s.status().role() == ConsensusStatus.Role.LEADER, "leader");
      ThreeVoterClusterTest.writeAll(s, "k", 20);
      s.snapshot().get(30, TimeUnit.SECONDS);
      String text = registry.scrape();
      assertThat(text).contains(
          "meshd_raft_apply_latency_seconds_count",
          "meshd_raft_client_request_latency_seconds_count",
          "meshd_raft_snapshot_duration_seconds_count",
          "meshd_raft_snapshots_taken_total 1.0",
          "meshd_raft_snapshots_corrupt_total 0.0",
          "meshd_raft_snapshot_size_bytes",
          "meshd_raft_snapshot_age_seconds",
          "meshd_raft_commit_index",
          "meshd_raft_applied_index",
          "meshd_raft_term",
          "meshd_raft_leader 1.0",
          "meshd_raft_leader_changes_total",
          "meshd_raft_elections_total",
          "meshd_raft_log_size_bytes",
          "meshd_raft_client_retries_total",
          "meshd_raft_kv_keys 20.0");
      assertThat(registry.get("meshd.raft.log.size").gauge().value()).isPositive();
    }
    // Closing removes this member's meters, so a rebuilt server can register them again.
    assertThat(registry.find("meshd.raft.commit.index").gauge()).isNull();
  }
}
