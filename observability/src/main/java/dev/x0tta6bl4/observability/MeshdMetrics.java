package dev.x0tta6bl4.observability;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmCompilationMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyEventExecutorMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Objects;

/**
 * Creates meshd's meter registry and binds standard meters to it.
 *
 * <p><b>Naming convention.</b> meshd's own meters are named {@code meshd.<area>.<name>} in base
 * units (seconds, bytes), lower case and dot separated, for example {@code meshd.link.frames.sent}
 * (a counter) or {@code meshd.http.request.duration} (a timer). Prometheus renders them as {@code
 * meshd_<area>_<name>[_unit][_total]}: {@code meshd_link_frames_sent_total}, {@code
 * meshd_http_request_duration_seconds}. Never put a unit or {@code total} into the name; set
 * {@code baseUnit} instead. Tags must have a bounded set of values (route templates, status
 * classes, peer ids of a bounded mesh; never message ids or raw paths). The registry returned by
 * {@link #create(String)} enforces the name pattern: registering {@code meshd_foo} or {@code
 * meshd.link.latency.ms} throws {@link ObservabilityException}. {@link #meterName(String, String)}
 * builds a valid name.
 *
 * <p><b>Threads and ownership.</b> Call {@code create} and {@code bindEventLoopGroup} from the
 * composition root (never from an event loop: binding starts and waits for the group's threads).
 * The caller owns and closes the returned registry; closing it also detaches the GC listeners.
 */
public final class MeshdMetrics {
  /** Name of the build info gauge: rendered {@code meshd_build_info{version="..."} 1}. */
  public static final String BUILD_INFO = "meshd.build.info";

  private MeshdMetrics() {}

  /**
   * Creates a Prometheus registry on the system clock with JVM, process and build-info meters.
   *
   * @param version the meshd version shown as the {@code version} tag of {@code meshd_build_info}
   */
  public static PrometheusMeterRegistry create(String version) {
    return create(version, Clock.SYSTEM);
  }

  /**
   * As {@link #create(String)}, with extra filters (e.g. a {@link BoundedTagFilter}) installed
   * before any meter is registered, as Micrometer requires.
   */
  public static PrometheusMeterRegistry create(String version, MeterFilter... filters) {
    return create(version, Clock.SYSTEM, filters);
  }

  /**
   * Creates a Prometheus registry with the given clock (timers read it) and binds: JVM memory and
   * buffer pools, GC, threads, class loading, JIT compilation, JVM info; process CPU, uptime and
   * file descriptors; the {@code meshd.build.info} gauge (value 1, tag {@code version}). The
   * naming convention filter is installed before any meter is registered.
   */
  public static PrometheusMeterRegistry create(
      String version, Clock clock, MeterFilter... filters) {
    if (version == null || version.isBlank()) {
      throw new ObservabilityException(
          "version '" + version + "' is invalid: expected a non-blank version string");
    }
    Objects.requireNonNull(clock, "clock");
    JvmGcMetrics gcMetrics = new JvmGcMetrics();
    MeshdPrometheusRegistry registry = new MeshdPrometheusRegistry(clock, gcMetrics);
    registry.config().meterFilter(new MeterNaming());
    for (MeterFilter filter : filters) {
      registry.config().meterFilter(filter);
    }
    new JvmMemoryMetrics().bindTo(registry);
    gcMetrics.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new JvmCompilationMetrics().bindTo(registry);
    new JvmInfoMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    Gauge.builder(BUILD_INFO, () -> 1)
        .description("meshd build information; the value is always 1")
        .tag("version", version)
        .strongReference(true)
        .register(registry);
    return registry;
  }

  /**
   * Binds Netty's event executor metrics for {@code group}: {@code netty_eventexecutor_workers}
   * and, per event loop, {@code netty_eventexecutor_tasks_pending{name=<thread name>}}, all tagged
   * {@code group=<groupName>}. Works with Netty 4.2's {@code MultiThreadIoEventLoopGroup}.
   *
   * <p>Blocks until every event loop thread of the group has started (Netty starts them lazily
   * and the thread name is the tag); call it from the composition root, not from an event loop.
   */
  public static void bindEventLoopGroup(
      MeterRegistry registry, EventLoopGroup group, String groupName) {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(group, "group");
    if (groupName == null || groupName.isBlank()) {
      throw new ObservabilityException(
          "event loop group name '" + groupName + "' is invalid: expected a non-blank name");
    }
    new NettyEventExecutorMetrics(group, Tags.of("group", groupName)).bindTo(registry);
  }

  /**
   * Returns {@code meshd.<area>.<name>} after checking the convention, for example {@code
   * meterName("link", "frames.sent")} is {@code meshd.link.frames.sent}.
   */
  public static String meterName(String area, String name) {
    return MeterNaming.name(area, name);
  }

  /** A Prometheus registry that also closes the binders holding JVM listeners. */
  private static final class MeshdPrometheusRegistry extends PrometheusMeterRegistry {
    private final JvmGcMetrics gcMetrics;

    MeshdPrometheusRegistry(Clock clock, JvmGcMetrics gcMetrics) {
      super(PrometheusConfig.DEFAULT, new PrometheusRegistry(), clock);
      this.gcMetrics = gcMetrics;
    }

    @Override
    public void close() {
      try {
        gcMetrics.close();
      } finally {
        super.close();
      }
    }
  }
}
