package dev.x0tta6bl4.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.x0tta6bl4.consensus.ConsensusStatus;
import dev.x0tta6bl4.consensus.ReplicatedStore;
import dev.x0tta6bl4.consensus.SupervisorStatus;
import dev.x0tta6bl4.consensus.Voter;
import dev.x0tta6bl4.node.config.ConfigException;
import dev.x0tta6bl4.node.config.HostPort;
import dev.x0tta6bl4.node.config.NodeConfig;
import dev.x0tta6bl4.observability.HttpRequest;
import dev.x0tta6bl4.observability.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The Raft group seen from this node and its administration:
 *
 * <ul>
 *   <li>{@code GET /v1/cluster}: role, leader, term, commit and applied index, voters, follower
 *       lag (on the leader), newest snapshot, server state and the last log failure, and, for a
 *       supervised store, the supervisor's health, free disk and rebuilds;
 *   <li>{@code POST /v1/cluster/snapshot}: a snapshot now, answered with its log index;
 *   <li>{@code POST /v1/cluster/voters} {@code {"id": ..., "address": "host:port"}}: adds one
 *       voter (the node must already run with {@code consensus.join: true}); 409 {@code
 *       voter_exists} when it is one;
 *   <li>{@code DELETE /v1/cluster/voters/{id}}: removes one voter (the leader too); 404 {@code
 *       unknown_voter}, 409 {@code last_voter}.
 * </ul>
 *
 * Membership changes go one voter at a time through the leader. The frame of each request
 * (readiness, store, deadline, errors, metrics) is {@link StoreCalls}. Runs on event loops and
 * never blocks. Stateless.
 */
final class ClusterHandlers {
  static final String VOTERS = "/v1/cluster/voters";
  static final String VOTER_PREFIX = VOTERS + "/";

  private final StoreCalls calls;

  ClusterHandlers(StoreCalls calls) {
    this.calls = calls;
  }

  CompletionStage<HttpResponse> status(HttpRequest request) {
    return run("cluster_status", request, store -> {
      Map<String, Object> body = statusBody(store);
      calls.consensus().supervision().ifPresent(s -> body.put("supervisor", supervisorBody(s)));
      return CompletableFuture.completedFuture(ApiResponses.json(200, body));
    });
  }

  CompletionStage<HttpResponse> snapshot(HttpRequest request) {
    return run("cluster_snapshot", request, store -> store.snapshot().thenApply(index ->
        ApiResponses.json(200, Map.of("index", index))));
  }

  CompletionStage<HttpResponse> addVoter(HttpRequest request) {
    return run("cluster_add_voter", request, store -> {
      Voter voter = parseVoter(request.body());
      if (store.voters().stream().anyMatch(v -> v.id().equals(voter.id()))) {
        throw new ApiException(409, "voter_exists", "'" + voter.id() + "' is already a voter");
      }
      return store.addVoter(voter).thenApply(done -> voters(store));
    });
  }

  CompletionStage<HttpResponse> removeVoter(HttpRequest request) {
    return run("cluster_remove_voter", request, store -> {
      String id = request.path().substring(VOTER_PREFIX.length());
      List<Voter> voters = store.voters();
      if (voters.stream().noneMatch(v -> v.id().equals(id))) {
        throw new ApiException(404, "unknown_voter", "'" + id + "' is not a voter; voters: "
            + voters.stream().map(Voter::id).toList());
      }
      if (voters.size() == 1) {
        throw new ApiException(409, "last_voter", "'" + id + "' is the only voter; a group"
            + " cannot remove its last voter");
      }
      return store.removeVoter(id).thenApply(done -> voters(store));
    });
  }

  private CompletionStage<HttpResponse> run(String kind, HttpRequest request,
      StoreCalls.Work work) {
    return calls.call(kind, request, work);
  }

