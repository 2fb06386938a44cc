package dev.x0tta6bl4.node.api;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.x0tta6bl4.node.config.NodeConfig;
import dev.x0tta6bl4.node.mesh.MeshService;
import dev.x0tta6bl4.node.wiring.Component;
import dev.x0tta6bl4.observability.HttpHandler;
import dev.x0tta6bl4.observability.HttpResponse;
import dev.x0tta6bl4.observability.HttpServer;
import dev.x0tta6bl4.observability.Tracing;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpMethod;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's local HTTP API on {@code api.bind} (default 127.0.0.1:7680), for applications and
 * the {@code meshd} CLI; the endpoints are documented in {@code docs/api.md}:
 *
 * <ul>
 *   <li>{@code GET /v1/status}, {@code GET /v1/peers}, {@code GET /v1/routes} ({@link
 *       MeshStateHandlers});
 *   <li>{@code POST /v1/messages}: send to one node or broadcast, optionally waiting for the
 *       outcome ({@link MessagesHandler}), admitted or shed by {@link SendAdmission};
 *   <li>{@code GET /v1/subscribe}: server-sent events of delivered messages ({@link
 *       SubscribeHandler});
 *   <li>{@code GET|PUT|DELETE /v1/kv/{key}}: the replicated key-value store ({@link
 *       KvHandlers});
 *   <li>{@code GET /v1/incidents}, {@code GET /v1/incidents/{id}}: the self-healing loop's
 *       incidents with their timelines ({@link IncidentHandlers});
 *   <li>{@code GET /v1/cluster}, {@code POST /v1/cluster/snapshot}, {@code POST
 *       /v1/cluster/voters}, {@code DELETE /v1/cluster/voters/{id}}: the Raft group ({@link
 *       ClusterHandlers}).
 * </ul>
 *
 * <p>Request bodies are bounded by {@code api.max-body-size}, except {@code PUT /v1/kv}, whose
 * body is the value and may reach {@code consensus.max-value-size}: the server reads bodies up
 * to the larger of the two (plus 64 KiB, so a value just over its limit is answered 413 {@code
 * value_too_large} rather than cut off), and every other route refuses a body above {@code
 * api.max-body-size} with 413 {@code body_too_large}.
 *
 * <p>Runs on the node's shared event loops (handlers never block; timers run on the same group)
 * and answers 503 {@code not_ready} while {@code ready} is false (the node is starting or
 * stopping). Built and started by the container after the mesh, closed before it; closing ends
 * every open event stream cleanly. Lifecycle NEW → RUNNING → CLOSED as in {@link HttpServer}.
 */
public final class LocalApiServer implements Component {
  /** Longest the API waits for the mesh to answer a read or accept a message. */
  static final Duration MESH_ANSWER_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration STREAM_HEARTBEAT = Duration.ofSeconds(15);
  /** The HTTP server's own cap on a body (its limit, 16 MiB). */
  private static final int MAX_SERVER_BODY = 16 << 20;
  /** Read this much beyond the largest value, so a slightly larger one gets value_too_large. */
  private static final int VALUE_SLACK = 64 << 10;

  private static final Logger log = LoggerFactory.getLogger(LocalApiServer.class);

  private final HttpServer server;

  /**
   * Builds the server; nothing is bound until {@link #start()}.
   *
   * @param config the {@code api} configuration section
   * @param mesh the mesh the API drives
   * @param consensus how handlers reach the replicated store on each request ({@link
   *     ConsensusAccess#disabled()} for a node without one)
   * @param incidents the self-healing loop's incidents ({@link IncidentSource#off()}: none)
   * @param group event loops for connections and timers; owned by the caller
   * @param registry where request, stream and API meters go
   * @param ready whether the node serves requests now; called on event loops, must be fast
   * @param tracing records a span per {@code POST /v1/messages} ({@link Tracing#off()}: none)
   * @param admission admits or sheds each {@code POST /v1/messages} and records its load figures
   */
  public LocalApiServer(NodeConfig.Api config, MeshService mesh, ConsensusAccess consensus,
      IncidentSource incidents, EventLoopGroup group, MeterRegistry registry,
      BooleanSupplier ready, Tracing tracing, SendAdmission admission) {
    this(config, mesh, consensus, incidents, group, registry, ready, STREAM_HEARTBEAT,
        MESH_ANSWER_TIMEOUT, tracing, admission);
  }

  /** As above, with the stream heartbeat and the mesh answer timeout (tests shorten them). */
  LocalApiServer(NodeConfig.Api config, MeshService mesh, ConsensusAccess consensus,
      EventLoopGroup group, MeterRegistry registry, BooleanSupplier ready,
      Duration streamHeartbeat, Duration meshTimeout, SendAdmission admission) {
    this(config, mesh, consensus, IncidentSource.off(), group, registry, ready, streamHeartbeat,
        meshTimeout, Tracing.off(), admission);
  }

