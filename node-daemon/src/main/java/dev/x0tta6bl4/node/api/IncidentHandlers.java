package dev.x0tta6bl4.node.api;

import dev.x0tta6bl4.mapek.IncidentView;
import dev.x0tta6bl4.mapek.Symptom;
import dev.x0tta6bl4.mapek.TimelineEvent;
import dev.x0tta6bl4.observability.HttpRequest;
import dev.x0tta6bl4.observability.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;

/**
 * {@code GET /v1/incidents} and {@code GET /v1/incidents/{id}}: what the self-healing loop found
 * and did, each incident with its symptoms and timeline (detection, plan, actions, outcome).
 * {@code ?state=open} lists only open incidents, {@code ?limit=N} the newest N. Reads published
 * values only, so it runs on the event loop.
 */
final class IncidentHandlers {
  static final String PREFIX = "/v1/incidents/";
  static final int MAX_LIMIT = 10_000;

  private final IncidentSource source;
  private final BooleanSupplier ready;

  IncidentHandlers(IncidentSource source, BooleanSupplier ready) {
    this.source = source;
    this.ready = ready;
  }

  CompletionStage<HttpResponse> list(HttpRequest request) {
    if (!ready.getAsBoolean()) {
      return CompletableFuture.completedFuture(ApiResponses.notReady());
    }
    String state = request.queryParameter("state").orElse("all");
    if (!state.equals("all") && !state.equals("open")) {
      return done(HttpResponse.error(400, "invalid_argument",
          "state '" + state + "' is not one of all | open"));
    }
    Optional<String> limitText = request.queryParameter("limit");
    int limit = MAX_LIMIT;
    if (limitText.isPresent()) {
      try {
        limit = Integer.parseInt(limitText.get());
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 1 || limit > MAX_LIMIT) {
        return done(HttpResponse.error(400, "invalid_argument",
            "limit '" + limitText.get() + "' is not a whole number 1.." + MAX_LIMIT));
      }
    }
    List<IncidentView> incidents = source.incidents();
    List<IncidentView> open = incidents.stream().filter(IncidentView::open).toList();
    List<IncidentView> resolved = state.equals("open") ? List.of()
        : incidents.stream().filter(i -> !i.open()).toList();
    // Open incidents first, then the newest `limit` resolved ones that still fit: an old
    // resolved incident never displaces an open one.
    List<Map<String, Object>> out = new ArrayList<>();
    open.stream().limit(limit).forEach(i -> out.add(json(i)));
    int room = limit - out.size();
    resolved.subList(Math.max(0, resolved.size() - room), resolved.size())
        .forEach(i -> out.add(json(i)));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("mode", source.mode());
    body.put("open", open.size());
    body.put("incidents", out);
    return done(ApiResponses.json(200, body));
  }

  CompletionStage<HttpResponse> one(HttpRequest request) {
    if (!ready.getAsBoolean()) {
      return CompletableFuture.completedFuture(ApiResponses.notReady());
    }
    String text = request.path().substring(PREFIX.length());
    long id;
    try {
      id = Long.parseLong(text);
    } catch (NumberFormatException e) {
      return done(HttpResponse.error(400, "invalid_argument",
          "incident id '" + text + "' is not a whole number"));
    }
    for (IncidentView i : source.incidents()) {
      if (i.id() == id) {
        return done(ApiResponses.json(200, json(i)));
      }
    }
    return done(HttpResponse.error(404, "not_found", "no incident " + id
        + " among the open and recent incidents (mode " + source.mode() + ")"));
  }

  static Map<String, Object> json(IncidentView i) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", i.id());
    m.put("kind", i.kind());
    m.put("subject", i.subject());
    m.put("state", i.state().label());
    m.put("first_seen", text(i.firstSeen()));
    m.put("detected_at", text(i.detectedAt()));
    m.put("resolved_at", text(i.resolvedAt()));
    m.put("resolution", i.resolution());
    List<Map<String, Object>> symptoms = new ArrayList<>();
    for (Symptom s : i.symptoms()) {
      Map<String, Object> sm = new LinkedHashMap<>();
      sm.put("kind", s.kind());
      sm.put("subject", s.subject());
      sm.put("severity", s.severity().name().toLowerCase(Locale.ROOT));
      sm.put("evidence", s.evidence());
      sm.put("first_seen", text(s.firstSeen()));
      symptoms.add(sm);
    }
    m.put("symptoms", symptoms);
    List<Map<String, Object>> timeline = new ArrayList<>();
    for (TimelineEvent e : i.timeline()) {
      Map<String, Object> em = new LinkedHashMap<>();
      em.put("at", text(e.at()));
      em.put("event", e.type().name().toLowerCase(Locale.ROOT));
      em.put("detail", e.detail());
      timeline.add(em);
    }
    m.put("timeline", timeline);
    return m;
  }

  private static String text(Instant at) {
    return at == null ? null : at.toString();
  }

  private static CompletionStage<HttpResponse> done(HttpResponse response) {
    return CompletableFuture.completedFuture(response);
  }
}
