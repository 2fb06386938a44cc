package dev.x0tta6bl4.consensus;

import java.io.IOException;
import java.lang.reflect.Field;
import java.util.Collection;
import java.util.List;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.thirdparty.io.grpc.ConnectivityState;
import org.apache.ratis.thirdparty.io.grpc.ManagedChannel;
import org.apache.ratis.util.PeerProxyMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a member's gRPC connections to the other voters open, so that a leader change finds them
 * ready instead of opening them (TCP and a TLS 1.3 handshake) on its critical path.
 *
 * <p>Ratis opens a connection when it first sends something and gRPC closes it after 30 idle
 * minutes, or when the peer goes away, then waits up to two minutes (growing backoff) before it
 * tries again. Followers send each other nothing until an election, so when the leader died the
 * candidate's pre-vote and vote to the other survivor, and both survivors' clients' first attempt
 * at the new leader, waited for a new connection: in LeaderKillIT's node logs a pre-vote reached
 * the other survivor 180 ms after it was sent, long enough for that survivor to stand too, and the
 * split vote cost another election round ({@code docs/benchmarks.md}). {@link #keep} (called on
 * every supervisor check) asks each channel of the member's Raft server (votes and appends, and
 * Ratis' separate heartbeat channel) and of its Raft client to connect when idle, and to retry at
 * once when its last attempt failed, so a restarted peer is reconnected within one check too.
 *
 * <p>The channels sit in private fields of Ratis' gRPC classes, reached by reflection; should a
 * Ratis upgrade move them, {@link #SUPPORTED} is false, one warning is logged and nothing is kept
 * open (Ratis behaves as without this class). {@code PeerConnectionsTest} pins them.
 */
final class PeerConnections {
  private static final Logger LOG = LoggerFactory.getLogger(PeerConnections.class);

  /** {@code GrpcServerProtocolClient.channel}, {@code .hbChannel} (null without one). */
  private static final List<Field> SERVER_CHANNELS;
  /** {@code GrpcClientProtocolClient.clientChannel}, {@code .adminChannel} (often the same). */
  private static final List<Field> CLIENT_CHANNELS;
  static final boolean SUPPORTED;

  static {
    List<Field> server = List.of();
    List<Field> client = List.of();
    try {
      server = fields("org.apache.ratis.grpc.server.GrpcServerProtocolClient", "channel",
          "hbChannel");
      client = fields("org.apache.ratis.grpc.client.GrpcClientProtocolClient", "clientChannel",
          "adminChannel");
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warn("Ratis' gRPC classes have changed ({}): Raft connections to idle peers are not"
          + " kept open, so a leader change opens them", e.toString());
      server = List.of();
      client = List.of();
    }
    SERVER_CHANNELS = server;
    CLIENT_CHANNELS = client;
    SUPPORTED = !server.isEmpty();
  }

  private PeerConnections() {}

  private static List<Field> fields(String className, String... names)
      throws ReflectiveOperationException {
    Class<?> type = Class.forName(className);
    Field[] fields = new Field[names.length];
    for (int i = 0; i < names.length; i++) {
      fields[i] = type.getDeclaredField(names[i]);
      if (!ManagedChannel.class.isAssignableFrom(fields[i].getType())) {
        throw new NoSuchFieldException(className + "." + names[i] + " is a "
            + fields[i].getType().getName());
      }
      fields[i].setAccessible(true);
    }
    return List.of(fields);
  }

  /** Whose connections {@link #keep} tends: a Raft server's to its peers, or a Raft client's. */
  enum Side {
    SERVER,
    CLIENT
  }

  /**
   * One pass over the connections of {@code proxies} (a Raft server's or client's peer map) to
   * {@code peers} other than {@code self}: an idle channel is asked to connect, one whose last
   * attempt failed to retry now. Returns how many of those peers' first channel was connected
   * (ready) at the start of this pass, or -1 when unsupported.
   */
  static int keep(Side side, PeerProxyMap<?> proxies, Collection<RaftPeer> peers,
      RaftPeerId self) {
    List<Field> channels = side == Side.SERVER ? SERVER_CHANNELS : CLIENT_CHANNELS;
    if (!SUPPORTED || proxies == null) {
      return -1;
    }
    int ready = 0;
    for (RaftPeer peer : peers) {
      if (peer.getId().equals(self)) {
        continue;
      }
      try {
        Object proxy = proxies.getProxy(peer.getId());
        ManagedChannel previous = null;
        for (int i = 0; i < channels.size(); i++) {
          ManagedChannel channel = (ManagedChannel) channels.get(i).get(proxy);
          if (channel == null || channel == previous) {
            continue;
          }
          previous = channel;
          ConnectivityState state = touch(channel);
          if (i == 0 && state == ConnectivityState.READY) {
            ready++;
          }
        }
      } catch (IOException | IllegalAccessException | RuntimeException e) {
        // A peer not (yet) in the map, or a proxy being replaced: the next pass sees it.
        LOG.debug("cannot reach the {} connection to {}", side, peer.getId(), e);
      }
    }
    return ready;
  }

  /**
   * The state of a Raft server's first channel to {@code peer} in {@code proxies}, without asking
   * it to connect; null when unsupported or there is no such connection yet.
   */
  static ConnectivityState serverChannelState(PeerProxyMap<?> proxies, RaftPeerId peer) {
    if (!SUPPORTED || proxies == null) {
      return null;
    }
    try {
      ManagedChannel channel = (ManagedChannel) SERVER_CHANNELS.get(0)
          .get(proxies.getProxy(peer));
      return channel == null ? null : channel.getState(false);
    } catch (IOException | IllegalAccessException | RuntimeException e) {
      return null;
    }
  }

  /** Asks {@code channel} to connect if idle, to retry now after a failure; its prior state. */
  static ConnectivityState touch(ManagedChannel channel) {
    if (channel.isShutdown()) {
      return ConnectivityState.SHUTDOWN;
    }
    ConnectivityState state = channel.getState(true);
    if (state == ConnectivityState.TRANSIENT_FAILURE) {
      channel.resetConnectBackoff();
    }
    return state;
  }
}
