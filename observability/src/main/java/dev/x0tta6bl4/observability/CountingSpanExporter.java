package dev.x0tta6bl4.observability;

import io.micrometer.core.instrument.Counter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;

/**
 * Counts the spans of every export call by its result, then passes everything on. Called by the
 * batch span processor's export thread; closed (shut down) by it.
 */
final class CountingSpanExporter implements SpanExporter {
  private final SpanExporter delegate;
  private final Counter success;
  private final Counter failure;

  CountingSpanExporter(SpanExporter delegate, Counter success, Counter failure) {
    this.delegate = delegate;
    this.success = success;
    this.failure = failure;
  }

  @Override
  public CompletableResultCode export(Collection<SpanData> spans) {
    int n = spans.size();
    CompletableResultCode result;
    try {
      result = delegate.export(spans);
    } catch (RuntimeException e) {
      failure.increment(n);
      throw e;
    }
    result.whenComplete(() -> (result.isSuccess() ? success : failure).increment(n));
    return result;
  }

  @Override
  public CompletableResultCode flush() {
    return delegate.flush();
  }

  @Override
  public CompletableResultCode shutdown() {
    return delegate.shutdown();
  }

  @Override
  public String toString() {
    return "CountingSpanExporter{" + delegate + "}";
  }
}
