package dev.x0tta6bl4.node.heal;

import dev.x0tta6bl4.mapek.Reading;
import dev.x0tta6bl4.mapek.Sensor;
import dev.x0tta6bl4.node.api.SendAdmission;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * Reads the send path's load once per tick: {@link SendAdmission#sample()} (counters, unicasts in
 * flight, latency intervals) kept in a sliding window, plus two gauges the node already publishes
 * ({@code meshd.delivery.inflight}, the mesh's in-flight table as of its last ~100 ms snapshot;
 * {@code netty.eventexecutor.tasks.pending}, summed over the node's event loops). Nothing here
 * blocks: the admission figures are wait-free recorders and the gauges read published values.
 *
 * <p>Readings, all about {@link HealingModule#LOCAL}: {@value #INFLIGHT}, {@value
 * #DELIVERY_P95}, {@value #DELIVERY_P50}, {@value #DELIVERY_SAMPLES}, {@value #DELIVERY_BASE}
 * (the lowest windowed p50 of the last 30 s: the path's latency without a queue, as BBR's
 * min-RTT, so that a slow machine or a long path is not mistaken for overload), {@value
 * #REQUEST_P95},
 * {@value #ADMITTED_RATE}, {@value #SHED_RATE}, {@value #OFFERED_RATE}, {@value
 * #DELIVERED_RATE}, {@value #FAILED_RATE}, {@value #LOWERED}, {@value #LIMIT} (only while
 * lowered), {@value #SINCE_LIMIT_CHANGE}, {@value #MESH_INFLIGHT}, {@value #LOOP_PENDING}.
 * Latencies are in seconds, rates in messages per second over the window.
 *
 * <p>Used by the healing loop's thread only (it is the one reader {@link SendAdmission#sample()}
 * allows).
 */
final class LoadSensor implements Sensor {
  static final String INFLIGHT = "load.inflight";
  static final String DELIVERY_P95 = "load.delivery_p95_seconds";
  static final String DELIVERY_P50 = "load.delivery_p50_seconds";
  static final String DELIVERY_SAMPLES = "load.delivery_samples";
  static final String DELIVERY_BASE = "load.delivery_base_seconds";
  /** How long the base latency (the lowest windowed p50) is remembered. */
  static final long BASE_HORIZON_NANOS = 30_000_000_000L;
  static final String REQUEST_P95 = "load.request_p95_seconds";
  static final String ADMITTED_RATE = "load.admitted_per_second";
  static final String SHED_RATE = "load.shed_per_second";
  static final String OFFERED_RATE = "load.offered_per_second";
  static final String DELIVERED_RATE = "load.delivered_per_second";
  static final String FAILED_RATE = "load.failed_per_second";
  static final String LOWERED = "load.admission_lowered";
  static final String LIMIT = "load.admission_limit";
  static final String SINCE_LIMIT_CHANGE = "load.seconds_since_limit_change";
  static final String MESH_INFLIGHT = "load.mesh_inflight";
  static final String LOOP_PENDING = "load.event_loop_pending";

  /** One tick's sample, with copies of its latency intervals. */
  private record Entry(SendAdmission.Sample sample, Histogram request, Histogram delivery) {}

  private final SendAdmission admission;
  private final MeterRegistry registry;
  private final long windowNanos;
  private final ArrayDeque<Entry> entries = new ArrayDeque<>();
  /** (time, windowed p50 in seconds) with increasing p50s: a monotonic queue for the minimum. */
  private final ArrayDeque<double[]> p50s = new ArrayDeque<>();

  LoadSensor(SendAdmission admission, MeterRegistry registry, Duration window) {
    this.admission = admission;
    this.registry = registry;
    this.windowNanos = window.toNanos();
  }

  @Override
  public String name() {
    return "load";
  }

  @Override
  public List<Reading> read() {
    SendAdmission.Sample now = admission.sample();
    entries.addLast(new Entry(now, now.requestLatencyMicros().copy(),
        now.deliveryLatencyMicros().copy()));
    // Keep the newest entry older than the window as the base the rates are measured from.
    while (entries.size() > 2) {
      java.util.Iterator<Entry> it = entries.iterator();
      it.next();
      if (now.atNanos() - it.next().sample().atNanos() < windowNanos) {
        break;
      }
      entries.removeFirst();
    }
    Entry base = entries.peekFirst();
    List<Reading> out = new ArrayList<>(16);
    out.add(local(INFLIGHT, now.inFlight()));
    Histogram delivery = new Histogram(now.deliveryLatencyMicros().getHighestTrackableValue(), 2);
    Histogram request = new Histogram(now.requestLatencyMicros().getHighestTrackableValue(), 2);
    boolean first = true;
    for (Entry e : entries) {
      if (first && entries.size() > 1) {
        first = false; // the base's interval ended before the window began
        continue;
      }
      delivery.add(e.delivery());
      request.add(e.request());
    }
    out.add(local(DELIVERY_SAMPLES, delivery.getTotalCount()));
    if (delivery.getTotalCount() > 0) {
      double p50 = seconds(delivery.getValueAtPercentile(50));
      out.add(local(DELIVERY_P95, seconds(delivery.getValueAtPercentile(95))));
      out.add(local(DELIVERY_P50, p50));
      while (!p50s.isEmpty() && p50s.peekLast()[1] >= p50) {
        p50s.removeLast();
      }
      p50s.addLast(new double[] {now.atNanos(), p50});
    }
    while (!p50s.isEmpty() && now.atNanos() - (long) p50s.peekFirst()[0] > BASE_HORIZON_NANOS) {
      p50s.removeFirst();
    }
    if (!p50s.isEmpty()) {
      out.add(local(DELIVERY_BASE, p50s.peekFirst()[1]));
    }
    if (request.getTotalCount() > 0) {
      out.add(local(REQUEST_P95, seconds(request.getValueAtPercentile(95))));
    }
    double elapsed = (now.atNanos() - base.sample().atNanos()) / 1e9;
    if (elapsed > 0) {
      SendAdmission.Sample b = base.sample();
      double admitted = (now.admitted() - b.admitted()) / elapsed;
      double shed = (now.shed() - b.shed()) / elapsed;
      out.add(local(ADMITTED_RATE, admitted));
      out.add(local(SHED_RATE, shed));
      out.add(local(OFFERED_RATE, admitted + shed));
      out.add(local(DELIVERED_RATE, (now.delivered() - b.delivered()) / elapsed));
      out.add(local(FAILED_RATE, (now.failed() - b.failed()) / elapsed));
    }
    boolean lowered = admission.lowered();
    out.add(local(LOWERED, lowered ? 1 : 0));
    if (lowered) {
      out.add(local(LIMIT, now.limit()));
    }
    out.add(local(SINCE_LIMIT_CHANGE, (now.atNanos() - admission.limitChangedNanos()) / 1e9));
    Gauge meshInFlight = registry.find("meshd.delivery.inflight").gauge();
    if (meshInFlight != null) {
      out.add(local(MESH_INFLIGHT, meshInFlight.value()));
    }
    double pending = 0;
    for (Gauge g : registry.find("netty.eventexecutor.tasks.pending").gauges()) {
      pending += g.value();
    }
    out.add(local(LOOP_PENDING, pending));
    return out;
  }

  private static Reading local(String metric, double value) {
    return new Reading(metric, HealingModule.LOCAL, value);
  }

  private static double seconds(long micros) {
    return micros / 1e6;
  }
}
