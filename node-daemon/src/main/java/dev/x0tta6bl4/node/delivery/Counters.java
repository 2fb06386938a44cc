package dev.x0tta6bl4.node.delivery;

import java.util.EnumMap;
import java.util.Map;

/** Counters by enum constant in a plain array; snapshots as an {@link EnumMap}. */
final class Counters<E extends Enum<E>> {
  private final Class<E> type;
  private final long[] counts;

  Counters(Class<E> type) {
    this.type = type;
    this.counts = new long[type.getEnumConstants().length];
  }

  void increment(E e) {
    counts[e.ordinal()]++;
  }

  long get(E e) {
    return counts[e.ordinal()];
  }

  Map<E, Long> snapshot() {
    Map<E, Long> m = new EnumMap<>(type);
    for (E e : type.getEnumConstants()) {
      m.put(e, counts[e.ordinal()]);
    }
    return m;
  }
}