  private LocalApiServer(NodeConfig.Api config, MeshService mesh, ConsensusAccess consensus,
      IncidentSource incidents, EventLoopGroup group, MeterRegistry registry,
      BooleanSupplier ready, Duration streamHeartbeat, Duration meshTimeout, Tracing tracing,
      SendAdmission admission) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(mesh, "mesh");
    Objects.requireNonNull(consensus, "consensus");
    Objects.requireNonNull(ready, "ready");
    ApiMetrics metrics = new ApiMetrics(registry);
    MeshStateHandlers state = new MeshStateHandlers(mesh, ready, group, meshTimeout);
    MessagesHandler messages =
        new MessagesHandler(mesh, ready, group, config.maxWait(), meshTimeout, metrics,
            Objects.requireNonNull(tracing, "tracing"),
            Objects.requireNonNull(admission, "admission"));
    SubscribeHandler subscribe = new SubscribeHandler(mesh, ready, config.maxSubscribers(),
        config.subscriberBuffer(), metrics);
    StoreCalls calls = new StoreCalls(consensus, ready, group, metrics, tracing);
    KvHandlers kv = new KvHandlers(calls);
    ClusterHandlers cluster = new ClusterHandlers(calls);
    IncidentHandlers incidentHandlers =
        new IncidentHandlers(Objects.requireNonNull(incidents, "incidents"), ready);
    int maxBody = Math.toIntExact(config.maxBodySize().bytes());
    int serverMaxBody = consensus.enabled()
        ? Math.max(maxBody, Math.min(MAX_SERVER_BODY, consensus.maxValueBytes() + VALUE_SLACK))
        : maxBody;
    this.server =
        HttpServer.builder(group, registry)
            .name("api")
            .bindAddress(config.bind().host(), config.bind().port())
            .maxBodyBytes(serverMaxBody)
            .maxHeaderBytes(Math.toIntExact(config.maxHeaderSize().bytes()))
            .streamHeartbeat(streamHeartbeat)
            .route(HttpMethod.GET, "/v1/status", state::status)
            .route(HttpMethod.GET, "/v1/peers", state::peers)
            .route(HttpMethod.GET, "/v1/routes", state::routes)
            .route(HttpMethod.POST, "/v1/messages", bounded(maxBody, messages::handle))
            .route(HttpMethod.GET, "/v1/subscribe", HttpHandler.inline(subscribe::handle))
            .route(HttpMethod.GET, KvHandlers.PREFIX + "{key}", kv::get)
            .route(HttpMethod.PUT, KvHandlers.PREFIX + "{key}", kv::put)
            .route(HttpMethod.DELETE, KvHandlers.PREFIX + "{key}", bounded(maxBody, kv::delete))
            .route(HttpMethod.GET, "/v1/cluster", cluster::status)
            .route(HttpMethod.POST, "/v1/cluster/snapshot", bounded(maxBody, cluster::snapshot))
            .route(HttpMethod.POST, ClusterHandlers.VOTERS, bounded(maxBody, cluster::addVoter))
            .route(HttpMethod.DELETE, ClusterHandlers.VOTER_PREFIX + "{id}",
                bounded(maxBody, cluster::removeVoter))
            .route(HttpMethod.GET, "/v1/incidents", incidentHandlers::list)
            .route(HttpMethod.GET, IncidentHandlers.PREFIX + "{id}", incidentHandlers::one)
            .build();
  }

  /**
   * {@code handler}, refusing a body above {@code maxBody} with 413 {@code body_too_large}. The
   * aggregated request carries its exact {@code Content-Length}, so the body is not copied.
   */
  private static HttpHandler bounded(int maxBody, HttpHandler handler) {
    return request -> {
      long length = request.header("content-length").map(LocalApiServer::parseLength).orElse(0L);
      if (length > maxBody) {
        return CompletableFuture.completedFuture(HttpResponse.error(413, "body_too_large",
            "request body exceeds " + maxBody + " bytes (api.max-body-size)"));
      }
      return handler.handle(request);
    };
  }

  private static long parseLength(String text) {
    try {
      return Long.parseLong(text.strip());
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE; // the codec would have refused it; never let it through
    }
  }

  @Override
  public void start() {
    server.start(); // logs "HTTP server http_server=api listening on address=host:port"
    InetSocketAddress bound = server.boundAddress();
    log.info("local API ready {}", kv("url", "http://" + hostPort(bound) + "/v1/"));
  }

  /** The bound address; with port 0 in the configuration this is the port the OS chose. */
  public InetSocketAddress address() {
    return server.boundAddress();
  }

  @Override
  public void close() {
    server.close();
  }

  private static String hostPort(InetSocketAddress address) {
    String host = address.getAddress().getHostAddress();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
  }
}
