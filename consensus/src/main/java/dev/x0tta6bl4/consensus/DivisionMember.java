package dev.x0tta6bl4.consensus;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.List;
import org.apache.ratis.proto.RaftProtos.FollowerInfoProto;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftConfiguration;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerRpcWithProxy;
import org.apache.ratis.thirdparty.io.grpc.ConnectivityState;
import org.apache.ratis.util.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link LeaderLossWatch.Member} of a Ratis server's division: its role, leader and silence
 * from Ratis' public division info, its connection to the leader from {@link PeerConnections}.
 *
 * <p>Ratis has no public way to make a follower stand for election; {@link #stand} calls the
 * package-private {@code RaftServerImpl.changeToCandidate(false)} by reflection, the call Ratis'
 * own election timer makes, under the division's lock like that timer. Should a Ratis upgrade
 * move it, {@link #SUPPORTED} is false, one warning is logged and no watch runs (Ratis' timer
 * alone decides, as without this class). {@code LeaderLossWatchTest} pins the method.
 */
final class DivisionMember implements LeaderLossWatch.Member {
  private static final Logger LOG = LoggerFactory.getLogger(DivisionMember.class);

  private static final Method CHANGE_TO_CANDIDATE;
  static final boolean SUPPORTED;

  static {
    Method method = null;
    try {
      method = Class.forName("org.apache.ratis.server.impl.RaftServerImpl")
          .getDeclaredMethod("changeToCandidate", boolean.class);
      method.setAccessible(true);
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warn("Ratis' server class has changed ({}): a follower that loses its leader's"
          + " connection waits for its election timeout", e.toString());
      method = null;
    }
    CHANGE_TO_CANDIDATE = method;
    SUPPORTED = method != null && PeerConnections.SUPPORTED;
  }

  private final RaftServer server;
  private final RaftGroupId groupId;

  DivisionMember(RaftServer server, RaftGroupId groupId) {
    this.server = server;
    this.groupId = groupId;
  }

  private RaftServer.Division division() throws IOException {
    return server.getDivision(groupId);
  }

  @Override
  public String followedLeader() {
    try {
      RaftServer.Division d = division();
      if (!d.getInfo().isFollower()) {
        return null;
      }
      RaftPeerId leader = d.getInfo().getLeaderId();
      return leader == null ? null : leader.toString();
    } catch (IOException | RuntimeException e) {
      return null; // closing: nothing to watch
    }
  }

  @Override
  public List<String> stableVoters() {
    try {
      RaftConfiguration conf = division().getRaftConf();
      if (!conf.getPreviousPeers().isEmpty()) {
        return List.of();
      }
      return conf.getCurrentPeers().stream().map(RaftPeer::getId).map(RaftPeerId::toString)
          .toList();
    } catch (IOException | RuntimeException e) {
      return List.of();
    }
  }

  @Override
  public boolean connectedTo(String leader) {
    if (!(server.getServerRpc() instanceof RaftServerRpcWithProxy<?, ?> rpc)) {
      return true;
    }
    ConnectivityState state =
        PeerConnections.serverChannelState(rpc.getProxies(), RaftPeerId.valueOf(leader));
    return state == null || state == ConnectivityState.READY;
  }

  @Override
  public long silenceMillis() {
    try {
      return silenceMillis(division());
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  private static long silenceMillis(RaftServer.Division d) {
    RoleInfoProto role = d.getInfo().getRoleInfoProto();
    if (!role.hasFollowerInfo()) {
      return -1;
    }
    FollowerInfoProto follower = role.getFollowerInfo();
    if (follower.getOutstandingOp() > 0) {
      return -1; // appending or installing a snapshot from the leader: Ratis waits too
    }
    return follower.getLeaderInfo().getLastRpcElapsedTimeMs();
  }

  @Override
  public boolean stand(String leader, long minSilenceMillis) {
    if (CHANGE_TO_CANDIDATE == null) {
      return false;
    }
    try {
      RaftServer.Division d = division();
      // The division's own lock: Ratis' election timer checks and changes role under it too.
      synchronized (d) {
        RaftPeerId current = d.getInfo().getLeaderId();
        if (!d.getInfo().isFollower() || d.getInfo().getLifeCycleState() != LifeCycle.State.RUNNING || current == null
            || !current.toString().equals(leader) || silenceMillis(d) < minSilenceMillis) {
          return false;
        }
        CHANGE_TO_CANDIDATE.invoke(d, false);
        return true;
      }
    } catch (IOException | IllegalAccessException | RuntimeException e) {
      LOG.debug("cannot make the Raft member stand for election", e);
      return false;
    } catch (InvocationTargetException e) {
      LOG.warn("Ratis refused to start an election: {}", e.getCause().toString());
      return false;
    }
  }
}
