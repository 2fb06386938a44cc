package dev.x0tta6bl4.node.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.x0tta6bl4.node.cluster.LocalCluster;
import dev.x0tta6bl4.node.cluster.LocalCluster.ClusterNode;
import dev.x0tta6bl4.node.cluster.LocalCluster.Topology;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus server (Debian's {@code prometheus} package; the test is skipped when the
 * binary is not on PATH) on 127.0.0.1 scrapes a three-node cluster every second, and its HTTP
 * API answers for a delivery counter, a link gauge, Raft metrics of the three nodes' group (one
 * leader, a commit index every member reached) and a histogram quantile of the link RTT.
 */
class PrometheusScrapeIT {
  private static final Duration DEADLINE = Duration.ofSeconds(60);
  private static final int MESSAGES = 20;

  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();

  @Test
  void prometheus_scrapesThreeNodes_answersDeliveryLinkAndQuantileQueries(@TempDir Path dir)
      throws Exception {
    Optional<Path> binary = PromQlNames.onPath("prometheus");
    assumeTrue(binary.isPresent(), "prometheus is not on PATH: install Debian's prometheus"
        + " package (apt-get install prometheus; .ci/run does) to run the real scrape test");
    try (LocalCluster cluster = LocalCluster.start(dir.resolve("cluster"), 3, Topology.LINE,
        c -> c, 1L, 3)) { // the three nodes are also the voters of one Raft group
      cluster.awaitTopology(Duration.ofSeconds(10));
      int port = freePort();
      Process prometheus = startPrometheus(binary.get(), dir, port, cluster.nodes());
      try {
        URI api = URI.create("http://127.0.0.1:" + port + "/api/v1/query");
        awaitValue(api, "count(up{job=\"meshd\"} == 1)", v -> v == 3, "3 targets up", prometheus,
            dir);

        ClusterNode first = cluster.node(0);
        LocalCluster.await(() -> hasRoute(first, "n2"), Duration.ofSeconds(10),
            () -> "a route from n0 to n2");
        for (int i = 0; i < MESSAGES; i++) {
          var accepted = first.mesh().send("n2", "scrape", new byte[] {(byte) i}, null)
              .get(5, TimeUnit.SECONDS);
          assertThat(accepted.outcome().get(10, TimeUnit.SECONDS).delivered()).isTrue();
        }

        double delivered = awaitValue(api, "meshd_delivery_delivered_total{node=\"n0\"}",
            v -> v >= MESSAGES, MESSAGES + " deliveries from n0", prometheus, dir);
        double forwarded = awaitValue(api, "meshd_delivery_forwarded_total{node=\"n1\"}",
            v -> v >= MESSAGES, MESSAGES + " messages relayed by n1", prometheus, dir);
        double links = awaitValue(api, "meshd_link_active{node=\"n1\"}", v -> v == 2,
            "n1 with its two links", prometheus, dir);
        long version = cluster.node(0).store().put("scrape", new byte[] {1})
            .get(30, TimeUnit.SECONDS);
        double leaders = awaitValue(api, "sum(meshd_raft_leader{job=\"meshd\"})", v -> v == 1,
            "exactly one Raft leader among the three", prometheus, dir);
        long committed = cluster.nodes().stream()
            .mapToLong(n -> n.store().status().commitIndex()).max().orElseThrow();
        double members = awaitValue(api,
            "count(meshd_raft_commit_index{job=\"meshd\"} >= " + committed + ")", v -> v == 3,
            "every member's commit index at the write's", prometheus, dir);
        double p99 = awaitValue(api,
            "histogram_quantile(0.99, sum by (le) (rate(meshd_link_rtt_seconds_bucket[15s])))",
            v -> v > 0 && Double.isFinite(v), "a p99 heartbeat RTT", prometheus, dir);
        System.out.printf("prometheus saw delivered=%.0f forwarded=%.0f n1 links=%.0f"
            + " raft leaders=%.0f members at commit %d (write version %d)=%.0f"
            + " link RTT p99=%.6f s%n", delivered, forwarded, links, leaders, committed, version,
            members, p99);
        assertThat(p99).isLessThan(5.0); // the histogram's top bucket; loopback is far below
      } finally {
        stop(prometheus);
      }
    }
  }

  private Process startPrometheus(Path binary, Path dir, int port, List<ClusterNode> nodes)
      throws IOException {
    StringBuilder config = new StringBuilder()
        .append("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n")
        .append("  evaluation_interval: 1s\n")
        .append("scrape_configs:\n  - job_name: meshd\n    static_configs:\n");
    for (ClusterNode node : nodes) {
      config.append("      - targets: ['127.0.0.1:").append(node.metricsAddress().getPort())
          .append("']\n        labels: {node: ").append(node.id()).append("}\n");
    }
    Path file = Files.writeString(dir.resolve("prometheus.yml"), config.toString());
    List<String> command = new ArrayList<>(List.of(binary.toString(),
        "--config.file=" + file,
        "--storage.tsdb.path=" + dir.resolve("tsdb"),
        "--web.listen-address=127.0.0.1:" + port,
        "--storage.tsdb.retention.time=1h",
        "--log.level=warn"));
    return new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("prometheus.log").toFile()).start();
  }

  /** Polls an instant query until its single value satisfies {@code done}; returns the value. */
  private double awaitValue(URI api, String query, java.util.function.DoublePredicate done,
      String what, Process prometheus, Path dir) {
    AtomicReference<String> last = new AtomicReference<>("no answer yet");
    AtomicReference<Double> value = new AtomicReference<>();
    try {
      LocalCluster.await(() -> {
        if (!prometheus.isAlive()) {
          throw new AssertionError("prometheus exited with " + prometheus.exitValue() + ": "
              + log(dir));
        }
        Optional<Double> v = query(api, query, last);
        if (v.isPresent() && done.test(v.get())) {
          value.set(v.get());
          return true;
        }
        return false;
      }, DEADLINE, () -> what + " from '" + query + "'; last answer: " + last.get());
    } catch (RuntimeException e) {
      throw new AssertionError(e.getMessage() + "\nprometheus log:\n" + log(dir), e);
    }
    return value.get();
  }

  private Optional<Double> query(URI api, String query, AtomicReference<String> last) {
    try {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(api + "?query="
              + URLEncoder.encode(query, StandardCharsets.UTF_8)))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      last.set(response.statusCode() + " " + response.body());
      if (response.statusCode() != 200) {
        return Optional.empty();
      }
      JsonNode result = json.readTree(response.body()).path("data").path("result");
      if (result.size() != 1) {
        return Optional.empty();
      }
      return Optional.of(Double.parseDouble(result.get(0).path("value").get(1).asText()));
    } catch (IOException e) {
      last.set(e.toString()); // not listening yet
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  private static boolean hasRoute(ClusterNode node, String destination) {
    try {
      return node.mesh().routes().get(5, TimeUnit.SECONDS).stream()
          .anyMatch(r -> r.destination().equals(destination));
    } catch (Exception e) {
      throw new AssertionError("routes of " + node.id(), e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static String log(Path dir) {
    try {
      return Files.readString(dir.resolve("prometheus.log"));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** Stops Prometheus and anything it started, forcibly after 10 s. */
  private static void stop(Process process) throws InterruptedException {
    List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
    tree.add(process.toHandle());
    tree.forEach(ProcessHandle::destroy);
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      tree.forEach(ProcessHandle::destroyForcibly);
      process.waitFor(5, TimeUnit.SECONDS);
    }
  }
}
