package dev.x0tta6bl4.node.heal;

import dev.x0tta6bl4.mapek.Detection;
import dev.x0tta6bl4.mapek.Detector;
import dev.x0tta6bl4.mapek.Severity;
import dev.x0tta6bl4.mapek.Snapshot;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;

/**
 * Reports {@value #KIND} about {@link HealingModule#LOCAL} when the admission limit is below the
 * configured one, the send path is not overloaded, and the limit has stood for {@code
 * restoreHold}: the cue for one {@code restore-load} step. A step changes the limit, so the
 * symptom disappears for at least the hold (which verifies the step); if the limit is still
 * lowered, it returns as a new incident for the next step. Loop thread only; runs after the
 * {@link OverloadDetector} it asks.
 */
final class ShedActiveDetector implements Detector {
  static final String KIND = "load-shed-active";

  private final LoadHealingSettings settings;
  private final BooleanSupplier overloaded;

  ShedActiveDetector(LoadHealingSettings settings, BooleanSupplier overloaded) {
    this.settings = settings;
    this.overloaded = overloaded;
  }

  @Override
  public String name() {
    return "load-shed-active";
  }

  @Override
  public List<Detection> detect(Snapshot snapshot) {
    boolean lowered = snapshot.value(LoadSensor.LOWERED, HealingModule.LOCAL).orElse(0) > 0;
    double since = snapshot.value(LoadSensor.SINCE_LIMIT_CHANGE, HealingModule.LOCAL).orElse(0);
    if (!lowered || overloaded.getAsBoolean()
        || since < settings.restoreHold().toNanos() / 1e9) {
      return List.of();
    }
    double limit = snapshot.value(LoadSensor.LIMIT, HealingModule.LOCAL).orElse(Double.NaN);
    double offered = snapshot.value(LoadSensor.OFFERED_RATE, HealingModule.LOCAL).orElse(0);
    return List.of(Detection.of(KIND, HealingModule.LOCAL, Severity.INFO,
        String.format(Locale.ROOT, "sends admitted at %.1f/s (lowered) for %.1f s without"
            + " overload; offered %.1f/s", limit, since, offered)));
  }
}
