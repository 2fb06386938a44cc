package dev.x0tta6bl4.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.server.raftlog.RaftLogIOException;
import org.junit.jupiter.api.Test;

class ErrorMappingTest {
  private static final RaftGroupMemberId ME =
      RaftGroupMemberId.valueOf(RaftPeerId.valueOf("n1"), RaftGroupId.randomId());

  private static NotLeaderException notLeader(String hint) {
    RaftPeer leader = hint == null ? null
        : RaftPeer.newBuilder().setId(hint).setAddress("127.0.0.1:1").build();
    return new NotLeaderException(ME, leader, List.of());
  }

  @Test
  void notLeaderFromServer_carriesTheLeaderHint() {
    ConsensusException e = ReplicatedStore.map(new CompletionException(notLeader("n2")));
    assertThat(e).isInstanceOf(ConsensusException.NotLeaderException.class);
    assertThat(((ConsensusException.NotLeaderException) e).leaderHint()).contains("n2");
    assertThat(e).hasMessageContaining("leader is n2");
  }

  @Test
  void givingUpAfterNotLeaderReplies_isNoQuorum() {
    Throwable gaveUp = new AlreadyClosedException("client closed", notLeader(null));
    assertThat(ReplicatedStore.map(new CompletionException(gaveUp)))
        .isInstanceOf(ConsensusException.NoQuorumException.class);
    assertThat(ReplicatedStore.map(new TimeoutException()))
        .isInstanceOf(ConsensusException.NoQuorumException.class);
  }

  @Test
  void logFailure_isStorageFailure_diskFullWhenNoSpace_andTypedErrorsPassThrough() {
    assertThat(ReplicatedStore.map(new CompletionException(
        new RaftLogIOException(new java.io.IOException("No space left on device")))))
        .isInstanceOf(ConsensusException.DiskFullException.class)
        .hasMessageContaining("No space left");
    assertThat(ReplicatedStore.map(new CompletionException(
        new RaftLogIOException(new java.io.IOException("Input/output error")))))
        .isInstanceOf(ConsensusException.StorageFailureException.class)
        .isNotInstanceOf(ConsensusException.DiskFullException.class)
        .hasMessageContaining("Input/output error");
    ConsensusException tooLarge = new ConsensusException.ValueTooLargeException("big");
    assertThat(ReplicatedStore.map(new CompletionException(tooLarge))).isSameAs(tooLarge);
  }
}
