package dev.x0tta6bl4.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class TracingTest {
  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String SAMPLED = "00-" + TRACE + "-00f067aa0ba902b7-01";
  private static final String UNSAMPLED = "00-" + TRACE + "-00f067aa0ba902b7-00";

  private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private Tracing tracing;

  @AfterEach
  void close() {
    if (tracing != null) {
      tracing.close();
    }
    MDC.clear();
  }

  private Tracing recording(double ratio, double... draws) {
    AtomicInteger next = new AtomicInteger();
    tracing = Tracing.builder().exporter(exporter).instanceId("n0").sampleRatio(ratio)
        .meterRegistry(registry).scheduleDelay(Duration.ofMillis(10))
        .random(() -> draws[next.getAndIncrement() % draws.length]).build();
    return tracing;
  }

  private List<SpanData> flushed() {
    assertThat(tracing.flush(Duration.ofSeconds(5))).isTrue();
    return exporter.getFinishedSpanItems();
  }

  @Test
  void off_startsNothing() {
    Tracing off = Tracing.off();

    assertThat(off.enabled()).isFalse();
    assertThat(off.startSpan("a", SpanKind.SERVER, SAMPLED)).isSameAs(TracedSpan.NOOP);
    assertThat(off.continueTrace("a", SpanKind.INTERNAL, SAMPLED)).isSameAs(TracedSpan.NOOP);
    assertThat(TracedSpan.NOOP.traceparent()).isNull();
    assertThat(off.flush(Duration.ZERO)).isTrue();
    off.close(); // harmless
  }

  @Test
  void valid_andSampled_readW3cTraceparent() {
    assertThat(Tracing.valid(SAMPLED)).isTrue();
    assertThat(Tracing.sampled(SAMPLED)).isTrue();
    assertThat(Tracing.sampled(UNSAMPLED)).isFalse();
    assertThat(Tracing.sampled("00-" + TRACE + "-00f067aa0ba902b7-03")).isTrue();
    assertThat(Tracing.valid("00-" + "0".repeat(32) + "-00f067aa0ba902b7-01")).isFalse();
    assertThat(Tracing.valid("00-" + TRACE + "-0000000000000000-01")).isFalse();
    assertThat(Tracing.valid("00-" + TRACE.toUpperCase() + "-00f067aa0ba902b7-01")).isFalse();
    assertThat(Tracing.valid(SAMPLED + "-extra")).isFalse(); // version 00 is exactly 55 chars
    assertThat(Tracing.valid("01-" + TRACE + "-00f067aa0ba902b7-01-extra")).isTrue();
    assertThat(Tracing.valid("ff-" + TRACE + "-00f067aa0ba902b7-01")).isFalse();
    assertThat(Tracing.valid(null)).isFalse();
    assertThat(Tracing.sampled("")).isFalse();
  }

  @Test
  void startSpan_sampledParent_isChildAndCarriesItsOwnContext() {
    recording(1.0);

    TracedSpan span = tracing.startSpan("meshd.api.send", SpanKind.SERVER, SAMPLED)
        .attribute("meshd.destination", "n3").attribute("meshd.ttl", 63);
    span.end();
    span.end(); // once only

    SpanData data = flushed().get(0);
    assertThat(data.getTraceId()).isEqualTo(TRACE);
    assertThat(data.getParentSpanId()).isEqualTo("00f067aa0ba902b7");
    assertThat(data.getKind()).isEqualTo(SpanKind.SERVER);
    assertThat(data.getAttributes().get(AttributeKey.longKey("meshd.ttl"))).isEqualTo(63L);
    assertThat(span.traceparent()).isEqualTo("00-" + TRACE + "-" + data.getSpanId() + "-01");
    assertThat(data.getResource().getAttribute(AttributeKey.stringKey("service.name")))
        .isEqualTo("meshd");
    assertThat(data.getResource().getAttribute(AttributeKey.stringKey("service.instance.id")))
        .isEqualTo("n0");
    assertThat(registry.get("meshd.tracing.spans.ended").counter().count()).isEqualTo(1);
    assertThat(registry.get("meshd.tracing.spans.exported").tag("outcome", "success").counter()
        .count()).isEqualTo(1);
  }

  @Test
  void startSpan_unsampledParent_isNoopWhateverTheRatio() {
    recording(1.0);

    assertThat(tracing.startSpan("x", SpanKind.SERVER, UNSAMPLED)).isSameAs(TracedSpan.NOOP);
    assertThat(tracing.continueTrace("x", SpanKind.INTERNAL, UNSAMPLED)).isSameAs(TracedSpan.NOOP);
  }

  @Test
  void startSpan_noParent_sampledByRatioWithOneDrawPerTrace() {
    recording(0.25, 0.10, 0.30, 0.2499, 0.25);

    List<Boolean> sampled = List.of(
        tracing.startSpan("a", SpanKind.SERVER, null).recording(),
        tracing.startSpan("b", SpanKind.SERVER, null).recording(),
        tracing.startSpan("c", SpanKind.SERVER, "garbage").recording(),
        tracing.startSpan("d", SpanKind.SERVER, null).recording());

    assertThat(sampled).containsExactly(true, false, true, false);
  }

  @Test
  void startSpan_ratioZero_neverSamplesNewTraces_butFollowsSampledParents() {
    recording(0.0, 0.0);

    assertThat(tracing.startSpan("a", SpanKind.SERVER, null)).isSameAs(TracedSpan.NOOP);
    assertThat(tracing.startSpan("b", SpanKind.SERVER, SAMPLED).recording()).isTrue();
  }

  @Test
  void startSpan_insideActiveSpan_isItsChild() {
    recording(1.0);
    TracedSpan parent = tracing.startSpan("parent", SpanKind.INTERNAL, null);

    try (TracedSpan.Activation ignored = parent.activate()) {
      tracing.startSpan("child", SpanKind.INTERNAL, null).end();
    }
    parent.end();

    SpanData child = flushed().stream().filter(s -> s.getName().equals("child")).findFirst()
        .orElseThrow();
    assertThat(child.getParentSpanId()).isEqualTo(parent.spanId());
  }

  @Test
  void continueTrace_withoutContext_neverStartsATrace() {
    recording(1.0);

    assertThat(tracing.continueTrace("relay", SpanKind.INTERNAL, null)).isSameAs(TracedSpan.NOOP);
    assertThat(tracing.continueTrace("relay", SpanKind.INTERNAL, "")).isSameAs(TracedSpan.NOOP);
  }

  @Test
  void activate_putsIdsIntoMdc_andRestoresOuterOnes() {
    recording(1.0);
    TracedSpan outer = tracing.startSpan("outer", SpanKind.INTERNAL, SAMPLED);
    TracedSpan inner = tracing.startSpan("inner", SpanKind.INTERNAL, SAMPLED);

    try (TracedSpan.Activation a = outer.activate()) {
      assertThat(MDC.get("trace_id")).isEqualTo(TRACE);
      assertThat(MDC.get("span_id")).isEqualTo(outer.spanId());
      try (TracedSpan.Activation b = inner.activate()) {
        assertThat(MDC.get("span_id")).isEqualTo(inner.spanId());
      }
      assertThat(MDC.get("span_id")).isEqualTo(outer.spanId());
    }
    assertThat(MDC.get("trace_id")).isNull();
    assertThat(MDC.get("span_id")).isNull();
  }

  @Test
  void error_setsErrorStatus() {
    recording(1.0);

    tracing.startSpan("failing", SpanKind.PRODUCER, SAMPLED).error("timeout").end();

    SpanData data = flushed().get(0);
    assertThat(data.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(data.getStatus().getDescription()).isEqualTo("timeout");
  }

  @Test
  void exportFailure_isCounted() {
    SpanExporter failing = new SpanExporter() {
      @Override
      public CompletableResultCode export(Collection<SpanData> spans) {
        return CompletableResultCode.ofFailure();
      }

      @Override
      public CompletableResultCode flush() {
        return CompletableResultCode.ofSuccess();
      }

      @Override
      public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
      }
    };
    tracing = Tracing.builder().exporter(failing).meterRegistry(registry).build();

    tracing.startSpan("a", SpanKind.INTERNAL, SAMPLED).end();
    tracing.startSpan("b", SpanKind.INTERNAL, SAMPLED).end();
    tracing.flush(Duration.ofSeconds(5));

    assertThat(registry.get("meshd.tracing.spans.exported").tag("outcome", "failure").counter()
        .count()).isEqualTo(2);
  }

  @Test
  void builder_rejectsBadSettings_namingThem() {
    assertThatThrownBy(() -> Tracing.builder().sampleRatio(1.5))
        .hasMessage("sample ratio 1.5 is invalid: expected a number from 0.0 to 1.0");
    assertThatThrownBy(() -> Tracing.builder().endpoint("grpc://collector:4317"))
        .hasMessageStartingWith("OTLP endpoint 'grpc://collector:4317' has scheme 'grpc'");
    assertThatThrownBy(() -> Tracing.builder().header("bad header", "v"))
        .hasMessageStartingWith("header name 'bad header' is invalid");
    assertThatThrownBy(() -> Tracing.builder().header("x", "a\nb"))
        .hasMessageStartingWith("value of header 'x' is invalid");
    assertThatThrownBy(() -> Tracing.builder().build())
        .hasMessageStartingWith("tracing has no exporter");
    assertThatThrownBy(() -> Tracing.builder().serviceName(""))
        .hasMessageStartingWith("service name '' is invalid");
  }
}
