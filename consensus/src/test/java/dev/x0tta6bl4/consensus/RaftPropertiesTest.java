package dev.x0tta6bl4.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.junit.jupiter.api.Test;

class RaftPropertiesTest {
  @Test
  void server_leaderThatLostMajority_standsAgainAfterOneElectionTimeoutNotTenSeconds() {
    ConsensusConfig config = ConsensusConfig.builder("n1", Path.of("raft"))
        .electionTimeout(Duration.ofMillis(200), Duration.ofMillis(450))
        .build();

    org.apache.ratis.conf.RaftProperties p = RaftProperties.server(config);

    // Ratis' default (10 s) stalled a three-voter group with one voter killed (LeaderKillIT).
    assertThat(RaftServerConfigKeys.LeaderElection.leaderStepDownWaitTime(p)
        .toLong(TimeUnit.MILLISECONDS)).isEqualTo(450);
    assertThat(RaftServerConfigKeys.LeaderElection.preVote(p)).isTrue();
  }
}
