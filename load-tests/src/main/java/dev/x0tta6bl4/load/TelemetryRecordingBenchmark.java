package dev.x0tta6bl4.load;

import dev.x0tta6bl4.observability.MeshdMetrics;
import dev.x0tta6bl4.observability.TracedSpan;
import dev.x0tta6bl4.observability.Tracing;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What recording telemetry costs per event on the hot paths: a meshd counter increment, a timer
 * record into a Prometheus histogram timer (as {@code meshd_delivery_latency_seconds}), and a
 * span started and ended through {@link Tracing} when tracing is off, when the message is not
 * sampled (a relay seeing an unsampled {@code traceparent}; a new trace losing the ratio draw),
 * and when it is sampled (four attributes, its {@code traceparent} formatted, handed to the batch
 * span processor, whose exporter discards). Run with {@code -prof gc} to see allocation per event.
 *
 * <p>The sampled case can outrun the export thread; spans that find the queue (2048) full are
 * dropped by the SDK, which is cheaper than queueing, so {@link #spansExported} is printed at
 * tear-down to show how many were exported rather than dropped.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TelemetryRecordingBenchmark {
  private static final String SAMPLED = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  private static final String UNSAMPLED =
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00";

  private PrometheusMeterRegistry registry;
  private Counter counter;
  private Timer timer;
  private Tracing recording;
  private Tracing rarelySampling;
  private final LongAdder spansExported = new LongAdder();
  private long spansEnded;

  @Setup(Level.Trial)
  public void setUp() {
    registry = MeshdMetrics.create("bench");
    counter = Counter.builder("meshd.bench.events").register(registry);
    timer = Timer.builder("meshd.bench.latency").publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(10))
        .register(registry);
    recording = Tracing.builder().exporter(new DiscardingExporter(spansExported))
        .instanceId("bench").meterRegistry(registry).build();
    rarelySampling = Tracing.builder().exporter(new DiscardingExporter(new LongAdder()))
        .instanceId("bench").sampleRatio(1e-9).meterRegistry(registry).build();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    spansEnded = (long) registry.get("meshd.tracing.spans.ended").counter().count();
    recording.close();
    rarelySampling.close();
    registry.close();
    System.out.printf("%nspans ended %d, exported %d (the rest dropped by a full queue)%n",
        spansEnded, spansExported.sum());
  }

  @Benchmark
  public void counterIncrement() {
    counter.increment();
  }

  @Benchmark
  public void timerRecord() {
    timer.record(2_500_000, TimeUnit.NANOSECONDS);
  }

  @Benchmark
  public TracedSpan spanTracingOff() {
    TracedSpan span = Tracing.off().continueTrace("meshd.forward", SpanKind.INTERNAL, SAMPLED);
    span.end();
    return span;
  }

  @Benchmark
  public TracedSpan spanUnsampledParent() {
    TracedSpan span = recording.continueTrace("meshd.forward", SpanKind.INTERNAL, UNSAMPLED);
    span.end();
    return span;
  }

  @Benchmark
  public TracedSpan spanUnsampledNewTrace() {
    TracedSpan span = rarelySampling.startSpan("meshd.api.send", SpanKind.SERVER, null);
    span.end();
    return span;
  }

  @Benchmark
  public String spanSampled() {
    TracedSpan span = recording.continueTrace("meshd.forward", SpanKind.INTERNAL, SAMPLED)
        .attribute("meshd.message.id", "n0>n3#1:42")
        .attribute("meshd.node", "n1")
        .attribute("meshd.next_hop", "n2")
        .attribute("meshd.ttl", 63);
    String context = span.traceparent();
    span.end();
    return context;
  }

  @Benchmark
  public String spanSampledWithLogContext() {
    TracedSpan span = recording.continueTrace("meshd.deliver", SpanKind.CONSUMER, SAMPLED)
        .attribute("meshd.message.id", "n0>n3#1:42");
    try (TracedSpan.Activation ignored = span.activate()) {
      return span.traceparent();
    } finally {
      span.end();
    }
  }

  /** Counts and discards, as fast as an exporter can be. */
  private static final class DiscardingExporter implements SpanExporter {
    private final LongAdder exported;

    DiscardingExporter(LongAdder exported) {
      this.exported = exported;
    }

    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
      exported.add(spans.size());
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode flush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }
  }
}
