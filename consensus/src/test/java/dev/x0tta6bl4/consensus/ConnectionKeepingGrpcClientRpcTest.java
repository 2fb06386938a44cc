package dev.x0tta6bl4.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.junit.jupiter.api.Test;

/**
 * Which failures leave the Raft client's connection open ({@link ConnectionKeepingGrpcClientRpc}).
 * That it really stays open is shown by
 * {@code RaftTlsTest#notLeaderReply_clientKeepsItsConnectionToThatServer}.
 */
class ConnectionKeepingGrpcClientRpcTest {
  private static final RaftGroupMemberId MEMBER =
      RaftGroupMemberId.valueOf(RaftPeerId.valueOf("n1"), RaftGroupId.randomId());

  @Test
  void ratisStreamFields_areFound() {
    assertThat(ConnectionKeepingGrpcClientRpc.SUPPORTED)
        .as("Ratis' client stream fields, reached by reflection").isTrue();
  }

  @Test
  void serversRepliesThatEndTheStream_keepTheConnection_evenWrapped() {
    NotLeaderException notLeader = new NotLeaderException(MEMBER, null, List.of());
    LeaderNotReadyException notReady = new LeaderNotReadyException(MEMBER);
    assertThat(ConnectionKeepingGrpcClientRpc.endedByReply(notLeader)).isTrue();
    assertThat(ConnectionKeepingGrpcClientRpc.endedByReply(notReady)).isTrue();
    assertThat(ConnectionKeepingGrpcClientRpc.endedByReply(new CompletionException(notReady)))
        .isTrue();
  }

  @Test
  void transportFailuresAndClosedStreams_reconnectAsRatisDoes() {
    assertThat(ConnectionKeepingGrpcClientRpc.endedByReply(new IOException("connection refused")))
        .isFalse();
    assertThat(ConnectionKeepingGrpcClientRpc.endedByReply(new AlreadyClosedException("closed")))
        .isFalse();
    assertThat(ConnectionKeepingGrpcClientRpc.endedByReply(null)).isFalse();
  }
}
