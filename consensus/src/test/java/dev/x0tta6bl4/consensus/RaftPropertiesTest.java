package dev.x0tta6bl4.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

  @Test
  void server_firstElectionTimeout_setWhenGiven_otherwiseTheElectionTimeout() {
    ConsensusConfig.Builder b = ConsensusConfig.builder("n1", Path.of("raft"))
        .electionTimeout(Duration.ofSeconds(2), Duration.ofSeconds(30));
    org.apache.ratis.conf.RaftProperties plain = RaftProperties.server(b.build());
    org.apache.ratis.conf.RaftProperties quick = RaftProperties.server(
        b.firstElectionTimeout(Duration.ofMillis(150), Duration.ofMillis(300)).build());

    assertThat(RaftServerConfigKeys.Rpc.firstElectionTimeoutMin(plain)
        .toLong(TimeUnit.MILLISECONDS)).isEqualTo(2_000);
    assertThat(RaftServerConfigKeys.Rpc.firstElectionTimeoutMin(quick)
        .toLong(TimeUnit.MILLISECONDS)).isEqualTo(150);
    assertThat(RaftServerConfigKeys.Rpc.firstElectionTimeoutMax(quick)
        .toLong(TimeUnit.MILLISECONDS)).isEqualTo(300);
    assertThatThrownBy(() -> b.firstElectionTimeout(Duration.ofMillis(300),
        Duration.ofMillis(300)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("firstElectionTimeoutMax PT0.3S must be greater than"
            + " firstElectionTimeoutMin PT0.3S");
  }
}
