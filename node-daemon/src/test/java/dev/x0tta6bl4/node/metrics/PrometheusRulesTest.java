package dev.x0tta6bl4.node.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * deploy/prometheus: promtool accepts the configuration and the rules and their unit tests pass
 * (when Debian's {@code prometheus} package is installed; skipped otherwise), and every metric
 * the rules use is in docs/metrics.md, exported or announced as upcoming.
 */
class PrometheusRulesTest {
  private static final Path DIR = PromQlNames.deploy("prometheus");

  @Test
  void alerts_useOnlyDocumentedMetrics() throws IOException {
    Set<String> used = new TreeSet<>();
    List<String> alerts = new ArrayList<>();
    JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(DIR.resolve("alerts.yml").toFile());
    for (JsonNode group : root.get("groups")) {
      for (JsonNode rule : group.get("rules")) {
        alerts.add(rule.get("alert").asText());
        used.addAll(PromQlNames.metricNames(rule.get("expr").asText()));
      }
    }
    assertThat(alerts).contains("MeshdNodeDown", "MeshdLinkFlapping", "MeshdDeliveryFailures",
        "MeshdRoutingAdvertsRejected", "MeshdTlsHandshakeFailures", "MeshdCertificateExpiresSoon",
        "MeshdDiskPressure", "MeshdRaftNoLeader", "MeshdRaftSnapshotTooOld",
        "MeshdMapekActionsFailing");
    assertThat(used).contains("meshd_delivery_failures_total", "meshd_raft_leader");
    assertThat(PromQlNames.undocumented(used))
        .as("metrics used in alerts.yml but missing from docs/metrics.md").isEmpty();
  }

  @Test
  void promtool_checkConfig() throws Exception {
    promtool(DIR, "check", "config", "prometheus.yml");
  }

  @Test
  void promtool_checkRules() throws Exception {
    promtool(DIR, "check", "rules", "alerts.yml");
  }

  @Test
  void promtool_testRules() throws Exception {
    promtool(DIR, "test", "rules", "alerts-test.yml");
  }

  /** Runs promtool in {@code dir} and expects exit 0; skips the test when it is not installed. */
  static void promtool(Path dir, String... args) throws Exception {
    Optional<Path> promtool = PromQlNames.onPath("promtool");
    assumeTrue(promtool.isPresent(), "promtool is not on PATH: install Debian's prometheus"
        + " package (apt-get install prometheus; .ci/run does) to check deploy/prometheus");
    List<String> command = new ArrayList<>();
    command.add(promtool.get().toString());
    command.addAll(List.of(args));
    Path log = Files.createTempFile("promtool", ".log");
    Process process = new ProcessBuilder(command).directory(dir.toFile())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    boolean exited = process.waitFor(60, TimeUnit.SECONDS);
    if (!exited) {
      process.destroyForcibly();
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    Files.delete(log);
    assertThat(exited).as("promtool %s finished within 60 s", String.join(" ", args)).isTrue();
    assertThat(process.exitValue()).as("promtool %s said:%n%s", String.join(" ", args), output)
        .isZero();
  }
}
