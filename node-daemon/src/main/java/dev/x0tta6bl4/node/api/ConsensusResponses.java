package dev.x0tta6bl4.node.api;

import dev.x0tta6bl4.consensus.ConsensusException;
import dev.x0tta6bl4.consensus.ConsensusException.DiskFullException;
import dev.x0tta6bl4.consensus.ConsensusException.NoQuorumException;
import dev.x0tta6bl4.consensus.ConsensusException.NotLeaderException;
import dev.x0tta6bl4.consensus.ConsensusException.StorageFailureException;
import dev.x0tta6bl4.consensus.ConsensusException.ValueTooLargeException;
import dev.x0tta6bl4.consensus.ReplicatedStore;
import dev.x0tta6bl4.consensus.Voter;
import dev.x0tta6bl4.observability.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * The error answers of the KV and cluster endpoints, on top of {@link ApiResponses}. The codes are
 * stable (see {@code docs/api.md}):
 *
 * <ul>
 *   <li>{@link NotLeaderException}: 409 {@code not_leader} with the leader's id and Raft address
 *       in the body ({@code leader}, {@code leader_address}, null when unknown) and the id in the
 *       {@code X-Meshd-Leader} header;
 *   <li>{@link NoQuorumException}, or a {@link TimeoutException} of the API's own wait: 503 {@code
 *       no_quorum} with {@code Retry-After: 1} (the outcome of a write is unknown);
 *   <li>{@link ValueTooLargeException}: 413 {@code value_too_large};
 *   <li>{@link DiskFullException} (the supervisor refuses writes below its free-space floor), or
 *       a {@link StorageFailureException} caused by a full disk: 507 {@code disk_full}; any other
 *       {@link StorageFailureException}: 507 {@code storage_failure};
 *   <li>any other {@link ConsensusException}, or a store that is not running ({@link
 *       IllegalStateException} from the supplier): 503 {@code unavailable};
 *   <li>{@link IllegalArgumentException} from the store (a membership change that raced with
 *       another, such as adding a voter that just became one): 409 {@code membership_conflict};
 *   <li>the rest as {@link ApiResponses#fromFailure}.
 * </ul>
 *
 * Stateless; thread-safe.
 */
final class ConsensusResponses {
  static final String LEADER_HEADER = "x-meshd-leader";

  private ConsensusResponses() {}

  /** 503 {@code consensus_disabled}: this node runs no replicated store. */
  static HttpResponse disabled() {
    return HttpResponse.error(503, "consensus_disabled", "the replicated store is disabled on"
        + " this node (consensus.enabled: false); use a node that runs it");
  }

  /** 412 {@code version_mismatch} with the key's current version (0 when it does not exist). */
  static HttpResponse versionMismatch(String key, long current) {
    return HttpResponse.error(412, "version_mismatch", "key '" + key + "' is at "
            + (current == 0 ? "no version (it does not exist)" : "version " + current),
            Map.of("current_version", current));
  }

  /** 404 {@code not_found} for an absent key. */
  static HttpResponse notFound(String key) {
    return HttpResponse.error(404, "not_found", "key '" + key + "' does not exist");
  }

  /** The stable error code {@link #fromFailure} answers {@code failure} with. */
  static String codeOf(Throwable failure) {
    Throwable cause = ApiResponses.unwrap(failure);
    if (cause instanceof NotLeaderException) {
      return "not_leader";
    }
    if (cause instanceof NoQuorumException || cause instanceof TimeoutException) {
      return "no_quorum";
    }
    if (cause instanceof ValueTooLargeException) {
      return "value_too_large";
    }
    if (cause instanceof DiskFullException) {
      return "disk_full";
    }
    if (cause instanceof StorageFailureException) {
      return outOfSpace(cause) ? "disk_full" : "storage_failure";
    }
    if (cause instanceof ConsensusException || cause instanceof IllegalStateException) {
      return "unavailable";
    }
    if (cause instanceof IllegalArgumentException) {
      return "membership_conflict";
    }
    return ApiResponses.codeOf(cause);
  }

  /**
   * The error response for {@code failure}; {@code store} (may be null) resolves a leader hint to
   * its Raft address.
   */
  static HttpResponse fromFailure(Throwable failure, ReplicatedStore store) {
    Throwable cause = ApiResponses.unwrap(failure);
    String code = codeOf(cause);
    String message = cause.getMessage() == null ? code : cause.getMessage();
    switch (code) {
      case "not_leader": {
        String leader = ((NotLeaderException) cause).leaderHint().orElse(null);
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("leader", leader);
        extra.put("leader_address", leader == null ? null : addressOf(store, leader));
        HttpResponse r = HttpResponse.error(409, code, message, extra);
        return leader == null ? r : r.withHeader(LEADER_HEADER, leader);
      }
      case "no_quorum":
        return HttpResponse.error(503, code, cause instanceof TimeoutException
                ? "no quorum: " + message : message, Map.of("retry_after_ms", 1000))
            .withHeader("retry-after", "1");
      case "value_too_large":
        return HttpResponse.error(413, code, message);
      case "disk_full":
      case "storage_failure":
        return HttpResponse.error(507, code, message);
      case "unavailable":
        return HttpResponse.error(503, code, message).withHeader("retry-after", "1");
      case "membership_conflict":
        return HttpResponse.error(409, code, message);
      default:
        return ApiResponses.fromFailure(cause);
    }
  }

  private static String addressOf(ReplicatedStore store, String id) {
    if (store == null) {
      return null;
    }
    try {
      return store.voters().stream().filter(v -> v.id().equals(id)).findFirst()
          .map(Voter::address).orElse(null);
    } catch (RuntimeException e) {
      return null; // a hint only: the id alone still tells the client where to go
    }
  }

  private static boolean outOfSpace(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      String m = c.getMessage();
      if (m != null && (m.toLowerCase(Locale.ROOT).contains("no space")
          || m.toLowerCase(Locale.ROOT).contains("disk full"))) {
        return true;
      }
      if (c.getCause() == c) {
        break;
      }
    }
    return false;
  }
}
