package dev.x0tta6bl4.node.routing;

/**
 * The best known way to one destination.
 *
 * @param destination the node routed to
 * @param nextHop the neighbour to hand a packet for {@code destination} to
 * @param cost the sum of link costs along the path
 * @param hops the number of links along the path
 */
public record Route(String destination, String nextHop, long cost, int hops) {}
