package dev.x0tta6bl4.node.api;

import dev.x0tta6bl4.node.mesh.MeshService;
import dev.x0tta6bl4.observability.HttpRequest;
import dev.x0tta6bl4.observability.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BooleanSupplier;

/**
 * {@code GET /v1/status}, {@code /v1/peers} and {@code /v1/routes}: the node's state as JSON with
 * snake_case fields. Durations are milliseconds as numbers ({@code *_ms}). Status answers even
 * while the node is not ready (with {@code "ready": false}); peers and routes answer 503 then.
 * Each waits at most the mesh answer timeout (5 s) for the mesh, else 503 {@code
 * unavailable}. Stateless; runs on event loops.
 */
final class MeshStateHandlers {
  private final MeshService mesh;
  private final BooleanSupplier ready;
  private final ScheduledExecutorService scheduler;
  private final Duration meshTimeout;

  MeshStateHandlers(MeshService mesh, BooleanSupplier ready, ScheduledExecutorService scheduler,
      Duration meshTimeout) {
    this.mesh = mesh;
    this.ready = ready;
    this.scheduler = scheduler;
    this.meshTimeout = meshTimeout;
  }

  CompletionStage<HttpResponse> status(HttpRequest request) {
    return ask(mesh.status(), "status").thenApply(s -> {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("node_id", s.nodeId());
      body.put("spiffe_id", s.spiffeId());
      body.put("version", s.version());
      body.put("uptime_ms", s.uptime().toMillis());
      body.put("links", s.links());
      body.put("routes", s.routes());
      body.put("in_flight", s.inFlight());
      body.put("ready", s.ready() && ready.getAsBoolean());
      return ApiResponses.json(200, body);
    }).exceptionally(ApiResponses::fromFailure);
  }

  CompletionStage<HttpResponse> peers(HttpRequest request) {
    if (!ready.getAsBoolean()) {
      return CompletableFuture.completedFuture(ApiResponses.notReady());
    }
    return ask(mesh.peers(), "peers").thenApply(peers -> {
      List<Map<String, Object>> list = new ArrayList<>();
      peers.stream().sorted(Comparator.comparing(MeshService.PeerInfo::nodeId)).forEach(p -> {
        Map<String, Object> peer = new LinkedHashMap<>();
        peer.put("node_id", p.nodeId());
        peer.put("spiffe_id", p.spiffeId());
        peer.put("address", p.listenAddress());
        peer.put("direction", p.outbound() ? "outbound" : "inbound");
        peer.put("status", p.status());
        peer.put("phi", finite(p.phi()));
        peer.put("rtt_ms", p.smoothedRtt().map(MeshStateHandlers::millis).orElse(null));
        peer.put("clock_offset_ms", finite(p.clockOffsetSeconds() * 1000));
        peer.put("adverts_rejected", p.advertsRejected());
        list.add(peer);
      });
      return ApiResponses.json(200, Map.of("peers", list));
    }).exceptionally(ApiResponses::fromFailure);
  }

  CompletionStage<HttpResponse> routes(HttpRequest request) {
    if (!ready.getAsBoolean()) {
      return CompletableFuture.completedFuture(ApiResponses.notReady());
    }
    return ask(mesh.routes(), "routes").thenApply(routes -> {
      List<Map<String, Object>> list = new ArrayList<>();
      routes.stream().sorted(Comparator.comparing(MeshService.RouteInfo::destination))
          .forEach(r -> {
            Map<String, Object> route = new LinkedHashMap<>();
            route.put("destination", r.destination());
            route.put("next_hop", r.nextHop());
            route.put("cost", r.cost());
            route.put("hops", r.hops());
            list.add(route);
          });
      return ApiResponses.json(200, Map.of("routes", list));
    }).exceptionally(ApiResponses::fromFailure);
  }

  private <T> CompletableFuture<T> ask(CompletableFuture<T> answer, String what) {
    return ApiResponses.within(answer, meshTimeout, scheduler,
        "the mesh (" + what + ")");
  }

  /** Milliseconds with microsecond precision. */
  static double millis(Duration d) {
    return Math.round(d.toNanos() / 1_000.0) / 1_000.0;
  }

  /** JSON has no NaN or infinity: such values become null. */
  private static Double finite(double value) {
    return Double.isFinite(value) ? Math.round(value * 1000) / 1000.0 : null;
  }
}
