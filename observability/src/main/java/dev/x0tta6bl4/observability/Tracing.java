package dev.x0tta6bl4.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import java.util.regex.Pattern;

/**
 * meshd's tracing: a thin facade over the OpenTelemetry SDK that owns one {@link
 * SdkTracerProvider} with a batch span processor exporting over OTLP/HTTP (protobuf, the JDK's
 * HTTP client), or to a given {@link SpanExporter} in tests.
 *
 * <p><b>Sampling.</b> A span whose parent is known follows the parent's sampled flag (W3C {@code
 * traceparent}); a new trace is sampled with probability {@code sampleRatio}, decided here by one
 * random draw before the SDK is asked for anything, so an unsampled request costs no allocation.
 * {@link #continueTrace} never starts a trace: relays and destinations trace only what the source
 * chose to trace.
 *
 * <p><b>Off.</b> {@link #off()} and every span it starts ({@link TracedSpan#NOOP}) do nothing; the
 * hot path pays one branch on {@link #enabled()}.
 *
 * <p><b>Meters</b> (when a registry is given): {@code meshd_tracing_spans_ended_total} (sampled
 * spans handed to the batch processor) and {@code meshd_tracing_spans_exported_total{outcome=
 * success|failure}} (spans in export calls, by result). Spans ended but neither exported nor
 * failed are still queued or were dropped by a full queue (2048 spans).
 *
 * <p>Thread-safe. Built by the composition root and closed by it: {@link #close()} flushes what is
 * queued (bounded by the export timeout) and stops the export thread.
 */
public final class Tracing implements AutoCloseable {
  /** The default {@code service.name} resource attribute. */
  public static final String DEFAULT_SERVICE_NAME = "meshd";

  /** Name of the W3C trace context header and message field. */
  public static final String TRACEPARENT = "traceparent";

  private static final Tracing OFF = new Tracing();
  private static final Pattern TRACEPARENT_V00 =
      Pattern.compile("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");
  private static final Pattern FUTURE_VERSION =
      Pattern.compile("[0-9a-e][0-9a-f]-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}(-.*)?");
  private static final String ZERO_TRACE = "00000000000000000000000000000000";
  private static final String ZERO_SPAN = "0000000000000000";

  private final SdkTracerProvider provider;
  private final Tracer tracer;
  private final double sampleRatio;
  private final DoubleSupplier random;
  private final Counter ended;
  private final Duration closeTimeout;

  private Tracing() {
    this.provider = null;
    this.tracer = null;
    this.sampleRatio = 0;
    this.random = () -> 1;
    this.ended = null;
    this.closeTimeout = Duration.ZERO;
  }

  private Tracing(Builder b, SpanExporter exporter, MeterRegistry registry) {
    Resource resource = Resource.getDefault().merge(Resource.create(Attributes.of(
        AttributeKey.stringKey("service.name"), b.serviceName,
        AttributeKey.stringKey("service.instance.id"), b.instanceId)));
    Counter success = exportedCounter(registry, "success");
    Counter failure = exportedCounter(registry, "failure");
    BatchSpanProcessor batch =
        BatchSpanProcessor.builder(new CountingSpanExporter(exporter, success, failure))
            .setExporterTimeout(b.exportTimeout)
            .setScheduleDelay(b.scheduleDelay)
            .setMeterProvider(MeterProvider.noop())
            .build();
    this.provider = SdkTracerProvider.builder()
        .setResource(resource)
        // Roots are sampled in startSpan (one draw, no allocation when unsampled); children follow
        // their parent's flag.
        .setSampler(Sampler.parentBased(Sampler.alwaysOn()))
        .addSpanProcessor(batch)
        .build();
    this.tracer = provider.get("dev.x0tta6bl4.meshd");
    this.sampleRatio = b.sampleRatio;
    this.random = b.random;
    this.ended = Counter.builder("meshd.tracing.spans.ended")
        .description("Sampled spans ended and handed to the batch span processor")
        .register(registry);
    this.closeTimeout = b.exportTimeout.plusSeconds(1);
  }

  private static Counter exportedCounter(MeterRegistry registry, String outcome) {
    return Counter.builder("meshd.tracing.spans.exported")
        .description("Spans passed to the OTLP exporter, by export result")
        .tag("outcome", outcome)
        .register(registry);
  }

  /** Tracing that records nothing. */
  public static Tracing off() {
    return OFF;
  }

  /** A builder of recording tracing; see {@link Builder}. */
  public static Builder builder() {
    return new Builder();
  }

  /** True when spans may be recorded; false for {@link #off()}. */
  public boolean enabled() {
    return tracer != null;
  }

