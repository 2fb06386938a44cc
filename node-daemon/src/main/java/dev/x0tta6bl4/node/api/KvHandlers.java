package dev.x0tta6bl4.node.api;

import dev.x0tta6bl4.consensus.KvOp;
import dev.x0tta6bl4.consensus.OpResult;
import dev.x0tta6bl4.consensus.ReadConsistency;
import dev.x0tta6bl4.consensus.ReplicatedStore;
import dev.x0tta6bl4.consensus.Versioned;
import dev.x0tta6bl4.observability.HttpRequest;
import dev.x0tta6bl4.observability.HttpResponse;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code GET}, {@code PUT} and {@code DELETE /v1/kv/{key}}: the replicated key-value store.
 *
 * <ul>
 *   <li>GET answers the raw value ({@code application/octet-stream}) with its version as a
 *       strong {@code ETag} ({@code "17"}), or {@code {key, version, value_base64}} when the
 *       client accepts {@code application/json} or asks {@code ?format=json}; {@code
 *       ?consistency=linearizable} (default, read index through the leader) or {@code stale}
 *       (this node's applied state, served without a quorum); 404 {@code not_found}.
 *   <li>PUT stores the raw body (at most {@code consensus.max-value-size}, else 413 {@code
 *       value_too_large}) and answers {@code {key, version}}. {@code If-Match: "<version>"}
 *       makes it a compare-and-set, {@code If-None-Match: *} a create-only; either answers 412
 *       {@code version_mismatch} with {@code current_version} (0 when absent) if it does not hold.
 *   <li>DELETE removes the key ({@code If-Match} too); 404 {@code not_found} when absent.
 * </ul>
 *
 * Keys follow {@link KvKeys}; the frame of each request (readiness, store, deadline, errors,
 * metrics) is {@link StoreCalls}. Runs on event loops and never blocks: Raft answers complete
 * the response from Ratis threads. Stateless.
 */
final class KvHandlers {
  static final String PREFIX = "/v1/kv/";
  static final String OCTET_STREAM = "application/octet-stream";

  private final StoreCalls calls;
  private final int maxValueBytes;

  KvHandlers(StoreCalls calls) {
    this.calls = calls;
    this.maxValueBytes = calls.consensus().enabled() ? calls.consensus().maxValueBytes() : 0;
  }

  CompletionStage<HttpResponse> get(HttpRequest request) {
    return run("kv_get", request, (store, key) -> {
      ReadConsistency consistency = consistency(request);
      boolean json = wantsJson(request);
      return store.get(key, consistency).thenApply(value -> value
          .map(v -> found(key, v, json))
          .orElseGet(() -> ConsensusResponses.notFound(key)));
    });
  }

  CompletionStage<HttpResponse> put(HttpRequest request) {
    boolean conditional = request.header("if-match").isPresent()
        || request.header("if-none-match").isPresent();
    return run(conditional ? "kv_cas" : "kv_put", request, (store, key) -> {
      byte[] value = request.body();
      if (value.length > maxValueBytes) {
        throw new ApiException(413, "value_too_large", "value of " + value.length
            + " bytes exceeds consensus.max-value-size (" + maxValueBytes + " bytes)");
      }
      Optional<Long> expected = precondition(request);
      KvOp op = expected.isPresent()
          ? new KvOp.CompareAndSet(key, expected.get(), value) : new KvOp.Put(key, value);
      return store.single(op).thenApply(r -> written(key, r));
    });
  }

  CompletionStage<HttpResponse> delete(HttpRequest request) {
    return run("kv_delete", request, (store, key) -> {
      if (request.header("if-none-match").isPresent()) {
        throw ApiException.invalidArgument("If-None-Match is not supported on DELETE; use"
            + " If-Match: \"<version>\"");
      }
      long expected = ifMatch(request).orElse(0L);
      return store.single(new KvOp.Delete(key, expected)).thenApply(r -> switch (r.code()) {
        case OK -> ApiResponses.json(200, Map.of("key", key, "deleted", true));
        case NOT_FOUND -> ConsensusResponses.notFound(key);
        case CONFLICT -> ConsensusResponses.versionMismatch(key, r.version());
        default -> unexpected(r);
      });
    });
  }

  /** A request's work once the node is ready, the key valid and the store at hand. */
  private interface Work {
    CompletableFuture<HttpResponse> apply(ReplicatedStore store, String key);
  }

  private CompletionStage<HttpResponse> run(String kind, HttpRequest request, Work work) {
    return calls.call(kind, request, store -> {
      String key = KvKeys.fromPath(request.path(), PREFIX);
      try {
        return work.apply(store, key);
      } catch (IllegalArgumentException e) {
        // The store's own argument checks (KvOp); the key syntax above is stricter, so rare.
        throw ApiException.invalidArgument(e.getMessage());
      }
    });
  }

  private static HttpResponse found(String key, Versioned v, boolean json) {
    String etag = etag(v.version());
    if (json) {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("key", key);
      body.put("version", v.version());
      body.put("value_base64", Base64.getEncoder().encodeToString(v.value()));
      return ApiResponses.json(200, body).withHeader("etag", etag);
    }
    return new HttpResponse(200, OCTET_STREAM, v.value(),
        Map.of("etag", etag, "cache-control", "no-store"));
  }

  private static HttpResponse written(String key, OpResult r) {
    switch (r.code()) {
      case OK: {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("key", key);
        body.put("version", r.version());
        return ApiResponses.json(200, body).withHeader("etag", etag(r.version()));
      }
      case CONFLICT:
        return ConsensusResponses.versionMismatch(key, r.version());
      default:
        return unexpected(r);
    }
  }

  private static HttpResponse unexpected(OpResult r) {
    // STALE_REQUEST or INVALID: nothing changed; the client may retry.
    return HttpResponse.error(503, "unavailable", "the store did not apply the request ("
        + r.code() + "); nothing changed, retry").withHeader("retry-after", "1");
  }

  static String etag(long version) {
    return "\"" + version + "\"";
  }

  private static ReadConsistency consistency(HttpRequest request) {
    String value = request.queryParameter("consistency").orElse("linearizable");
    switch (value) {
      case "linearizable":
        return ReadConsistency.LINEARIZABLE;
      case "stale":
        return ReadConsistency.STALE;
      default:
        throw ApiException.invalidArgument("consistency '" + value + "' is not one of"
            + " linearizable, stale");
    }
  }

  private static boolean wantsJson(HttpRequest request) {
    Optional<String> format = request.queryParameter("format");
    if (format.isPresent()) {
      switch (format.get()) {
        case "json":
          return true;
        case "raw":
          return false;
        default:
          throw ApiException.invalidArgument("format '" + format.get() + "' is not one of json,"
              + " raw");
      }
    }
    return request.header("accept").map(a -> a.toLowerCase(Locale.ROOT)
        .contains("application/json")).orElse(false);
  }

  /**
   * The expected version of a conditional PUT: {@code If-Match: "<version>"}, or 0 for {@code
   * If-None-Match: *}; empty for an unconditional PUT.
   */
  private static Optional<Long> precondition(HttpRequest request) {
    Optional<String> noneMatch = request.header("if-none-match");
    Optional<Long> match = ifMatch(request);
    if (noneMatch.isPresent()) {
      if (match.isPresent()) {
        throw ApiException.invalidArgument("send either If-Match or If-None-Match, not both");
      }
      if (!noneMatch.get().strip().equals("*")) {
        throw ApiException.invalidArgument("If-None-Match must be * (create only if the key"
            + " does not exist), got '" + noneMatch.get() + "'");
      }
      return Optional.of(0L);
    }
    return match;
  }

  /** {@code If-Match: "17"} (quotes optional) as 17. */
  static Optional<Long> ifMatch(HttpRequest request) {
    Optional<String> header = request.header("if-match");
    if (header.isEmpty()) {
      return Optional.empty();
    }
    String text = header.get().strip();
    if (text.equals("*")) {
      throw ApiException.invalidArgument("If-Match: * is not supported; send the version from"
          + " the ETag, e.g. If-Match: \"17\"");
    }
    String digits = text.length() >= 2 && text.startsWith("\"") && text.endsWith("\"")
        ? text.substring(1, text.length() - 1) : text;
    long version;
    try {
      version = digits.isEmpty() || digits.length() > 18 || !digits.chars().allMatch(
          c -> c >= '0' && c <= '9') ? -1 : Long.parseLong(digits);
    } catch (NumberFormatException e) {
      version = -1;
    }
    if (version < 1) {
      throw ApiException.invalidArgument("If-Match must be one version from an ETag, e.g. \"17\""
          + " (versions start at 1; use If-None-Match: * to create only if absent), got '"
          + text + "'");
    }
    return Optional.of(version);
  }
}
