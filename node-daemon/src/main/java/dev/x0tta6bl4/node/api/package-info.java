/**
 * The node's local HTTP API ({@link dev.x0tta6bl4.node.api.LocalApiServer}): JSON endpoints for
 * status, peers and routes, sending and broadcasting messages, a server-sent event stream of
 * delivered messages, and the replicated key-value store and its Raft group ({@code /v1/kv},
 * {@code /v1/cluster}). It drives the mesh only through {@link
 * dev.x0tta6bl4.node.mesh.MeshService} and the store only through {@link
 * dev.x0tta6bl4.node.api.ConsensusAccess}, and runs on the observability module's Netty HTTP
 * server. Endpoints, bodies and error codes:
 * {@code docs/api.md}.
 */
package dev.x0tta6bl4.node.api;