  /**
   * Whether {@code traceparent} is a well-formed W3C trace context (version 00, or a later
   * version read as 00 would be) with a non-zero trace and span id. Allocation-free.
   */
  public static boolean valid(String traceparent) {
    if (traceparent == null || traceparent.length() < 55) {
      return false;
    }
    boolean shape = traceparent.startsWith("00")
        ? traceparent.length() == 55 && TRACEPARENT_V00.matcher(traceparent).matches()
        : FUTURE_VERSION.matcher(traceparent).matches();
    return shape && !traceparent.regionMatches(3, ZERO_TRACE, 0, 32)
        && !traceparent.regionMatches(36, ZERO_SPAN, 0, 16);
  }

  /**
   * Whether the sampled flag of {@code traceparent} is set, read from its last hex digit without
   * parsing; false for null or a string too short to be a trace context. The hot path's test.
   */
  public static boolean sampled(String traceparent) {
    if (traceparent == null || traceparent.length() < 55) {
      return false;
    }
    int flags = Character.digit(traceparent.charAt(54), 16);
    return flags >= 0 && (flags & 1) == 1;
  }

  /**
   * Starts a span continuing {@code traceparent}: a child of it when it is valid and sampled,
   * else {@link TracedSpan#NOOP}. Never starts a new trace; cheap when the answer is no.
   */
  public TracedSpan continueTrace(String name, SpanKind kind, String traceparent) {
    if (tracer == null || !sampled(traceparent) || !valid(traceparent)) {
      return TracedSpan.NOOP;
    }
    return start(name, kind, remoteParent(traceparent));
  }

  /**
   * Starts a span: a child of {@code traceparent} when it is valid (and only if it is sampled),
   * otherwise a child of the current span when there is one, otherwise the root of a new trace
   * sampled with the configured ratio. {@link TracedSpan#NOOP} when not sampled or off.
   *
   * @param traceparent an incoming W3C trace context, or null
   */
  public TracedSpan startSpan(String name, SpanKind kind, String traceparent) {
    if (tracer == null) {
      return TracedSpan.NOOP;
    }
    if (valid(traceparent)) {
      return sampled(traceparent) ? start(name, kind, remoteParent(traceparent)) : TracedSpan.NOOP;
    }
    Span current = Span.current();
    if (current.getSpanContext().isValid()) {
      return current.getSpanContext().isSampled()
          ? start(name, kind, Context.current()) : TracedSpan.NOOP;
    }
    if (sampleRatio <= 0 || (sampleRatio < 1 && random.getAsDouble() >= sampleRatio)) {
      return TracedSpan.NOOP;
    }
    return start(name, kind, Context.root());
  }

  private TracedSpan start(String name, SpanKind kind, Context parent) {
    Span span = tracer.spanBuilder(name).setSpanKind(kind).setParent(parent).startSpan();
    return span.getSpanContext().isSampled() ? new TracedSpan.Recording(span, ended)
        : TracedSpan.NOOP;
  }

  private static Context remoteParent(String traceparent) {
    SpanContext parent = SpanContext.createFromRemoteParent(
        traceparent.substring(3, 35), traceparent.substring(36, 52),
        TraceFlags.fromByte((byte) Integer.parseInt(traceparent.substring(53, 55), 16)),
        TraceState.getDefault());
    return Context.root().with(Span.wrap(parent));
  }

  /** What {@link Builder#endpoint} accepts, for error messages. */
  public static final String ENDPOINT_ALLOWED =
      "an http:// or https:// URL with a host, e.g. http://127.0.0.1:4318/v1/traces";

