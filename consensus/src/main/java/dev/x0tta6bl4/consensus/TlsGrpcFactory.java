package dev.x0tta6bl4.consensus;

import java.util.EnumSet;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcFactory;
import org.apache.ratis.grpc.client.GrpcClientRpc;
import org.apache.ratis.grpc.server.GrpcServices;
import org.apache.ratis.grpc.server.GrpcServicesImpl;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.thirdparty.io.grpc.netty.NettyServerBuilder;

/**
 * Ratis' gRPC transport with this node's own TLS contexts ({@link RaftSslContexts}, found in the
 * Ratis {@link Parameters}) instead of those Ratis would build from a {@code GrpcTlsConfig}.
 * Every Raft channel uses them: the server port (server, admin and client services), the
 * server's connections to its peers, and the Raft client's channels. The server also counts
 * the TLS sessions it accepts, and the client keeps its connections across a leader change
 * ({@link ConnectionKeepingGrpcClientRpc}). Created by Ratis through {@link TlsGrpcRpcType}, one
 * per Raft server or client; holds no resources of its own.
 */
final class TlsGrpcFactory extends GrpcFactory {
  private final RaftSslContexts contexts;
  private final GrpcServices.Customizer customizer;

  TlsGrpcFactory(Parameters parameters) {
    super(parameters);
    this.contexts = parameters == null ? null
        : parameters.get(RaftSslContexts.PARAMETER, RaftSslContexts.class);
    if (contexts == null) {
      throw new IllegalStateException("raft.rpc.type is " + TlsGrpcRpcType.class.getName()
          + " but the Ratis Parameters carry no " + RaftSslContexts.PARAMETER
          + "; build the server and client through ReplicatedStore with ConsensusConfig.tls");
    }
    GrpcServices.Customizer user = GrpcConfigKeys.Server.servicesCustomizer(parameters);
    this.customizer = (NettyServerBuilder builder, EnumSet<GrpcServices.Type> types) -> {
      NettyServerBuilder b = builder.addTransportFilter(contexts.sessionCounter);
      return user == null ? b : user.customize(b, types);
    };
  }

  @Override
  public GrpcServices newRaftServerRpc(RaftServer server) {
    return GrpcServicesImpl.newBuilder()
        .setServer(server)
        .setCustomizer(customizer)
        .setAdminSslContext(contexts.server)
        .setClientSslContext(contexts.server)
        .setServerSslContextForServer(contexts.server)
        .setServerSslContextForClient(contexts.client)
        .build();
  }

  @Override
  public GrpcClientRpc newRaftClientRpc(ClientId clientId, RaftProperties properties) {
    return new ConnectionKeepingGrpcClientRpc(clientId, properties, contexts.client,
        contexts.client);
  }
}
