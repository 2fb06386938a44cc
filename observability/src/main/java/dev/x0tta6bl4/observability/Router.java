package dev.x0tta6bl4.observability;

import io.netty.handler.codec.http.HttpMethod;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * Path router: path, then method, to handler. Built once by {@link HttpServer.Builder} and
 * read-only afterwards, so event loops share it without locking. HEAD falls back to the GET
 * handler (the server drops the body).
 *
 * <p>A path is either exact ({@code /v1/status}) or a template whose last segment is one
 * variable ({@code /v1/kv/{key}}): the template matches every path that starts with its prefix
 * ({@code /v1/kv/}), whatever follows, slashes and nothing included, and the handler reads the
 * rest from {@link HttpRequest#path()}. Exact paths win over templates, and a longer template
 * prefix over a shorter one. The template itself is the route's metric tag, so tags stay
 * bounded.
 */
final class Router {
  /** Route tag value for requests that matched no registered path. */
  static final String UNMATCHED = "unmatched";

  private final Map<String, Map<HttpMethod, HttpHandler>> routes;
  /** Template prefix (e.g. {@code /v1/kv/}) to template, longest prefix first. */
  private final Map<String, String> templates;

  private Router(Map<String, Map<HttpMethod, HttpHandler>> routes) {
    this.routes = routes;
    Map<String, String> byPrefix = new java.util.TreeMap<>(
        java.util.Comparator.comparingInt(String::length).reversed()
            .thenComparing(java.util.Comparator.naturalOrder()));
    for (String path : routes.keySet()) {
      templatePrefix(path).ifPresent(prefix -> byPrefix.put(prefix, path));
    }
    this.templates = Collections.unmodifiableMap(new LinkedHashMap<>(byPrefix));
  }

  /** The prefix of a template path ({@code /v1/kv/} for {@code /v1/kv/{key}}), if it is one. */
  static java.util.Optional<String> templatePrefix(String path) {
    int slash = path.lastIndexOf('/');
    String last = path.substring(slash + 1);
    if (last.length() > 2 && last.startsWith("{") && last.endsWith("}")) {
      return java.util.Optional.of(path.substring(0, slash + 1));
    }
    return java.util.Optional.empty();
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
    String route = path;
    Map<HttpMethod, HttpHandler> byMethod = routes.get(path);
    if (byMethod == null || templatePrefix(path).isPresent()) {
      byMethod = null;
      for (Map.Entry<String, String> t : templates.entrySet()) {
        if (path.startsWith(t.getKey())) {
          route = t.getValue();
          byMethod = routes.get(route);
          break;
        }
      }
    }
    if (byMethod == null) {
      return new Resolution(UNMATCHED, null, null);
    }
    HttpHandler handler = byMethod.get(method);
    if (handler == null && HttpMethod.HEAD.equals(method)) {
      handler = byMethod.get(HttpMethod.GET);
    }
    if (handler != null) {
      return new Resolution(route, handler, null);
    }
    TreeSet<String> allowed = new TreeSet<>();
    byMethod.keySet().forEach(m -> allowed.add(m.name()));
    if (allowed.contains("GET")) {
      allowed.add("HEAD");
    }
    return new Resolution(route, null, String.join(", ", allowed));
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
      String beforeLast = path.substring(0, path.lastIndexOf('/') + 1);
      if (beforeLast.contains("{") || beforeLast.contains("}")) {
        throw new ObservabilityException("route path '" + path + "' is invalid: only the last"
            + " segment may be a variable, such as '/v1/kv/{key}'");
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
