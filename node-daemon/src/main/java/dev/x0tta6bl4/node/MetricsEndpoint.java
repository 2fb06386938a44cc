package dev.x0tta6bl4.node;

import dev.x0tta6bl4.node.config.NodeConfig;
import dev.x0tta6bl4.node.wiring.Component;
import dev.x0tta6bl4.observability.HttpServer;
import dev.x0tta6bl4.observability.ObservabilityEndpoints;
import dev.x0tta6bl4.observability.Readiness;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;

/**
 * Serves {@code /metrics}, {@code /health/live} and {@code /health/ready} on the address of
 * {@code metrics.bind}. Runs on the node's shared event loops; closed by the container.
 */
public final class MetricsEndpoint implements Component {
  private final HttpServer server;

  public MetricsEndpoint(
      NodeConfig.Metrics config,
      EventLoops loops,
      PrometheusMeterRegistry registry,
      Readiness readiness) {
    HttpServer.Builder builder =
        HttpServer.builder(loops.group(), registry)
            .name("metrics")
            .bindAddress(config.bind().host(), config.bind().port())
            .maxHeaderBytes(Math.toIntExact(config.maxHeaderSize().bytes()));
    this.server = ObservabilityEndpoints.install(builder, registry, readiness).build();
  }

  @Override
  public void start() {
    server.start(); // logs "HTTP server http_server=metrics listening on address=host:port"
  }

  /** The bound address; with port 0 in the configuration this is the port the OS chose. */
  public InetSocketAddress address() {
    return server.boundAddress();
  }

  @Override
  public void close() {
    server.close();
  }
}
