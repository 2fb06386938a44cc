package dev.x0tta6bl4.node.routing;

/**
 * One row of the link-state database, for the API, metrics and test harnesses.
 *
 * @param origin the advertising node
 * @param sequence its unsigned sequence number
 * @param ageMillis time since this node received (or, for its own, originated) it
 * @param expiresInMillis time left before it ages out; -1 for the local node's own advert
 * @param links the number of links it lists
 * @param local whether it is the local node's own advert
 */
public record AdvertSummary(
    String origin, long sequence, long ageMillis, long expiresInMillis, int links, boolean local) {}
