package dev.x0tta6bl4.observability;

import io.netty.handler.codec.http.HttpMethod;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * Exact-path router: path, then method, to handler. Built once by {@link HttpServer.Builder} and
 * read-only afterwards, so event loops share it without locking. HEAD falls back to the GET
 * handler (the server drops the body).
 */
final class Router {
  /** Route tag value for requests that matched no registered path. */
  static final String UNMATCHED = "unmatched";

  private final Map<String, Map<HttpMethod, HttpHandler>> routes;

  private Router(Map<String, Map<HttpMethod, HttpHandler>> routes) {
    this.routes = routes;
  }

  /**
   * Outcome of routing one request.
   *
   * @param route the registered path, or {@link #UNMATCHED}
   * @param handler the handler to run, or null when the path or method did not match
   * @param allow the {@code Allow} header value when the path matched but the method did not
   */
  record Resolution(String route, HttpHandler handler, String allow) {}

  Resolution resolve(HttpMethod method, String path) {
    Map<HttpMethod, HttpHandler> byMethod = routes.get(path);
    if (byMethod == null) {
      return new Resolution(UNMATCHED, null, null);
    }
    HttpHandler handler = byMethod.get(method);
    if (handler == null && HttpMethod.HEAD.equals(method)) {
      handler = byMethod.get(HttpMethod.GET);
    }
    if (handler != null) {
      return new Resolution(path, handler, null);
    }
    TreeSet<String> allowed = new TreeSet<>();
    byMethod.keySet().forEach(m -> allowed.add(m.name()));
    if (allowed.contains("GET")) {
      allowed.add("HEAD");
    }
    return new Resolution(path, null, String.join(", ", allowed));
  }

  /** Collects routes; not thread-safe (used by one builder). */
  static final class Builder {
    private final Map<String, Map<HttpMethod, HttpHandler>> routes = new LinkedHashMap<>();

    void add(HttpMethod method, String path, HttpHandler handler) {
      if (method == null || handler == null) {
        throw new ObservabilityException(
            "route " + method + " " + path + " is invalid: expected a method and a handler");
      }
      if (path == null || !path.startsWith("/") || path.contains("?") || path.contains("#")) {
        throw new ObservabilityException(
            "route path '" + path + "' is invalid: expected an absolute path such as '/metrics'"
                + " without query or fragment");
      }
      Map<HttpMethod, HttpHandler> byMethod =
          routes.computeIfAbsent(path, p -> new LinkedHashMap<>());
      if (byMethod.putIfAbsent(method, handler) != null) {
        throw new ObservabilityException(
            "route " + method + " " + path + " is already registered: expected each method and"
                + " path once");
      }
    }

    Router build() {
      Map<String, Map<HttpMethod, HttpHandler>> copy = new LinkedHashMap<>();
      routes.forEach((p, m) -> copy.put(p, Collections.unmodifiableMap(new LinkedHashMap<>(m))));
      return new Router(Collections.unmodifiableMap(copy));
    }
  }
}
