/**
 * Link-state routing as a sans-IO core: {@link dev.x0tta6bl4.node.routing.LinkStateRouter} takes
 * link events and signed adverts in and hands {@link dev.x0tta6bl4.node.routing.RoutingAction}s
 * out; {@link dev.x0tta6bl4.node.routing.LinkCostEstimator} turns RTT and loss measurements into
 * damped link costs; {@link dev.x0tta6bl4.node.routing.EnvelopeAdvertSigner} and {@link
 * dev.x0tta6bl4.node.routing.EnvelopeAdvertVerifier} sign and authenticate adverts with the
 * node's X.509-SVID, through {@link dev.x0tta6bl4.node.routing.EnvelopeSigner} and {@link
 * dev.x0tta6bl4.node.routing.EnvelopeChainVerifier} over the {@link
 * dev.x0tta6bl4.node.routing.SignedFrame} wire form, which the node's quarantine notices share.
 * Nothing here opens a socket, starts a thread or reads a clock.
 */
package dev.x0tta6bl4.node.routing;
