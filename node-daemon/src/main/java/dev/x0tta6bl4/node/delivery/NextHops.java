package dev.x0tta6bl4.node.delivery;

import java.util.Optional;
import java.util.Set;

/**
 * What the delivery cores need from routing: the current best next hop toward a node and the
 * current neighbours. Asked again on every send, forward and retransmission, so a route change
 * takes effect on the next copy.
 *
 * <p>Called on the thread that owns the delivery cores, once per message on the hot path:
 * implementations should answer from a precomputed table and return cached {@code Optional}s.
 */
public interface NextHops {
  /** The neighbour to send a message for {@code destination} to, or empty when unreachable. */
  Optional<String> nextHop(String destination);

  /** The nodes this node has a live link to now. */
  Set<String> neighbours();
}