  /**
   * Why {@code url} cannot be an OTLP/HTTP endpoint ("has no host", ...), or empty when it can:
   * http or https, a host, no user info, query or fragment (credentials go into headers).
   */
  public static java.util.Optional<String> endpointProblem(String url) {
    if (url == null || url.isBlank()) {
      return java.util.Optional.of("is empty");
    }
    try {
      URI uri = new URI(url);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https")) {
        return java.util.Optional.of("has scheme '" + uri.getScheme() + "'");
      }
      if (uri.getHost() == null || uri.getHost().isEmpty()) {
        return java.util.Optional.of("has no host");
      }
      if (uri.getRawUserInfo() != null || uri.getRawQuery() != null
          || uri.getRawFragment() != null) {
        return java.util.Optional.of(
            "has user info, a query or a fragment (put credentials into headers)");
      }
      return java.util.Optional.empty();
    } catch (URISyntaxException e) {
      return java.util.Optional.of("is not a URL (" + e.getReason() + ")");
    }
  }

  /**
   * Exports every span ended so far and waits up to {@code timeout}; true when all went out.
   * For tests and orderly shutdown; a no-op (true) when off.
   */
  public boolean flush(Duration timeout) {
    if (provider == null) {
      return true;
    }
    return provider.forceFlush().join(timeout.toMillis(), TimeUnit.MILLISECONDS).isSuccess();
  }

  /** Flushes queued spans (bounded by the export timeout) and shuts the SDK down; idempotent. */
  @Override
  public void close() {
    if (provider != null) {
      provider.shutdown().join(closeTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Settings of recording tracing. Either {@link #endpoint} (OTLP/HTTP) or {@link #exporter}
   * must be given. Every setter checks its argument and names it in the error.
   */
  public static final class Builder {
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    private String serviceName = DEFAULT_SERVICE_NAME;
    private String instanceId = "unknown";
    private double sampleRatio = 1.0;
    private String endpoint;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private Duration exportTimeout = Duration.ofSeconds(10);
    private Duration scheduleDelay = Duration.ofSeconds(1);
    private SpanExporter exporter;
    private MeterRegistry registry;
    private DoubleSupplier random = () -> ThreadLocalRandom.current().nextDouble();

    private Builder() {}

    /** The {@code service.name} resource attribute (default {@value #DEFAULT_SERVICE_NAME}). */
    public Builder serviceName(String name) {
      this.serviceName = requireText("service name", name);
      return this;
    }

    /** The {@code service.instance.id} resource attribute: the node id. */
    public Builder instanceId(String id) {
      this.instanceId = requireText("instance id", id);
      return this;
    }

    /** Probability 0..1 that a new trace is sampled (default 1). */
    public Builder sampleRatio(double ratio) {
      if (!(ratio >= 0 && ratio <= 1)) {
        throw new ObservabilityException(
            "sample ratio " + ratio + " is invalid: expected a number from 0.0 to 1.0");
      }
      this.sampleRatio = ratio;
      return this;
    }

    /**
     * The OTLP/HTTP traces URL, e.g. {@code http://127.0.0.1:4318/v1/traces}: http or https,
     * with a host; the path is used as given.
     */
    public Builder endpoint(String url) {
      this.endpoint = checkEndpoint(url);
      return this;
    }

    /** A header sent with every export request (e.g. an API key). */
    public Builder header(String name, String value) {
      if (name == null || !HEADER_NAME.matcher(name).matches()) {
        throw new ObservabilityException("header name '" + name
            + "' is invalid: expected an HTTP token (letters, digits and !#$%&'*+.^_`|~-)");
      }
      if (value == null || !value.chars().allMatch(c -> c == '\t' || (c >= 0x20 && c < 0x7f))) {
        throw new ObservabilityException("value of header '" + name
            + "' is invalid: expected printable ASCII without line breaks");
      }
      headers.put(name.toLowerCase(Locale.ROOT), value);
      return this;
    }

    /** Bound on one export request and on the flush at close (default 10 s), 1 ms..10 min. */
    public Builder exportTimeout(Duration timeout) {
      this.exportTimeout = requireDuration("export timeout", timeout);
      return this;
    }

    /** Longest a span waits in the queue before a batch goes out (default 1 s). */
    public Builder scheduleDelay(Duration delay) {
      this.scheduleDelay = requireDuration("schedule delay", delay);
      return this;
    }

    /** Export to {@code exporter} instead of OTLP/HTTP (tests: an in-memory exporter). */
    public Builder exporter(SpanExporter exporter) {
      this.exporter = Objects.requireNonNull(exporter, "exporter");
      return this;
    }

    /** Where the tracing meters go; without one they are kept in a private registry. */
    public Builder meterRegistry(MeterRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /** Source of the uniform [0, 1) draws that sample new traces (tests fix it). */
    public Builder random(DoubleSupplier random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /**
     * Builds recording tracing and starts its export thread.
     *
     * @throws ObservabilityException when neither or both of endpoint and exporter are set
     */
    public Tracing build() {
      if ((endpoint == null) == (exporter == null)) {
        throw new ObservabilityException(endpoint == null
            ? "tracing has no exporter: expected an OTLP/HTTP endpoint URL or an exporter"
            : "tracing has both an endpoint and an exporter: expected one of them");
      }
      SpanExporter out = exporter != null ? exporter : otlp();
      return new Tracing(this, out, registry != null ? registry : new SimpleMeterRegistry());
    }

    private SpanExporter otlp() {
      OtlpHttpSpanExporterBuilder b = OtlpHttpSpanExporter.builder()
          .setEndpoint(endpoint)
          .setTimeout(exportTimeout)
          .setMeterProvider(MeterProvider::noop);
      headers.forEach(b::addHeader);
      return b.build();
    }

    static String checkEndpoint(String url) {
      endpointProblem(url).ifPresent(problem -> {
        throw new ObservabilityException("OTLP endpoint '" + url + "' " + problem
            + ": expected " + ENDPOINT_ALLOWED);
      });
      return url;
    }

    private static String requireText(String what, String text) {
      if (text == null || text.isBlank() || text.length() > 255
          || !text.chars().allMatch(c -> c >= 0x20 && c != 0x7f)) {
        throw new ObservabilityException(what + " '" + text
            + "' is invalid: expected 1..255 characters without control characters");
      }
      return text;
    }

    private static Duration requireDuration(String what, Duration d) {
      if (d == null || d.compareTo(Duration.ofMillis(1)) < 0
          || d.compareTo(Duration.ofMinutes(10)) > 0) {
        throw new ObservabilityException(
            what + " " + d + " is invalid: expected 1ms..10m");
      }
      return d;
    }
  }
}
