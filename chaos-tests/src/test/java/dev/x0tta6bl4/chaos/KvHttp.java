package dev.x0tta6bl4.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * The few calls of a node's local HTTP API that the process tests need ({@code PUT} and
 * {@code GET /v1/kv/{key}}, {@code GET /v1/cluster}), made the way an application on the node
 * makes them. Thread-safe: one {@link HttpClient} (HTTP/1.1, keep-alive) shared by every caller.
 */
final class KvHttp {
  /** Longer than the node's {@code consensus.request-timeout} (10 s), so the node answers first. */
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2))
      .build();

  /** An answer that is not the expected success: status and body, for the failure message. */
  static final class ApiException extends IOException {
    private static final long serialVersionUID = 1L;
    final int status;

    ApiException(String what, int status, String body) {
      super(what + " answered " + status + ": " + body);
      this.status = status;
    }
  }

  /** A value read back, with its version (the ETag). */
  record Read(long version, String value) {}

  /** {@code PUT /v1/kv/{key}}; returns the version the node acknowledged. */
  long put(URI api, String key, String value) throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(
        HttpRequest.newBuilder(api.resolve("/v1/kv/" + key))
            .timeout(REQUEST_TIMEOUT)
            .PUT(HttpRequest.BodyPublishers.ofString(value, StandardCharsets.UTF_8))
            .build(),
        HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new ApiException("PUT " + key, response.statusCode(), response.body());
    }
    return JSON.readTree(response.body()).path("version").asLong();
  }

  /** {@code GET /v1/kv/{key}?consistency=...}; empty on 404. */
  Optional<Read> get(URI api, String key, boolean stale) throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(
        HttpRequest.newBuilder(api.resolve("/v1/kv/" + key + "?consistency="
                + (stale ? "stale" : "linearizable")))
            .timeout(REQUEST_TIMEOUT)
            .build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    if (response.statusCode() == 404) {
      return Optional.empty();
    }
    if (response.statusCode() != 200) {
      throw new ApiException("GET " + key, response.statusCode(), response.body());
    }
    String etag = response.headers().firstValue("etag").orElseThrow(
        () -> new IOException("GET " + key + " answered without an ETag"));
    return Optional.of(new Read(Long.parseLong(etag.replace("\"", "")), response.body()));
  }

  /** {@code GET /v1/cluster}: the Raft group as that node sees it. */
  JsonNode cluster(URI api) throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(
        HttpRequest.newBuilder(api.resolve("/v1/cluster")).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new ApiException("GET /v1/cluster", response.statusCode(), response.body());
    }
    return JSON.readTree(response.body());
  }
}
