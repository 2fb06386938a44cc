package dev.x0tta6bl4.node.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/grafana/meshd-dashboard.json parses, its panels are well formed, every query uses only
 * metrics that docs/metrics.md lists or announces, and (when promtool is installed) every query
 * is valid PromQL.
 */
class GrafanaDashboardTest {
  private static final Path DASHBOARD = PromQlNames.deploy("grafana", "meshd-dashboard.json");

  private record Query(String panel, String refId, String expr) {}

  @Test
  void dashboard_panelsAreWellFormed_andCoverMeshHealth() throws IOException {
    JsonNode root = new ObjectMapper().readTree(DASHBOARD.toFile());
    assertThat(root.path("uid").asText()).isEqualTo("meshd-mesh");
    Set<Integer> ids = new HashSet<>();
    List<String> titles = new ArrayList<>();
    for (JsonNode panel : panels(root)) {
      assertThat(ids.add(panel.path("id").asInt())).as("unique id of %s", panel.path("title"))
          .isTrue();
      titles.add(panel.path("title").asText());
      if (!panel.path("type").asText().equals("row")) {
        assertThat(panel.path("targets")).as("queries of %s", panel.path("title")).isNotEmpty();
        assertThat(panel.path("datasource").path("uid").asText()).isEqualTo("${datasource}");
      }
    }
    assertThat(titles).contains("Links up", "Neighbours declared dead", "Heartbeat RTT p50 / p99",
        "Unicast delivered / failed", "Delivery success ratio", "Routes", "Adverts rejected",
        "API requests", "Leader", "Actions by outcome");
    Set<String> used = new TreeSet<>();
    queries(root).forEach(q -> used.addAll(PromQlNames.metricNames(q.expr())));
    assertThat(used).contains("meshd_link_active", "meshd_membership_deaths_total",
        "meshd_link_rtt_seconds_bucket", "meshd_delivery_delivered_total",
        "meshd_delivery_failures_total", "meshd_routing_routes",
        "meshd_routing_adverts_rejected_total", "meshd_http_requests_total");
  }

  @Test
  void dashboard_usesOnlyDocumentedMetrics() throws IOException {
    JsonNode root = new ObjectMapper().readTree(DASHBOARD.toFile());
    Set<String> used = new TreeSet<>();
    queries(root).forEach(q -> used.addAll(PromQlNames.metricNames(q.expr())));
    for (JsonNode variable : root.path("templating").path("list")) {
      used.addAll(PromQlNames.metricNames(variable.path("definition").asText()));
    }
    assertThat(PromQlNames.undocumented(used))
        .as("metrics used in the dashboard but missing from docs/metrics.md").isEmpty();
  }

  @Test
  void dashboard_queriesAreValidPromQl(@TempDir Path dir) throws Exception {
    JsonNode root = new ObjectMapper().readTree(DASHBOARD.toFile());
    StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
    int n = 0;
    for (Query q : queries(root)) {
      String expr = q.expr().replace("$__rate_interval", "1m").replace("$job", ".*")
          .replace("$instance", ".*");
      rules.append("      - record: dashboard:query_").append(n++).append('\n')
          .append("        # ").append(q.panel().replace('\n', ' ')).append(' ')
          .append(q.refId()).append('\n')
          .append("        expr: '").append(expr.replace("'", "''")).append("'\n");
    }
    Files.writeString(dir.resolve("dashboard-queries.yml"), rules);
    PrometheusRulesTest.promtool(dir, "check", "rules", "dashboard-queries.yml");
  }

  private static List<JsonNode> panels(JsonNode root) {
    List<JsonNode> all = new ArrayList<>();
    for (JsonNode panel : root.path("panels")) {
      all.add(panel);
      panel.path("panels").forEach(all::add); // panels of a collapsed row
    }
    return all;
  }

  private static List<Query> queries(JsonNode root) {
    List<Query> queries = new ArrayList<>();
    for (JsonNode panel : panels(root)) {
      for (JsonNode target : panel.path("targets")) {
        queries.add(new Query(panel.path("title").asText(), target.path("refId").asText(),
            target.path("expr").asText()));
      }
    }
    assertThat(queries).isNotEmpty();
    return queries;
  }
}
