/**
 * Delivery of application messages over the mesh, as sans-IO cores: end-to-end acknowledged
 * unicast ({@link dev.x0tta6bl4.node.delivery.UnicastDelivery}) and flooded broadcast ({@link
 * dev.x0tta6bl4.node.delivery.BroadcastDelivery}), their message records, and the strict binary
 * encodings of the message bodies ({@link dev.x0tta6bl4.node.delivery.DeliveryCodec}).
 *
 * <p>The cores read time only as a {@code long nowNanos} argument and randomness only from an
 * injected generator; they never touch sockets or threads. A driver (the Netty link layer in
 * production, a simulated network in tests) calls them from one thread and carries out the
 * {@link dev.x0tta6bl4.node.delivery.DeliveryAction}s they emit. Routing is consulted through
 * {@link dev.x0tta6bl4.node.delivery.NextHops}.
 */
package dev.x0tta6bl4.node.delivery;
