package dev.x0tta6bl4.node.delivery;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.function.Function;

/**
 * Windows keyed by sender node id, bounded by count and age. Least recently used first; an entry
 * is evicted only after {@code holdNanos} without traffic, so a late copy of a message cannot find
 * its sender forgotten while it could still be in the network. When the table is full of recently
 * active entries a new sender is refused rather than memory grown.
 */
final class WindowTable<W extends SequenceWindow> {
  static final int OK = 0;
  static final int STALE_BOOT = 1;
  static final int FULL = 2;

  private final LinkedHashMap<String, W> windows;
  private final int capacity;
  private final long holdNanos;
  private final Function<String, W> factory;
  private W found;

  WindowTable(int capacity, long holdNanos, Function<String, W> factory) {
    this.windows = new LinkedHashMap<>(16, 0.75f, true);
    this.capacity = capacity;
    this.holdNanos = holdNanos;
    this.factory = factory;
  }

  /**
   * Finds or creates the window for {@code sender}'s boot {@code boot}; a newer boot resets the
   * window, an older one is refused. Returns {@link #OK} (then see {@link #found()}), {@link
   * #STALE_BOOT} or {@link #FULL}.
   */
  int lookup(String sender, long boot, long now) {
    W w = windows.get(sender);
    if (w == null) {
      if (windows.size() >= capacity && !evictEldestIdle(now)) {
        return FULL;
      }
      w = factory.apply(sender);
      w.reset(boot);
      windows.put(sender, w);
    } else if (boot < w.boot) {
      return STALE_BOOT;
    } else if (boot > w.boot) {
      w.reset(boot);
    }
    w.lastActivity = now;
    found = w;
    return OK;
  }

  /** The window of the last successful {@link #lookup}. */
  W found() {
    return found;
  }

  /** Drops every window idle for at least the hold time. */
  void expire(long now) {
    Iterator<W> it = windows.values().iterator();
    while (it.hasNext()) {
      if (now - it.next().lastActivity < holdNanos) {
        return;
      }
      it.remove();
    }
  }

  int size() {
    return windows.size();
  }

  private boolean evictEldestIdle(long now) {
    Iterator<W> it = windows.values().iterator();
    if (it.hasNext() && now - it.next().lastActivity >= holdNanos) {
      it.remove();
      return true;
    }
    return false;
  }
}
