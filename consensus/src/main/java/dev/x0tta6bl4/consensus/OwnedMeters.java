package dev.x0tta6bl4.consensus;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.ToDoubleFunction;

/**
 * Meters one owner registered and removes again when it closes, so a Raft member (or its
 * supervisor, or its TLS port) that is rebuilt leaves no stale series behind. Thread-safe:
 * meters may be added from any thread, also lazily (one counter per negotiated cipher suite).
 */
final class OwnedMeters implements AutoCloseable {
  private final MeterRegistry registry;
  private final List<Meter> meters = new CopyOnWriteArrayList<>();

  OwnedMeters(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Keeps {@code meter} (already registered) for removal on close. */
  <M extends Meter> M add(M meter) {
    meters.add(meter);
    return meter;
  }

  Counter counter(String name, String description, String... tags) {
    return add(Counter.builder(name).description(description).tags(tags).register(registry));
  }

  /** Registers a gauge reading {@code fn(owner)} at scrape time. */
  <T> void gauge(String name, String description, String baseUnit, T owner,
      ToDoubleFunction<T> fn) {
    add(Gauge.builder(name, owner, fn).description(description).baseUnit(baseUnit)
        .strongReference(true).register(registry));
  }

  @Override
  public void close() {
    for (Meter m : meters) {
      registry.remove(m);
    }
    meters.clear();
  }
}
