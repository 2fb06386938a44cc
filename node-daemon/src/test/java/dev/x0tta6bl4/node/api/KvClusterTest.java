package dev.x0tta6bl4.node.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.x0tta6bl4.node.cluster.LocalCluster;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three real nodes whose {@code consensus.voters} name each other form one Raft group from their
 * configuration alone; a value written through one node's local API is read through another's.
 * A fourth node started with {@code consensus.join} is added through the API, catches up, and is
 * removed again.
 */
class KvClusterTest {
  private static final Duration CONVERGE = Duration.ofSeconds(30);

  @TempDir Path dir;

  @Test
  void threeVotersFromConfig_putOnOneNode_readOnTheOthers_joinerAddedAndRemoved()
      throws Exception {
    try (LocalCluster cluster = LocalCluster.start(dir, 4, LocalCluster.Topology.FULL, c -> c,
        1L, 3)) {
      ApiTestClient n0 = new ApiTestClient(cluster.node(0).apiAddress());
      ApiTestClient n1 = new ApiTestClient(cluster.node(1).apiAddress());
      ApiTestClient n2 = new ApiTestClient(cluster.node(2).apiAddress());
      LocalCluster.await(() -> leaderSeenBy(n0) != null, CONVERGE, () -> "a Raft leader");

      HttpResponse<byte[]> put = n0.exchange("PUT", "/v1/kv/shared/config",
          "written on n0".getBytes(StandardCharsets.UTF_8));
      assertThat(put.statusCode()).as(new String(put.body(), StandardCharsets.UTF_8))
          .isEqualTo(200);
      String etag = put.headers().firstValue("etag").orElseThrow();

      HttpResponse<byte[]> linearizable = n2.exchange("GET", "/v1/kv/shared/config",
          new byte[0]);
      assertThat(linearizable.statusCode()).isEqualTo(200);
      assertThat(new String(linearizable.body(), StandardCharsets.UTF_8))
          .isEqualTo("written on n0");
      assertThat(linearizable.headers().firstValue("etag")).hasValue(etag);
      LocalCluster.await(() -> staleValue(n1).equals("written on n0"), CONVERGE,
          () -> "n1 to apply the write locally (stale read)");

      HttpResponse<byte[]> cas = n1.exchange("PUT", "/v1/kv/shared/config",
          "swapped on n1".getBytes(StandardCharsets.UTF_8), "if-match", etag);
      assertThat(cas.statusCode()).isEqualTo(200);
      HttpResponse<byte[]> lost = n2.exchange("PUT", "/v1/kv/shared/config",
          "lost".getBytes(StandardCharsets.UTF_8), "if-match", etag);
      assertThat(lost.statusCode()).as("the first CAS won everywhere").isEqualTo(412);

      // Raft between the nodes runs over mutual TLS 1.3 from their identities.
      for (int i = 0; i < 3; i++) {
        var registry = cluster.node(i).container()
            .get(io.micrometer.prometheusmetrics.PrometheusMeterRegistry.class);
        assertThat(registry.find("meshd.raft.tls.sessions").tag("protocol", "TLSv1.3")
            .counters()).as("TLS 1.3 Raft sessions accepted by n" + i)
            .anySatisfy(c -> assertThat(c.count()).isPositive());
      }

      JsonNode status = json(n0.exchange("GET", "/v1/cluster", new byte[0]));
      assertThat(status.get("voters")).extracting(v -> v.get("id").asText())
          .containsExactly("n0", "n1", "n2");
      JsonNode supervisor = status.get("supervisor");
      assertThat(supervisor.get("health").asText()).isEqualTo("ok");
      assertThat(supervisor.get("writes_refused").asBoolean()).isFalse();
      assertThat(supervisor.get("rebuilds").asLong()).isZero();
      assertThat(supervisor.get("disk_free_bytes").asLong()).isPositive();
      // The leader reports each follower's replication lag (leadership may have moved since).
      java.util.List<ApiTestClient> apis = Arrays.asList(n0, n1, n2);
      LocalCluster.await(() -> apis.stream().anyMatch(a -> followersOf(a) == 2), CONVERGE,
          () -> "a leader reporting both followers' lag: " + cluster(n0));
      String now = leaderSeenBy(apis.stream().filter(a -> followersOf(a) == 2).findFirst()
          .orElseThrow());
      for (ApiTestClient api : apis) {
        LocalCluster.await(() -> now.equals(leaderSeenBy(api)), CONVERGE,
            () -> "every node to name the leader " + now + ": " + cluster(api));
      }

      ApiTestClient n3 = new ApiTestClient(cluster.node(3).apiAddress());
      assertThat(staleValue(n3)).as("the joiner holds nothing before it is added").isEmpty();
      HttpResponse<byte[]> added = n1.exchange("POST", "/v1/cluster/voters",
          ("{\"id\":\"n3\",\"address\":\"" + cluster.node(3).raftAddress() + "\"}")
              .getBytes(StandardCharsets.UTF_8), "content-type", "application/json");
      assertThat(added.statusCode()).as(new String(added.body(), StandardCharsets.UTF_8))
          .isEqualTo(200);
      LocalCluster.await(() -> staleValue(n3).equals("swapped on n1"), CONVERGE,
          () -> "the added voter n3 to catch up: " + cluster(n3));
      LocalCluster.await(() -> voterIds(n3).equals(java.util.List.of("n0", "n1", "n2", "n3")),
          CONVERGE, () -> "n3 to see four voters: " + cluster(n3));

      HttpResponse<byte[]> removed = n2.exchange("DELETE", "/v1/cluster/voters/n3",
          new byte[0]);
      assertThat(removed.statusCode()).as(new String(removed.body(), StandardCharsets.UTF_8))
          .isEqualTo(200);
      LocalCluster.await(() -> voterIds(n0).equals(java.util.List.of("n0", "n1", "n2")),
          CONVERGE, () -> "n0 to see three voters again: " + cluster(n0));
      HttpResponse<byte[]> after = n0.exchange("PUT", "/v1/kv/after-removal", new byte[] {1});
      assertThat(after.statusCode()).as("three voters still commit").isEqualTo(200);
    }
  }

  private static JsonNode json(HttpResponse<byte[]> r) throws IOException {
    return ApiTestClient.json(r.body());
  }

  private static String leaderSeenBy(ApiTestClient api) {
    try {
      JsonNode leader = json(api.exchange("GET", "/v1/cluster", new byte[0])).get("leader");
      return leader == null || leader.isNull() ? null : leader.asText();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String cluster(ApiTestClient api) {
    try {
      return new String(api.exchange("GET", "/v1/cluster", new byte[0]).body(),
          StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static java.util.List<String> voterIds(ApiTestClient api) {
    try {
      JsonNode voters = json(api.exchange("GET", "/v1/cluster", new byte[0])).get("voters");
      java.util.List<String> ids = new java.util.ArrayList<>();
      voters.forEach(v -> ids.add(v.get("id").asText()));
      return ids;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static int followersOf(ApiTestClient api) {
    try {
      return json(api.exchange("GET", "/v1/cluster", new byte[0])).get("followers").size();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String staleValue(ApiTestClient api) {
    try {
      HttpResponse<byte[]> r = api.exchange("GET", "/v1/kv/shared/config?consistency=stale",
          new byte[0]);
      return r.statusCode() == 200 ? new String(r.body(), StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
