/**
 * Observability of a meshd node, with no business logic.
 *
 * <ul>
 *   <li>{@link dev.x0tta6bl4.observability.MeshdMetrics}: the Prometheus meter registry with JVM,
 *       process, build-info and Netty event-loop meters, and the {@code meshd.<area>.<name>}
 *       naming convention (enforced at registration).
 *   <li>{@link dev.x0tta6bl4.observability.HttpServer}: a small Netty HTTP/1.1 server with a
 *       path router (exact paths and {@code /prefix/{var}} templates), shared by the metrics
 *       endpoint and the local API; {@link
 *       dev.x0tta6bl4.observability.ObservabilityEndpoints} adds {@code /metrics}, {@code
 *       /health/live} and {@code /health/ready} (driven by a {@link
 *       dev.x0tta6bl4.observability.Readiness}); handlers may answer with a bounded server-sent
 *       event stream ({@link dev.x0tta6bl4.observability.EventStream}).
 *   <li>{@link dev.x0tta6bl4.observability.LogSetup}: Logback configured in code, JSON lines or
 *       readable text on stdout.
 *   <li>{@link dev.x0tta6bl4.observability.Tracing}: OpenTelemetry spans exported over
 *       OTLP/HTTP (or off), W3C {@code traceparent} helpers, and {@link
 *       dev.x0tta6bl4.observability.TracedSpan#activate()}, which puts {@code trace_id} and
 *       {@code span_id} into the logging MDC while a span is current.
 * </ul>
 */
package dev.x0tta6bl4.observability;
