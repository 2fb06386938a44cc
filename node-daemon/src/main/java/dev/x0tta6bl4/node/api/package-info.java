/**
 * The node's local HTTP API ({@link dev.x0tta6bl4.node.api.LocalApiServer}): JSON endpoints for
 * status, peers and routes, sending and broadcasting messages, and a server-sent event stream of
 * delivered messages. It drives the mesh only through {@link dev.x0tta6bl4.node.mesh.MeshService}
 * and runs on the observability module's Netty HTTP server. Endpoints, bodies and error codes:
 * {@code docs/api.md}.
 */
package dev.x0tta6bl4.node.api;
