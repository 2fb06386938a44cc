/**
 * Replicated state for meshd: the Apache Ratis server and client, the KV state machine,
 * snapshots and membership changes. Knows nothing of Netty pipelines or of the mesh.
 */
package dev.x0tta6bl4.consensus;