  private static Map<String, Object> statusBody(ReplicatedStore store) {
    ConsensusStatus s = store.status();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("node_id", s.nodeId());
    body.put("role", s.role().name().toLowerCase(Locale.ROOT));
    body.put("leader", s.leaderId().orElse(null));
    body.put("term", s.term());
    body.put("commit_index", s.commitIndex());
    body.put("applied_index", s.appliedIndex());
    body.put("voters", voterList(store, s.leaderId().orElse(null)));
    List<Map<String, Object>> followers = new ArrayList<>();
    for (ConsensusStatus.FollowerLag f : s.followers()) {
      Map<String, Object> follower = new LinkedHashMap<>();
      follower.put("id", f.peerId());
      follower.put("commit_index", f.commitIndex());
      follower.put("lag", f.lag());
      followers.add(follower);
    }
    body.put("followers", followers);
    if (s.lastSnapshotIndex() >= 0) {
      Map<String, Object> snapshot = new LinkedHashMap<>();
      snapshot.put("index", s.lastSnapshotIndex());
      snapshot.put("age_ms", s.lastSnapshotAge().map(Duration::toMillis).orElse(null));
      body.put("last_snapshot", snapshot);
    } else {
      body.put("last_snapshot", null);
    }
    body.put("server_state", s.serverState());
    body.put("log_failure", s.logFailure().orElse(null));
    return body;
  }

  private static Map<String, Object> supervisorBody(SupervisorStatus s) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("health", s.health().name().toLowerCase(Locale.ROOT));
    body.put("writes_refused", s.writesRefused());
    body.put("disk_free_bytes", s.diskFreeBytes().isPresent() ? s.diskFreeBytes().getAsLong()
        : null);
    body.put("min_free_bytes", s.minFreeBytes());
    body.put("rebuilds", s.rebuilds());
    body.put("last_rebuild", s.lastRebuild().map(r -> {
      Map<String, Object> rebuild = new LinkedHashMap<>();
      rebuild.put("at", r.at().toString());
      rebuild.put("reason", r.reason());
      rebuild.put("took_ms", r.tookMillis());
      return rebuild;
    }).orElse(null));
    body.put("last_error", s.lastError().orElse(null));
    return body;
  }

  private static HttpResponse voters(ReplicatedStore store) {
    return ApiResponses.json(200, Map.of("voters", voterList(store, null)));
  }

  private static List<Map<String, Object>> voterList(ReplicatedStore store, String leader) {
    List<Map<String, Object>> list = new ArrayList<>();
    for (Voter v : store.voters()) {
      Map<String, Object> voter = new LinkedHashMap<>();
      voter.put("id", v.id());
      voter.put("address", v.address());
      if (leader != null) {
        voter.put("leader", v.id().equals(leader));
      }
      list.add(voter);
    }
    return list;
  }

  /** {@code {"id": "n4", "address": "10.0.0.4:7601"}}, strictly. */
  static Voter parseVoter(byte[] body) {
    JsonNode root = SendRequest.readObject(body);
    for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!name.equals("id") && !name.equals("address")) {
        throw ApiException.invalidArgument("unknown field '" + name + "'; allowed: id, address");
      }
    }
    String id = requiredText(root, "id", "a node id");
    if (!NodeConfig.Node.ID_PATTERN.matcher(id).matches()) {
      throw ApiException.invalidArgument("id '" + id + "' is not a node id; allowed: "
          + NodeConfig.Node.ID_ALLOWED);
    }
    String address = requiredText(root, "address", "the voter's Raft host:port");
    HostPort hostPort;
    try {
      hostPort = HostPort.parse(address);
    } catch (ConfigException e) {
      throw ApiException.invalidArgument("address: " + e.getMessage());
    }
    if (hostPort.port() == 0) {
      throw ApiException.invalidArgument("address '" + address + "' has port 0; the voter's"
          + " Raft port is needed (1..65535)");
    }
    return new Voter(id, hostPort.host(), hostPort.port());
  }

  private static String requiredText(JsonNode root, String field, String what) {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      throw ApiException.invalidArgument("field '" + field + "' is required: " + what);
    }
    if (!node.isTextual()) {
      throw ApiException.invalidArgument("field '" + field + "' must be a string: " + what);
    }
    return node.asText();
  }
}
