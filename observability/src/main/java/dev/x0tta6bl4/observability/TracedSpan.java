package dev.x0tta6bl4.observability;

import io.micrometer.core.instrument.Counter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import org.slf4j.MDC;

/**
 * One span started by {@link Tracing}, or {@link #NOOP} when tracing is off or the trace is not
 * sampled. Every method of {@code NOOP} does nothing and allocates nothing, so instrumented code
 * calls it without a branch of its own.
 *
 * <p>A span is used by one thread at a time (the one that started it, or the one a future hands
 * it to); {@link #end()} ends it once, later calls do nothing. Whoever starts a span ends it.
 */
public class TracedSpan {
  /** MDC key of the 32-hex-digit trace id in log lines written inside a span. */
  public static final String MDC_TRACE_ID = "trace_id";
  /** MDC key of the 16-hex-digit span id in log lines written inside a span. */
  public static final String MDC_SPAN_ID = "span_id";

  /** The span that records nothing. */
  public static final TracedSpan NOOP = new TracedSpan();

  /** Undoes {@link #activate()}; close it exactly once, on the thread that activated. */
  @FunctionalInterface
  public interface Activation extends AutoCloseable {
    @Override
    void close();
  }

  private static final Activation NOTHING = () -> {};

  private TracedSpan() {}

  /** True when this span records (it was sampled); false for {@link #NOOP}. */
  public boolean recording() {
    return false;
  }

  /**
   * This span as a W3C {@code traceparent} ({@code 00-<trace id>-<span id>-01}), to carry to the
   * next hop; null for {@link #NOOP}.
   */
  public String traceparent() {
    return null;
  }

  /** The 32-hex-digit trace id, or "" for {@link #NOOP}. */
  public String traceId() {
    return "";
  }

  /** The 16-hex-digit span id, or "" for {@link #NOOP}. */
  public String spanId() {
    return "";
  }

  /** Sets a string attribute (callers keep values bounded: ids, names, never payloads). */
  public TracedSpan attribute(String key, String value) {
    return this;
  }

  /** Sets a whole-number attribute. */
  public TracedSpan attribute(String key, long value) {
    return this;
  }

  /** Marks the span failed with a short reason (e.g. {@code timeout}). */
  public TracedSpan error(String reason) {
    return this;
  }

  /**
   * Makes this span the current one on this thread and puts {@value #MDC_TRACE_ID} and {@value
   * #MDC_SPAN_ID} into the logging MDC, so every log line written until {@code close()} carries
   * them. Close on the same thread, in a try-with-resources block.
   */
  public Activation activate() {
    return NOTHING;
  }

  /** Ends the span (at most once). */
  public void end() {}

  /** A span of the SDK that records. */
  static final class Recording extends TracedSpan {
    private final Span span;
    private final Counter ended;
    private String traceparent;
    private boolean done;

    Recording(Span span, Counter ended) {
      this.span = span;
      this.ended = ended;
    }

    @Override
    public boolean recording() {
      return true;
    }

    @Override
    public String traceparent() {
      if (traceparent == null) {
        SpanContext c = span.getSpanContext();
        traceparent = "00-" + c.getTraceId() + "-" + c.getSpanId() + "-" + c.getTraceFlags().asHex();
      }
      return traceparent;
    }

    @Override
    public String traceId() {
      return span.getSpanContext().getTraceId();
    }

    @Override
    public String spanId() {
      return span.getSpanContext().getSpanId();
    }

    @Override
    public TracedSpan attribute(String key, String value) {
      span.setAttribute(key, value);
      return this;
    }

    @Override
    public TracedSpan attribute(String key, long value) {
      span.setAttribute(key, value);
      return this;
    }

    @Override
    public TracedSpan error(String reason) {
      span.setStatus(StatusCode.ERROR, reason);
      return this;
    }

    @Override
    public Activation activate() {
      Scope scope = span.makeCurrent();
      String previousTrace = MDC.get(MDC_TRACE_ID);
      String previousSpan = MDC.get(MDC_SPAN_ID);
      MDC.put(MDC_TRACE_ID, traceId());
      MDC.put(MDC_SPAN_ID, spanId());
      return () -> {
        restore(MDC_TRACE_ID, previousTrace);
        restore(MDC_SPAN_ID, previousSpan);
        scope.close();
      };
    }

    private static void restore(String key, String previous) {
      if (previous == null) {
        MDC.remove(key);
      } else {
        MDC.put(key, previous);
      }
    }

    @Override
    public void end() {
      if (!done) {
        done = true;
        span.end();
        ended.increment();
      }
    }
  }
}
