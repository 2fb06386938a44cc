/**
 * Membership of the mesh, starting with link failure detection: {@link
 * dev.x0tta6bl4.node.membership.FailureDetector} (a sans-IO state machine, one per node) and its
 * per-link {@link dev.x0tta6bl4.node.membership.PhiAccrualDetector}. Adapters (Netty links, the
 * mesh simulator) feed events in and carry the returned actions out.
 */
package dev.x0tta6bl4.node.membership;
