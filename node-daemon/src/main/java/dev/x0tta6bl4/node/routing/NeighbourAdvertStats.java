package dev.x0tta6bl4.node.routing;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * Counts of adverts received from one neighbour since the router started, for peer scoring and
 * metrics. Kept after the link goes down.
 *
 * @param neighbour the relaying neighbour
 * @param accepted adverts that were new and authentic
 * @param duplicates copies of an advert already held (normal in flooding)
 * @param rejected rejections by reason (absent reasons are zero)
 */
public record NeighbourAdvertStats(
    String neighbour, long accepted, long duplicates, Map<RejectReason, Long> rejected) {

  public NeighbourAdvertStats {
    EnumMap<RejectReason, Long> copy = new EnumMap<>(RejectReason.class);
    copy.putAll(rejected);
    rejected = Collections.unmodifiableMap(copy);
  }

  /** Rejections for {@code reason}. */
  public long rejected(RejectReason reason) {
    return rejected.getOrDefault(reason, 0L);
  }

  /** All rejections. */
  public long totalRejected() {
    long total = 0;
    for (long count : rejected.values()) {
      total += count;
    }
    return total;
  }
}
