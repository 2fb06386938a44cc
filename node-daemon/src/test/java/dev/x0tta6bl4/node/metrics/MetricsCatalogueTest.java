package dev.x0tta6bl4.node.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.x0tta6bl4.node.cluster.LocalCluster;
import dev.x0tta6bl4.node.cluster.LocalCluster.ClusterNode;
import dev.x0tta6bl4.node.cluster.LocalCluster.Topology;
import dev.x0tta6bl4.node.config.NodeConfig;
import dev.x0tta6bl4.observability.Tracing;
import io.micrometer.core.instrument.Meter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/metrics.md is what {@link MetricsCatalogue} writes from the scrape of a real node, and
 * every exported family follows the naming and label conventions. The node is the middle one of
 * a three-node line (also a three-voter Raft group) after acknowledged unicast, a broadcast, a
 * replicated write, a scrape, a GC and a neighbour's shutdown, so the meters created on first use
 * exist too; the loop runs in advise mode and tracing is on. Rewrite the document with
 * {@link MetricsCatalogue#REGENERATE}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsCatalogueTest {
  static final Path DOCS = Path.of("..", "docs", "metrics.md");

  /** Label names whose values are bounded, and why. Anything else fails the test. */
  static final Map<String, String> ALLOWED_LABELS =
      Map.ofEntries(
          Map.entry("peer", "neighbour id, capped by mesh.peer-metrics-limit (BoundedTagFilter)"),
          Map.entry("type", "frame type (an enum)"),
          Map.entry("reason", "an enum of reasons, or link close reasons built from enums"),
          Map.entry("state", "link up/down, JVM thread states"),
          Map.entry("outcome", "success/failure and similar fixed sets"),
          Map.entry("kind", "fixed sets such as seed/neighbour; MAPE-K incident kinds (detector"
              + " and correlator constants)"),
          Map.entry("phase", "the five MAPE-K phases"),
          Map.entry("mode", "MAPE-K mode: auto or advise"),
          Map.entry("rule", "MAPE-K guard-rail rules (Plan constants)"),
          Map.entry("component", "MAPE-K component kinds: sensor, detector, policy, ..."),
          Map.entry("group", "TLS named groups the stack supports; Netty event loop group names"),
          Map.entry("result", "fixed result sets"),
          Map.entry("server", "the node's HTTP servers (metrics, api)"),
          Map.entry("route", "registered routes, or 'unmatched'"),
          Map.entry("status", "HTTP status class (2xx ... 5xx)"),
          Map.entry("version", "one value per process"),
          Map.entry("area", "JVM memory area: heap or nonheap"),
          Map.entry("id", "JVM memory and buffer pool names"),
          Map.entry("action", "GC action (end of minor/major GC); MAPE-K action kinds: the"
              + " actuators a node registers"),
          Map.entry("cause", "GC causes named by the JVM"),
          Map.entry("gc", "collector names"),
          Map.entry("name", "Netty event loop threads, one per loop; names of the MAPE-K sensors,"
              + " detectors and policies a node registers"),
          Map.entry("path", "the node's state directory"),
          Map.entry("runtime", "jvm_info: one value per process"),
          Map.entry("vendor", "jvm_info: one value per process"),
          Map.entry("compiler", "the JIT compiler's name: one value per process"),
          Map.entry("side", "client or server: the role of a refused Raft TLS peer"),
          Map.entry("protocol", "TLS protocol versions the node enables (TLSv1.3 only)"),
          Map.entry("cipher", "TLS 1.3 cipher suites the node enables (TlsSettings.CIPHER_SUITES)"));

  /** Library meters outside the base-unit convention, which we keep as the library names them. */
  static final Map<String, String> UNIT_EXCEPTIONS =
      Map.of(
          "jvm_compilation_time_ms_total", "Micrometer's JvmCompilationMetrics counts ms",
          "process_cpu_time_ns_total", "Micrometer's ProcessorMetrics counts ns");

  private static final Set<String> LIBRARY_PREFIXES =
      Set.of("jvm", "process", "system", "disk", "netty");

  private List<MetricFamily> families;
  private Map<String, String> units;
  private String generated;

  @BeforeAll
  void scrapeTheMiddleNodeOfALine(@TempDir Path dir) throws Exception {
    // The three nodes are also the Raft voters, so the meshd.raft.* meters are scraped too.
    // The self-healing loop in advise mode (so a neighbour's shutdown opens an incident without
    // any action) and tracing into memory, so the meshd_mapek_* and meshd_tracing_* meters exist.
    InMemorySpanExporter spans = InMemorySpanExporter.create();
    try (LocalCluster cluster = LocalCluster.start(dir, 3, Topology.LINE,
        c -> c.withMapek(c.mapek().withMode(NodeConfig.MapekMode.ADVISE)), 1L, 3,
        (id, bindings) -> bindings.override(Tracing.class, c -> Tracing.builder()
            .exporter(spans).instanceId(id).scheduleDelay(Duration.ofMillis(20))
            .meterRegistry(c.get(PrometheusMeterRegistry.class)).build()))) {
      cluster.awaitTopology(Duration.ofSeconds(10));
      ClusterNode first = cluster.node(0);
      ClusterNode middle = cluster.node(1);
      LocalCluster.await(() -> routesOf(first).contains("n2"), Duration.ofSeconds(10),
          () -> "a route from n0 to n2");
      for (int i = 0; i < 3; i++) {
        var accepted = first.mesh().send("n2", "catalogue", new byte[] {(byte) i}, null)
            .get(5, TimeUnit.SECONDS);
        assertThat(accepted.outcome().get(10, TimeUnit.SECONDS).delivered()).isTrue();
      }
      first.mesh().broadcast("catalogue", new byte[] {1}, null).get(5, TimeUnit.SECONDS);
      assertThat(middle.store().put("catalogue", new byte[] {1}).get(30, TimeUnit.SECONDS))
          .isPositive();
      PrometheusMeterRegistry registry = middle.container().get(PrometheusMeterRegistry.class);
      scrape(middle); // the HTTP server's request meters exist from the first request on
      System.gc(); // jvm_gc_pause_seconds is registered on the first GC notification
      LocalCluster.await(() -> registry.find("jvm.gc.pause").timer() != null,
          Duration.ofSeconds(10), () -> "a GC notification");
      cluster.node(2).stop();
      LocalCluster.await(() -> !registry.find("meshd.link.down.reasons").counters().isEmpty(),
          Duration.ofSeconds(10), () -> "n1 to count its link to n2 going down");
      LocalCluster.await(() -> registry.find("meshd.link.phi").tag("peer", "n0").gauge() != null,
          Duration.ofSeconds(5), () -> "n1's per-peer meters of its link to n0");
      families = MetricFamily.parse(scrape(middle));
      units = units(registry, families);
    }
    generated = MetricsCatalogue.render(families, units);
  }

  @Test
  void docs_matchTheCatalogueOfARunningNode() throws IOException {
    if (Boolean.getBoolean("meshd.metrics.regenerate")) {
      Files.writeString(DOCS, generated, StandardCharsets.UTF_8);
      System.out.println("rewrote " + DOCS.toAbsolutePath().normalize());
      return;
    }
    String docs = Files.exists(DOCS) ? Files.readString(DOCS, StandardCharsets.UTF_8) : "";
    if (!docs.equals(generated)) {
      Path actual = Path.of("target", "metrics.md.generated");
      Files.writeString(actual, generated, StandardCharsets.UTF_8);
      fail("docs/metrics.md differs from the metrics a node exports (" + firstDifference(docs,
          generated) + "; the whole document is in " + actual + "). Regenerate it with:\n  "
          + MetricsCatalogue.REGENERATE);
    }
  }

  @Test
  void catalogue_countsFamilies() {
    long ours = families.stream().filter(f -> f.name().startsWith("meshd_")).count();
    System.out.printf("metric families: %d total, %d meshd_%n", families.size(), ours);
    assertThat(ours).isGreaterThan(40);
  }

  @Test
  void names_followPrometheusConventions() {
    List<String> problems = new ArrayList<>();
    for (MetricFamily f : families) {
      String name = f.name();
      String prefix = name.split("_")[0];
      if (!name.matches("[a-z][a-z0-9_]*")) {
        problems.add(name + ": not lower_snake_case");
      }
      if (!prefix.equals("meshd") && !LIBRARY_PREFIXES.contains(prefix)) {
        problems.add(name + ": meshd's meters must be named meshd.<area>.<name>");
      }
      if (f.type().equals("counter") != name.endsWith("_total")) {
        problems.add(name + ": counters, and only counters, end in _total (" + f.type() + ")");
      }
      String unit = units.getOrDefault(name, "");
      if (prefix.equals("meshd")) {
        if (!unit.isEmpty() && !unit.equals("seconds") && !unit.equals("bytes")) {
          problems.add(name + ": unit '" + unit + "' is not a base unit (seconds, bytes)");
        }
        if (f.help().isBlank()) {
          problems.add(name + ": no description");
        }
      }
      if (!unit.isEmpty() && !name.matches(".*_" + unit + "(_total|_max)?")) {
        problems.add(name + ": unit " + unit + " is not in the name");
      }
      if (name.matches(".*_(ms|millis|milliseconds|us|micros|ns|nanos|minutes|hours|kb|mb|gb)"
              + "(_total|_max)?") && !UNIT_EXCEPTIONS.containsKey(name)) {
        problems.add(name + ": not in base units (use seconds or bytes)");
      }
    }
    assertThat(problems).as("metric naming problems").isEmpty();
  }

  @Test
  void labels_comeFromBoundedSets() {
    List<String> problems = new ArrayList<>();
    for (MetricFamily f : families) {
      for (String label : f.labels()) {
        if (!ALLOWED_LABELS.containsKey(label)) {
          problems.add(f.name() + " has label '" + label + "': add it to ALLOWED_LABELS only if"
              + " its values are bounded, saying why");
        }
      }
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void upcoming_areNotExportedYet() {
    List<String> now = families.stream().map(MetricFamily::name)
        .filter(MetricsCatalogue.UPCOMING::containsKey).toList();
    assertThat(now).as("exported now: remove them from MetricsCatalogue.UPCOMING").isEmpty();
  }

  @Test
  void linkRtt_isAHistogramWithBuckets() {
    assertThat(families).filteredOn(f -> f.name().equals("meshd_link_rtt_seconds"))
        .singleElement()
        .satisfies(f -> assertThat(f.type()).isEqualTo("histogram"))
        .satisfies(f -> assertThat(f.labels()).containsExactly("peer"));
  }

  private static Set<String> routesOf(ClusterNode node) {
    try {
      Set<String> destinations = new java.util.HashSet<>();
      node.mesh().routes().get(5, TimeUnit.SECONDS).forEach(r -> destinations.add(r.destination()));
      return destinations;
    } catch (Exception e) {
      throw new AssertionError("routes of " + node.id(), e);
    }
  }

  private static String scrape(ClusterNode node) throws IOException, InterruptedException {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + node.metricsAddress().getPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  /** Base unit of each family, from the Micrometer meter behind it. */
  private static Map<String, String> units(
      PrometheusMeterRegistry registry, List<MetricFamily> families) {
    Map<String, String> byMeter = new HashMap<>();
    for (Meter meter : registry.getMeters()) {
      Meter.Id id = meter.getId();
      String name = registry.config().namingConvention()
          .name(id.getName(), id.getType(), id.getBaseUnit());
      String unit = switch (id.getType()) {
        case TIMER, LONG_TASK_TIMER -> "seconds";
        default -> id.getBaseUnit() == null ? "" : id.getBaseUnit();
      };
      byMeter.put(name, unit);
    }
    Map<String, String> units = new HashMap<>();
    for (MetricFamily f : families) {
      String name = f.name();
      for (String candidate : List.of(name, strip(name, "_total"), strip(name, "_max"))) {
        if (byMeter.containsKey(candidate)) {
          units.put(name, byMeter.get(candidate));
          break;
        }
      }
    }
    return units;
  }

  private static String strip(String name, String suffix) {
    return name.endsWith(suffix) ? name.substring(0, name.length() - suffix.length()) : name;
  }

  private static String firstDifference(String docs, String generated) {
    String[] a = docs.split("\n", -1);
    String[] b = generated.split("\n", -1);
    for (int i = 0; i < Math.max(a.length, b.length); i++) {
      String left = i < a.length ? a[i] : "<end of file>";
      String right = i < b.length ? b[i] : "<end of file>";
      if (!left.equals(right)) {
        return "line " + (i + 1) + ": docs have '" + left + "', a node gives '" + right + "'";
      }
    }
    return "no line differs";
  }
}
