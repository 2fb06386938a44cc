package dev.x0tta6bl4.node.heal;

import dev.x0tta6bl4.mapek.Detection;
import dev.x0tta6bl4.mapek.Detector;
import dev.x0tta6bl4.mapek.Severity;
import dev.x0tta6bl4.mapek.Snapshot;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * Reports {@value #KIND} about {@link HealingModule#LOCAL} while the send path is overloaded:
 * admitted work waits longer than it should, measured as the queueing delay (the p95 of admission
 * to acknowledgement over the window, when at least {@code minSamples} were acknowledged, minus
 * the path's base latency, the lowest windowed p50 of the last 30 s) or as the number of admitted
 * unicasts in flight.
 *
 * <p>Hysteresis: overload starts after {@code enterTicks} consecutive ticks above a high mark
 * (latency above {@code latencyHigh} or in-flight above {@code inFlightHigh}) and ends after
 * {@code exitTicks} consecutive ticks under both low marks (latency at most {@code latencyLow},
 * or too few samples to tell while at most {@code minSamples} sends are in flight; and in-flight
 * at most {@code inFlightLow}). Severity is critical when a
 * high mark is exceeded fourfold. Loop thread only.
 */
final class OverloadDetector implements Detector {
  static final String KIND = "overload";

  private final LoadHealingSettings settings;
  private boolean active;
  private boolean hot;
  private int hotTicks;
  private int coolTicks;

  OverloadDetector(LoadHealingSettings settings) {
    this.settings = settings;
  }

  @Override
  public String name() {
    return "load-overload";
  }

  /** Whether the last snapshot was overloaded or above a high mark (overload may be starting). */
  boolean overloaded() {
    return active || hot;
  }

  @Override
  public List<Detection> detect(Snapshot snapshot) {
    double inFlight = snapshot.value(LoadSensor.INFLIGHT, HealingModule.LOCAL).orElse(0);
    double samples = snapshot.value(LoadSensor.DELIVERY_SAMPLES, HealingModule.LOCAL).orElse(0);
    OptionalDouble p95 = samples >= settings.minSamples()
        ? snapshot.value(LoadSensor.DELIVERY_P95, HealingModule.LOCAL)
        : OptionalDouble.empty();
    // Thresholds apply to the queueing delay: latency above the path's own base latency.
    double base = snapshot.value(LoadSensor.DELIVERY_BASE, HealingModule.LOCAL).orElse(0);
    double high = base + seconds(settings.latencyHigh());
    double low = base + seconds(settings.latencyLow());
    hot = inFlight > settings.inFlightHigh() || (p95.isPresent() && p95.getAsDouble() > high);
    // Too few acks is evidence of calm only when little is waiting for one: right after a shed
    // the sends admitted under the new limit may still be queued behind the backlog.
    boolean cool = inFlight <= settings.inFlightLow()
        && (p95.isPresent() ? p95.getAsDouble() <= low : inFlight <= settings.minSamples());
    if (!active) {
      hotTicks = hot ? hotTicks + 1 : 0;
      if (hotTicks >= settings.enterTicks()) {
        active = true;
        coolTicks = 0;
      }
    } else {
      coolTicks = cool ? coolTicks + 1 : 0;
      if (coolTicks >= settings.exitTicks()) {
        active = false;
        hotTicks = 0;
      }
    }
    if (!active) {
      return List.of();
    }
    boolean critical = inFlight > 4.0 * settings.inFlightHigh()
        || (p95.isPresent() && p95.getAsDouble() > 4 * high);
    String latency = p95.isPresent()
        ? String.format(Locale.ROOT, "p95 admission to ack %.0f ms over %d acks", p95.getAsDouble()
            * 1e3, (long) samples)
        : "too few acks to measure latency (" + (long) samples + ")";
    return List.of(Detection.of(KIND, HealingModule.LOCAL,
        critical ? Severity.CRITICAL : Severity.WARNING,
        String.format(Locale.ROOT, "%s (base %.0f ms + high %d ms, low %d ms); %d sends in"
                + " flight (high %d, low %d)", latency, base * 1e3,
            settings.latencyHigh().toMillis(), settings.latencyLow().toMillis(), (long) inFlight,
            settings.inFlightHigh(), settings.inFlightLow())));
  }

  private static double seconds(java.time.Duration d) {
    return d.toNanos() / 1e9;
  }
}
