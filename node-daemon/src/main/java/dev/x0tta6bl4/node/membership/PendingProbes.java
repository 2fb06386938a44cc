package dev.x0tta6bl4.node.membership;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Helper side of indirect probing: probe requests from other nodes that wait for evidence of life
 * from their target. Answered ALIVE when the target speaks, UNREACHABLE at their deadline or when
 * the target's link dies. Bounded in size; duplicates (same requester and probe id) are detected.
 *
 * <p>Owned by the detector's thread.
 */
final class PendingProbes {
  private record Key(String from, long probeId) {}

  private static final class Pending {
    final String from;
    final long probeId;
    long deadlineNanos;

    Pending(String from, long probeId, long deadlineNanos) {
      this.from = from;
      this.probeId = probeId;
      this.deadlineNanos = deadlineNanos;
    }
  }

  private final int capacity;
  private final Map<String, List<Pending>> byTarget = new LinkedHashMap<>();
  private final Set<Key> keys = new HashSet<>();

  PendingProbes(int capacity) {
    this.capacity = capacity;
  }

  boolean contains(String from, long probeId) {
    return keys.contains(new Key(from, probeId));
  }

  /** Adds a request; false if the table is full. */
  boolean add(String from, long probeId, String target, long deadlineNanos) {
    if (keys.size() >= capacity) {
      return false;
    }
    keys.add(new Key(from, probeId));
    byTarget
        .computeIfAbsent(target, t -> new ArrayList<>(2))
        .add(new Pending(from, probeId, deadlineNanos));
    return true;
  }

  /** Answers every request about {@code target} with {@code outcome}. */
  void answerAll(String target, ProbeOutcome outcome, List<DetectorOutput> out) {
    if (byTarget.isEmpty()) {
      return;
    }
    List<Pending> list = byTarget.remove(target);
    if (list == null) {
      return;
    }
    for (Pending p : list) {
      keys.remove(new Key(p.from, p.probeId));
      out.add(new DetectorOutput.SendProbeResult(p.from, p.probeId, target, outcome));
    }
  }

  /** Answers UNREACHABLE every request whose deadline has passed. */
  void expire(long nowNanos, List<DetectorOutput> out) {
    Iterator<Map.Entry<String, List<Pending>>> targets = byTarget.entrySet().iterator();
    while (targets.hasNext()) {
      Map.Entry<String, List<Pending>> e = targets.next();
      Iterator<Pending> it = e.getValue().iterator();
      while (it.hasNext()) {
        Pending p = it.next();
        if (nowNanos >= p.deadlineNanos) {
          it.remove();
          keys.remove(new Key(p.from, p.probeId));
          out.add(
              new DetectorOutput.SendProbeResult(
                  p.from, p.probeId, e.getKey(), ProbeOutcome.UNREACHABLE));
        }
      }
      if (e.getValue().isEmpty()) {
        targets.remove();
      }
    }
  }

  /** Moves every deadline {@code deltaNanos} later (the local node was paused). */
  void postpone(long deltaNanos) {
    for (List<Pending> list : byTarget.values()) {
      for (Pending p : list) {
        p.deadlineNanos += deltaNanos;
      }
    }
  }

  int size() {
    return keys.size();
  }
}
