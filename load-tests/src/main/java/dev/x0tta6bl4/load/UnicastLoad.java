package dev.x0tta6bl4.load;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Load driver for acknowledged unicast over real meshd nodes on loopback with post-quantum TLS:
 * for one link (2 nodes) and a line of 4 nodes (3 hops) it measures (a) the most acknowledged
 * messages per second with a bounded window of outstanding messages, (b) latency from due time
 * to acknowledgement at fixed rates (half the measured maximum, and a fixed rate) with
 * HdrHistogram, corrected for coordinated omission, and (c) a raw TLS connection carrying the
 * same messages in the same run, so the mesh figure is reported as a ratio too. Each run also
 * checks that every acknowledged message was delivered exactly once.
 *
 * <pre>
 * java -cp load-tests/target/benchmarks.jar dev.x0tta6bl4.load.UnicastLoad \
 *     [--runs 3] [--warmup 2s] [--duration 5s] [--window 1024] [--rate 50000] \
 *     [--nodes 2,4] [--payload 256] [--max-messages 5000000]
 * </pre>
 *
 * <p>Exit status 1 when any run broke exactly-once delivery. Speed is reported, never judged.
 */
public final class UnicastLoad {

  /** What to run; every loop is bounded by {@code duration} and {@code maxMessages}. */
  record Options(int runs, Duration warmup, Duration duration, int window, double fixedRate,
      List<Integer> nodes, int payloadBytes, long maxMessages) {

    static Options defaults() {
      return new Options(3, Duration.ofSeconds(2), Duration.ofSeconds(5), 1024, 50_000,
          List.of(2, 4), 256, 5_000_000);
    }

    static Options parse(String[] args) {
      Options o = defaults();
      for (int i = 0; i < args.length; i++) {
        String name = args[i];
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(name + " needs a value");
        }
        String v = args[++i];
        o = switch (name) {
          case "--runs" -> new Options(LoadArgs.positive(name, v), o.warmup, o.duration,
              o.window, o.fixedRate, o.nodes, o.payloadBytes, o.maxMessages);
          case "--warmup" -> new Options(o.runs, LoadArgs.seconds(v), o.duration, o.window, o.fixedRate,
              o.nodes, o.payloadBytes, o.maxMessages);
          case "--duration" -> new Options(o.runs, o.warmup, LoadArgs.seconds(v), o.window, o.fixedRate,
              o.nodes, o.payloadBytes, o.maxMessages);
          case "--window" -> new Options(o.runs, o.warmup, o.duration,
              LoadArgs.positive(name, v), o.fixedRate, o.nodes, o.payloadBytes,
              o.maxMessages);
          case "--rate" -> new Options(o.runs, o.warmup, o.duration, o.window,
              LoadArgs.positive(name, v), o.nodes, o.payloadBytes, o.maxMessages);
          case "--nodes" -> new Options(o.runs, o.warmup, o.duration, o.window, o.fixedRate,
              Arrays.stream(v.split(",")).map(s -> LoadArgs.positive(name, s))
                  .toList(), o.payloadBytes, o.maxMessages);
          case "--payload" -> new Options(o.runs, o.warmup, o.duration, o.window, o.fixedRate,
              o.nodes, LoadArgs.positive(name, v), o.maxMessages);
          case "--max-messages" -> new Options(o.runs, o.warmup, o.duration, o.window,
              o.fixedRate, o.nodes, o.payloadBytes, LoadArgs.positive(name, v));
          default -> throw new IllegalArgumentException("unknown option " + name
              + "; allowed: --runs --warmup --duration --window --rate --nodes --payload"
              + " --max-messages");
        };
      }
      return o;
    }
  }

  /** One scenario's runs: the raw baseline and the mesh results, per repetition. */
  record ScenarioReport(int nodes, List<RawTlsBaseline.Result> baseline, List<MeshLoad.Result> max,
      List<MeshLoad.Result> half, List<MeshLoad.Result> fixed) {

    boolean exactlyOnce() {
      return Stream.of(max, half, fixed).flatMap(List::stream)
          .allMatch(MeshLoad.Result::exactlyOnce);
    }
  }

  private UnicastLoad() {}

  public static void main(String[] args) throws Exception {
    // Before anything logs: the nodes' INFO lines would drown the report.
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "unicast-load-logback.xml");
    }
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("unicast load: " + e.getMessage());
      System.exit(64);
      return;
    }
    List<ScenarioReport> reports = run(options, System.out);
    boolean ok = reports.stream().allMatch(ScenarioReport::exactlyOnce);
    System.out.println(ok ? "exactly-once: every acknowledged message delivered once"
        : "EXACTLY-ONCE VIOLATED: see the runs above");
    System.exit(ok ? 0 : 1);
  }

  /** Runs every scenario of {@code options}, printing each run and the medians to {@code out}. */
  static List<ScenarioReport> run(Options options, PrintStream out) throws Exception {
    out.printf("unicast load %s: %d cpus, %s%n", Instant.now(),
        Runtime.getRuntime().availableProcessors(), options);
    List<ScenarioReport> reports = new ArrayList<>();
    try (RawTlsBaseline raw = new RawTlsBaseline(options.payloadBytes())) {
      for (int nodes : options.nodes()) {
        reports.add(scenario(options, nodes, raw, out));
      }
    }
    return reports;
  }

  private static ScenarioReport scenario(Options o, int nodes, RawTlsBaseline raw,
      PrintStream out) throws Exception {
    Path dir = Files.createTempDirectory("unicast-load-");
    ScenarioReport report = new ScenarioReport(nodes, new ArrayList<>(), new ArrayList<>(),
        new ArrayList<>(), new ArrayList<>());
    try (MeshLoad load = new MeshLoad(dir, nodes, o.payloadBytes())) {
      String name = nodes + " nodes, " + load.hops() + (load.hops() == 1 ? " hop" : " hops");
      for (int run = 1; run <= o.runs(); run++) {
        RawTlsBaseline.Result baseline = raw.run(o.warmup(), o.duration(), o.maxMessages());
        MeshLoad.Result max = load.maxThroughput(o.window(), o.warmup(), o.duration(),
            o.maxMessages());
        double halfRate = Math.max(1, max.ackedPerSecond() / 2);
        MeshLoad.Result half = load.fixedRate(halfRate, o.warmup(), o.duration(), o.maxMessages());
        MeshLoad.Result fixed = load.fixedRate(o.fixedRate(), o.warmup(), o.duration(),
            o.maxMessages());
        report.baseline().add(baseline);
        report.max().add(max);
        report.half().add(half);
        report.fixed().add(fixed);
        out.printf("%s run %d: raw TLS %,.0f msg/s (%.2f us CPU/msg) | mesh max %,.0f acked"
                + " msg/s (window %d, ratio %.3f; %.2f us CPU/msg, all nodes) %s%n", name, run,
            baseline.perSecond(), baseline.cpuMicrosPerMessage(), max.ackedPerSecond(),
            o.window(), max.ackedPerSecond() / baseline.perSecond(), max.cpuMicrosPerMessage(),
            check(max));
        out.printf("%s run %d: open loop %,.0f msg/s: %s %s%n", name, run, halfRate,
            half.latencySummary(), check(half));
        out.printf("%s run %d: open loop %,.0f msg/s: %s %s%n", name, run, o.fixedRate(),
            fixed.latencySummary(), check(fixed));
      }
      out.printf("%s median of %d: raw TLS %,.0f msg/s (%.2f us CPU/msg); mesh max %,.0f acked"
              + " msg/s (ratio %.3f; %.2f us CPU/msg); at half max p99 %.3f ms; at %,.0f msg/s"
              + " p50 %.3f ms p99 %.3f ms p99.9 %.3f ms%n",
          name, o.runs(),
          median(report.baseline().stream().map(RawTlsBaseline.Result::perSecond).toList()),
          median(report.baseline().stream().map(RawTlsBaseline.Result::cpuMicrosPerMessage)
              .toList()),
          median(report.max().stream().map(MeshLoad.Result::ackedPerSecond).toList()),
          median(ratios(report)),
          median(report.max().stream().map(MeshLoad.Result::cpuMicrosPerMessage).toList()),
          median(report.half().stream().map(r -> r.percentileMillis(99))
              .toList()), o.fixedRate(),
          median(report.fixed().stream().map(r -> r.percentileMillis(50)).toList()),
          median(report.fixed().stream().map(r -> r.percentileMillis(99)).toList()),
          median(report.fixed().stream().map(r -> r.percentileMillis(99.9)).toList()));
    } finally {
      deleteTree(dir);
    }
    return report;
  }

  private static List<Double> ratios(ScenarioReport r) {
    List<Double> ratios = new ArrayList<>();
    for (int i = 0; i < r.max().size(); i++) {
      ratios.add(r.max().get(i).ackedPerSecond() / r.baseline().get(i).perSecond());
    }
    return ratios;
  }

  private static String check(MeshLoad.Result r) {
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put("sent", r.sent());
    counts.put("acked", r.acked());
    counts.put("rejected", r.rejected());
    counts.put("failed", r.failed());
    counts.put("delivered", r.delivered());
    r.nodeCounters().forEach((k, v) -> {
      if (v != 0) {
        counts.put(k, v);
      }
    });
    String verdict = r.exactlyOnce() ? "exactly-once ok"
        : "EXACTLY-ONCE VIOLATED (duplicates " + r.duplicates() + ", acked not delivered once "
            + r.ackedNotDelivered() + ")";
    return "[" + counts + ", " + verdict + "]";
  }

  static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n == 0 ? Double.NaN
        : n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }
}
