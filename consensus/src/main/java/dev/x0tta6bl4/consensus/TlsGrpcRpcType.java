package dev.x0tta6bl4.consensus;

import org.apache.ratis.conf.Parameters;
import org.apache.ratis.rpc.RpcFactory;
import org.apache.ratis.rpc.RpcType;

/**
 * The Ratis RPC type of a Raft port secured by {@link RaftTls}: gRPC with meshd's own TLS
 * contexts ({@link TlsGrpcFactory}). Ratis instantiates it by class name from
 * {@code raft.rpc.type}, so it is public with a no-argument constructor; it is not meant to be
 * used directly. Stateless.
 */
public final class TlsGrpcRpcType implements RpcType {

  /** For Ratis' reflection. */
  public TlsGrpcRpcType() {}

  /** The class name: Ratis stores it in {@code raft.rpc.type} and resolves it back. */
  @Override
  public String name() {
    return TlsGrpcRpcType.class.getName();
  }

  @Override
  public RpcFactory newFactory(Parameters parameters) {
    return new TlsGrpcFactory(parameters);
  }
}
