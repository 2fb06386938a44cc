package dev.x0tta6bl4.node.heal;

import static dev.x0tta6bl4.node.heal.HealingModule.LOCAL;

import dev.x0tta6bl4.mapek.Detection;
import dev.x0tta6bl4.mapek.Detector;
import dev.x0tta6bl4.mapek.Severity;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/** The node detectors; each keeps its own hysteresis state and runs on the loop thread. */
final class NodeDetectors {
  private NodeDetectors() {}

  /**
   * {@code disk-pressure}: free space of the state directory below {@code diskMinFreeBytes}, or
   * the Raft log above {@code raftLogMaxBytes} (when set), on {@code confirmTicks} ticks.
   * CRITICAL when free space is below half the floor.
   */
  static Detector diskPressure(NodeHealing.Settings settings) {
    Persistence p = new Persistence();
    return Detector.of(NodeHealing.DISK_PRESSURE, s -> {
      List<String> reasons = new ArrayList<>();
      OptionalDouble free = s.value(NodeHealing.DISK_FREE, LOCAL);
      boolean critical = false;
      if (free.isPresent() && free.getAsDouble() < settings.diskMinFreeBytes()) {
        reasons.add((long) free.getAsDouble() + " bytes free on the state directory, floor "
            + settings.diskMinFreeBytes());
        critical = free.getAsDouble() < settings.diskMinFreeBytes() / 2.0;
      }
      OptionalDouble log = s.value(RaftHealing.LOG_BYTES, LOCAL);
      if (settings.raftLogMaxBytes() > 0 && log.isPresent()
          && log.getAsDouble() > settings.raftLogMaxBytes()) {
        reasons.add("Raft log holds " + (long) log.getAsDouble() + " bytes, limit "
            + settings.raftLogMaxBytes());
      }
      boolean hold = !reasons.isEmpty();
      Severity severity = critical ? Severity.CRITICAL : Severity.WARNING;
      return p.hold(LOCAL, hold, s.at(), settings.confirmTicks())
          .map(t -> List.of(new Detection(NodeHealing.DISK_PRESSURE, LOCAL, severity,
              String.join("; ", reasons), t)))
          .orElse(List.of());
    });
  }

  /**
   * {@code memory-pressure}: heap after GC (heap used when the collectors do not say) above
   * {@code heapMaxRatio} on {@code confirmTicks} ticks; once reported it lasts until the ratio
   * falls below {@code heapClearRatio}.
   */
  static Detector memoryPressure(NodeHealing.Settings settings) {
    Persistence p = new Persistence();
    boolean[] active = {false};
    return Detector.of(NodeHealing.MEMORY_PRESSURE, s -> {
      OptionalDouble after = s.value(NodeHealing.HEAP_AFTER_GC, LOCAL);
      OptionalDouble ratio = after.isPresent() ? after : s.value(NodeHealing.HEAP_USED, LOCAL);
      if (ratio.isEmpty()) {
        return List.of();
      }
      double r = ratio.getAsDouble();
      boolean hold = active[0] ? r >= settings.heapClearRatio() : r > settings.heapMaxRatio();
      var onset = p.hold(LOCAL, hold, s.at(), active[0] ? 1 : settings.confirmTicks());
      active[0] = onset.isPresent();
      return onset.map(t -> List.of(new Detection(NodeHealing.MEMORY_PRESSURE, LOCAL,
          Severity.WARNING, String.format("heap %s at %.0f%% of max (limit %.0f%%)",
              after.isPresent() ? "after GC" : "in use", 100 * r, 100 * settings.heapMaxRatio()),
          t))).orElse(List.of());
    });
  }

  /**
   * {@code cert-near-expiry}: the node's certificate expires within {@code certRenewBefore}.
   * CRITICAL within a tenth of that, or once expired. No onset: the loop takes the first tick
   * that saw it (a certificate installed already inside the window has no earlier onset).
   */
  static Detector certNearExpiry(NodeHealing.Settings settings) {
    return Detector.of(NodeHealing.CERT_NEAR_EXPIRY, s -> {
      OptionalDouble ttl = s.value(NodeHealing.CERT_TTL, LOCAL);
      double window = settings.certRenewBefore().toMillis() / 1000.0;
      if (ttl.isEmpty() || ttl.getAsDouble() >= window) {
        return List.of();
      }
      double left = ttl.getAsDouble();
      Severity severity = left < window / 10 ? Severity.CRITICAL : Severity.WARNING;
      return List.of(new Detection(NodeHealing.CERT_NEAR_EXPIRY, LOCAL, severity,
          left <= 0 ? String.format("the node certificate expired %.0f s ago", -left)
              : String.format("the node certificate expires in %.0f s (renew within %s)", left,
                  settings.certRenewBefore()),
          null));
    });
  }
}
