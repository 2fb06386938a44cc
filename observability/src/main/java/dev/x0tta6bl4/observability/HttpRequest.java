package dev.x0tta6bl4.observability;

import io.netty.handler.codec.http.HttpMethod;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An HTTP request as a route handler sees it: fully read, body within the server's limit, decoupled
 * from Netty buffers (nothing to release). Immutable value; the body array is copied in and out.
 *
 * @param method the request method
 * @param path the decoded path without query string, e.g. {@code /health/ready}
 * @param query query parameters in order of appearance
 * @param headers headers with lower-case names, values in order of appearance
 * @param body the request body, empty when there is none
 * @param remoteAddress the peer that sent the request (an {@code InetSocketAddress} over TCP)
 */
public record HttpRequest(
    HttpMethod method,
    String path,
    Map<String, List<String>> query,
    Map<String, List<String>> headers,
    byte[] body,
    SocketAddress remoteAddress) {

  /** Copies and validates the fields. */
  public HttpRequest {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(path, "path");
    query = copy(query, false);
    headers = copy(headers, true);
    body = Objects.requireNonNull(body, "body").clone();
    Objects.requireNonNull(remoteAddress, "remoteAddress");
  }

  /** Returns a copy of the body. */
  @Override
  public byte[] body() {
    return body.clone();
  }

  /** The body decoded as UTF-8. */
  public String bodyAsString() {
    return new String(body, StandardCharsets.UTF_8);
  }

  /** The first value of header {@code name} (case-insensitive), if present. */
  public Optional<String> header(String name) {
    List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  /** The first value of query parameter {@code name}, if present. */
  public Optional<String> queryParameter(String name) {
    List<String> values = query.get(name);
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  private static Map<String, List<String>> copy(Map<String, List<String>> in, boolean lowerKeys) {
    Objects.requireNonNull(in);
    Map<String, List<String>> out = new LinkedHashMap<>();
    in.forEach(
        (k, v) -> {
          String key = lowerKeys ? k.toLowerCase(Locale.ROOT) : k;
          out.computeIfAbsent(key, x -> new java.util.ArrayList<>()).addAll(v);
        });
    out.replaceAll((k, v) -> List.copyOf(v));
    return Collections.unmodifiableMap(out);
  }
}
