package dev.x0tta6bl4.mapek;

import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * Everything the sensors reported in one tick, indexed by metric and subject. Immutable; built by
 * the loop once per tick and handed to detectors, the correlator, policies and the veto.
 */
public final class Snapshot {
  private final long tick;
  private final Instant at;
  private final Map<String, Map<String, Double>> values;
  private final Set<String> failedSensors;

  private Snapshot(long tick, Instant at, Map<String, Map<String, Double>> values,
      Set<String> failedSensors) {
    this.tick = tick;
    this.at = at;
    this.values = values;
    this.failedSensors = failedSensors;
  }

  /** Builds a snapshot from readings; a later reading of the same metric and subject wins. */
  public static Snapshot of(long tick, Instant at, List<Reading> readings, Set<String> failedSensors) {
    Map<String, Map<String, Double>> byMetric = new HashMap<>();
    for (Reading r : readings) {
      byMetric.computeIfAbsent(r.metric(), m -> new HashMap<>()).put(r.subject(), r.value());
    }
    byMetric.replaceAll((metric, subjects) -> Collections.unmodifiableMap(subjects));
    return new Snapshot(tick, at, Collections.unmodifiableMap(byMetric),
        Collections.unmodifiableSet(new LinkedHashSet<>(failedSensors)));
  }

  public long tick() {
    return tick;
  }

  public Instant at() {
    return at;
  }

  public OptionalDouble value(String metric, String subject) {
    Double v = values.getOrDefault(metric, Map.of()).get(subject);
    return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
  }

  /** Subject to value for one metric; empty when no sensor reported it. */
  public Map<String, Double> metric(String metric) {
    return values.getOrDefault(metric, Map.of());
  }

  public Set<String> metrics() {
    return values.keySet();
  }

  /** Names of the sensors that threw this tick. */
  public Set<String> failedSensors() {
    return failedSensors;
  }

  @Override
  public String toString() {
    return "Snapshot{tick=" + tick + ", at=" + at + ", metrics=" + values.keySet()
        + ", failedSensors=" + failedSensors + '}';
  }
}
