package dev.x0tta6bl4.node.heal;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Hysteresis in time for detectors: a condition about a key must hold on {@code ticks}
 * consecutive ticks before it is reported, and is reported with the tick it first held (its
 * onset). A tick where it does not hold forgets it. Owned by one detector on the loop thread.
 */
final class Persistence {
  private final Map<String, Instant> since = new HashMap<>();
  private final Map<String, Integer> count = new HashMap<>();

  /** Records this tick's value of the condition; the onset when it held long enough. */
  Optional<Instant> hold(String key, boolean condition, Instant now, int ticks) {
    if (!condition) {
      forget(key);
      return Optional.empty();
    }
    Instant first = since.computeIfAbsent(key, k -> now);
    int n = count.merge(key, 1, Integer::sum);
    return n >= ticks ? Optional.of(first) : Optional.empty();
  }

  /** When the condition about {@code key} began to hold, if it holds. */
  Optional<Instant> since(String key) {
    return Optional.ofNullable(since.get(key));
  }

  void forget(String key) {
    since.remove(key);
    count.remove(key);
  }

  /** Forgets every key not in {@code seen} (a peer that left the group, say). */
  void retainOnly(Set<String> seen) {
    since.keySet().retainAll(seen);
    count.keySet().retainAll(seen);
  }
}
