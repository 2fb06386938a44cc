package dev.x0tta6bl4.node;

import dev.x0tta6bl4.node.config.NodeConfig;
import dev.x0tta6bl4.observability.Tracing;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the node's {@link Tracing} from the {@code tracing} configuration section: {@link
 * Tracing#off()} unless {@code tracing.enabled}, else OTLP/HTTP export to {@code
 * tracing.endpoint} with the node id as {@code service.instance.id}. Called once by the
 * composition root; the container closes the result (flushing queued spans).
 */
final class NodeTracing {
  private static final Logger log = LoggerFactory.getLogger(NodeTracing.class);

  private NodeTracing() {}

  static Tracing create(NodeConfig config, String nodeId, MeterRegistry registry) {
    NodeConfig.Tracing t = config.tracing();
    if (!t.enabled()) {
      return Tracing.off();
    }
    Tracing.Builder builder = Tracing.builder()
        .serviceName(t.serviceName())
        .instanceId(nodeId)
        .sampleRatio(t.sampleRatio())
        .endpoint(t.endpoint())
        .exportTimeout(t.exportTimeout())
        .meterRegistry(registry);
    t.headers().forEach(builder::header);
    // The endpoint only, never the headers: they may hold credentials.
    log.info("tracing on: OTLP/HTTP export to {} sample-ratio {}", t.endpoint(), t.sampleRatio());
    return builder.build();
  }
}
