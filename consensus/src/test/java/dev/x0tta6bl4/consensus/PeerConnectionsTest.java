package dev.x0tta6bl4.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.impl.RaftClientRpcWithProxy;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.util.PeerProxyMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A member keeps its Raft connections to the other voters open ({@link PeerConnections}): a
 * follower, which sends the other follower nothing while the leader lives, reconnects to it after
 * that follower restarted, without waiting for an election to need the connection; and its Raft
 * client holds a connection to every voter, not only to the leader it writes to.
 */
class PeerConnectionsTest {
  private static final Duration LONG = Duration.ofSeconds(30);

  @TempDir Path dir;

  @Test
  void ratisChannelFields_areFound() {
    assertThat(PeerConnections.SUPPORTED)
        .as("the channel fields of Ratis' gRPC server and client proxies").isTrue();
  }

  @Test
  void follower_reconnectsToARestartedFollowerItSendsNothingTo() throws Exception {
    // Long election timeouts: the leader stays, so the followers have no reason to talk.
    try (TestCluster c = new TestCluster(dir, 3,
        b -> b.electionTimeout(Duration.ofSeconds(2), Duration.ofSeconds(4)))) {
      c.startAll();
      String leader = c.awaitLeader(LONG);
      List<String> followers = c.voters.stream().map(Voter::id)
          .filter(id -> !id.equals(leader)).toList();
      ReplicatedStore first = c.node(followers.get(0));
      String other = followers.get(1);
      TestCluster.await(LONG, () -> first.keepPeerConnections() == 2,
          followers.get(0) + " connected to both other voters");

      c.stop(other);
      TestCluster.await(LONG, () -> first.keepPeerConnections() == 1,
          followers.get(0) + " seeing " + other + " gone");
      c.start(other);
      TestCluster.await(LONG, () -> first.keepPeerConnections() == 2,
          followers.get(0) + " connected again to the restarted " + other);
    }
  }

  @Test
  void raftClient_isConnectedToEveryVoter_notOnlyToTheLeader() throws Exception {
    try (TestCluster c = new TestCluster(dir, 3,
        b -> b.electionTimeout(Duration.ofSeconds(2), Duration.ofSeconds(4)))) {
      c.startAll();
      String leader = c.awaitLeader(LONG);
      String follower = c.voters.stream().map(Voter::id).filter(id -> !id.equals(leader))
          .findFirst().orElseThrow();
      ReplicatedStore store = c.node(follower);
      store.put("k", new byte[] {1}).get(30, TimeUnit.SECONDS); // its client knows the leader
      PeerProxyMap<?> proxies =
          ((RaftClientRpcWithProxy<?>) store.raftClient().getClientRpc()).getProxies();
      List<RaftPeer> voters = c.voters.stream().map(ReplicatedStore::peer).toList();
      assertThat(PeerConnections.keep(PeerConnections.Side.CLIENT, proxies, voters, null))
          .as("client connections before the first pass").isLessThan(3);
      TestCluster.await(LONG,
          () -> PeerConnections.keep(PeerConnections.Side.CLIENT, proxies, voters, null) == 3,
          follower + "'s client connected to all three voters");
    }
  }
}
