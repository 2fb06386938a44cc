/**
 * Replicated state for meshd: an Apache Ratis group of 1, 3 or 5 voters keeping a versioned
 * key-value store, the member registry and cluster settings, with checksummed snapshots,
 * log purge, snapshot install to lagging followers and one-at-a-time membership changes.
 * Knows nothing of Netty pipelines or of the mesh.
 *
 * <p>Public API: {@link dev.x0tta6bl4.consensus.ReplicatedStore} (started from a
 * {@link dev.x0tta6bl4.consensus.ConsensusConfig}), normally owned by a
 * {@link dev.x0tta6bl4.consensus.ConsensusSupervisor} that rebuilds it when Ratis closes the
 * server or its log fails, guards free disk space and takes time-based snapshots (settings in
 * {@link dev.x0tta6bl4.consensus.SupervisorConfig}, state in
 * {@link dev.x0tta6bl4.consensus.SupervisorStatus}); the operation and result values
 * ({@link dev.x0tta6bl4.consensus.KvOp}, {@link dev.x0tta6bl4.consensus.OpResult},
 * {@link dev.x0tta6bl4.consensus.Versioned}, {@link dev.x0tta6bl4.consensus.Member}),
 * {@link dev.x0tta6bl4.consensus.ConsensusStatus}, the typed
 * {@link dev.x0tta6bl4.consensus.ConsensusException}s and
 * {@link dev.x0tta6bl4.consensus.RaftTls} (mutual TLS on the Raft port from the node's SVID,
 * over pqc's BCJSSE; {@link dev.x0tta6bl4.consensus.TlsGrpcRpcType} is public only because
 * Ratis instantiates it by name). The state machine, codec, snapshot store, batcher and the
 * TLS plumbing are package-private. See docs/consensus.md.
 */
package dev.x0tta6bl4.consensus;
