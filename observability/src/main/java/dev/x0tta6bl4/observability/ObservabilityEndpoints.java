package dev.x0tta6bl4.observability;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.handler.codec.http.HttpMethod;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in routes of the metrics and health endpoint:
 *
 * <ul>
 *   <li>{@code GET /metrics}: OpenMetrics 1.0.0 when {@code Accept} names {@code
 *       application/openmetrics-text}, else Prometheus text 0.0.4. The scrape runs inline on the
 *       event loop: it only reads meters (a few milliseconds) and Prometheus polls every few
 *       seconds at most.
 *   <li>{@code GET /health/live}: 200 {@code {"status":"UP"}} while the server runs.
 *   <li>{@code GET /health/ready}: 200 with {@code {"status":"UP","components":{...}}} when the
 *       {@link Readiness} reports every component UP, else 503 with {@code "status":"DOWN"}.
 * </ul>
 *
 * HEAD works on all three (GET without body). Stateless; thread-safe.
 */
public final class ObservabilityEndpoints {
  /** Content type of Prometheus text format 0.0.4. */
  public static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  /** Content type of OpenMetrics text format 1.0.0. */
  public static final String OPENMETRICS_TEXT =
      "application/openmetrics-text; version=1.0.0; charset=utf-8";

  private static final Logger LOG = LoggerFactory.getLogger(ObservabilityEndpoints.class);

  private ObservabilityEndpoints() {}

  /**
   * Adds {@code /metrics}, {@code /health/live} and {@code /health/ready} to {@code builder}.
   *
   * @param registry the registry to scrape
   * @param readiness called on the event loop for each readiness probe; must be fast
   * @return the same builder
   */
  public static HttpServer.Builder install(
      HttpServer.Builder builder, PrometheusMeterRegistry registry, Readiness readiness) {
    Objects.requireNonNull(builder, "builder");
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(readiness, "readiness");
    return builder
        .route(HttpMethod.GET, "/metrics", HttpHandler.inline(r -> metrics(registry, r)))
        .route(HttpMethod.GET, "/health/live",
            HttpHandler.inline(r -> HttpResponse.json(200, "{\"status\":\"UP\"}")
                .withHeader("cache-control", "no-store")))
        .route(HttpMethod.GET, "/health/ready", HttpHandler.inline(r -> ready(readiness)));
  }

  private static HttpResponse metrics(PrometheusMeterRegistry registry, HttpRequest request) {
    boolean openMetrics =
        request.headers().getOrDefault("accept", java.util.List.of()).stream()
            .anyMatch(v -> v.contains("application/openmetrics-text"));
    String contentType = openMetrics ? OPENMETRICS_TEXT : PROMETHEUS_TEXT;
    return HttpResponse.text(200, contentType, registry.scrape(contentType));
  }

  private static HttpResponse ready(Readiness readiness) {
    HealthReport report;
    try {
      report = Objects.requireNonNull(readiness.check(), "readiness returned null");
    } catch (RuntimeException e) {
      LOG.warn("readiness check failed", e);
      report = HealthReport.of("readiness", ComponentHealth.down("check failed: " + e));
    }
    Map<String, Object> components = new LinkedHashMap<>();
    report.components().forEach(
        (name, health) -> {
          Map<String, String> c = new LinkedHashMap<>();
          c.put("status", health.status().name());
          if (!health.detail().isEmpty()) {
            c.put("detail", health.detail());
          }
          components.put(name, c);
        });
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", report.status().name());
    body.put("components", components);
    return HttpResponse.jsonOf(report.isReady() ? 200 : 503, body)
        .withHeader("cache-control", "no-store");
  }
}
