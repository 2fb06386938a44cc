package dev.x0tta6bl4.node.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.x0tta6bl4.pqc.SignatureAlgorithm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/** Printing any valid configuration and loading it back gives the same configuration. */
class ConfigRoundTripTest {
  private static final ConfigLoader NO_ENV = ConfigLoader.forEnvironment(Map.of());

  @Property(tries = 300)
  void loadText_ofToYaml_isIdentity(@ForAll("configs") NodeConfig config) {
    String yaml = ConfigLoader.toYaml(config);

    assertThat(NO_ENV.loadText(yaml, "printed.yaml")).as(yaml).isEqualTo(config);
  }

  @Property(tries = 300)
  void configs_generateSeedLists_withIpv6Entries(@ForAll("configs") NodeConfig config) {
    // Guards the generator itself: the round trip above must see non-empty and IPv6 seeds.
    List<HostPort> seeds = config.mesh().seeds();
    Statistics.label("non-empty seeds")
        .collect(!seeds.isEmpty())
        .coverage(c -> c.check(true).percentage(p -> p >= 30));
    Statistics.label("IPv6 seed")
        .collect(seeds.stream().anyMatch(s -> s.host().contains(":")))
        .coverage(c -> c.check(true).percentage(p -> p >= 10));
  }

  @Provide
  Arbitrary<NodeConfig> configs() {
    // Ids that YAML could read as numbers, booleans or null if printed without quotes.
    Arbitrary<String> tricky =
        Arbitraries.of(
            "null", "true", "false", "yes", "no", "on", "off", "y", "n", "123", "1e3", "1.5",
            "0x1f", "0o17", "1_000", "0b101", "nan", "inf", "1.0", "12e-3", "0", "1e-3");
    Arbitrary<String> generated =
        Arbitraries.strings().withChars("abz09._-").ofMinLength(1).ofMaxLength(63)
            .filter(s -> NodeConfig.Node.ID_PATTERN.matcher(s).matches());
    Arbitrary<String> id = Arbitraries.oneOf(tricky, generated).injectNull(0.2);
    Arbitrary<Path> stateDir =
        Arbitraries.of(Path.of("/var/lib/meshd"), Path.of("data dir/x"), Path.of("123"),
                Path.of("null"), Path.of("#x"), Path.of("a: b"))
            .injectNull(0.3);
    Arbitrary<NodeConfig.Node> node =
        Combinators.combine(
                id, stateDir, Arbitraries.longs().between(1_000, 300_000).map(Duration::ofMillis))
            .as(NodeConfig.Node::new);
    Arbitrary<NodeConfig.Metrics> metrics =
        Combinators.combine(
                Arbitraries.of("127.0.0.1", "::1", "::", "localhost", "0.0.0.0"),
                Arbitraries.integers().between(0, 65535),
                Arbitraries.longs().between(1024, 1 << 20))
            .as((h, p, b) -> new NodeConfig.Metrics(new HostPort(h, p), DataSize.ofBytes(b)));
    Arbitrary<Map<String, LogLevel>> levels =
        Arbitraries.maps(
                Arbitraries.of("io.netty", "a", "123", "true", "null", "x:y", "#c", "ä.ö", "[x]"),
                Arbitraries.of(LogLevel.class))
            .ofMaxSize(4);
    Arbitrary<NodeConfig.Logging> logging =
        Combinators.combine(
                Arbitraries.of(LogFormat.class), Arbitraries.of(LogLevel.class), levels)
            .as(NodeConfig.Logging::new);
    Arbitrary<NodeConfig.Identity> identity =
        Combinators.combine(
                Arbitraries.of("meshd.local", "example.org", "a-b_c.d"),
                Arbitraries.of(NodeConfig.IdentitySourceKind.class),
                stateDir,
                stateDir,
                Arbitraries.of(SignatureAlgorithm.class),
                Arbitraries.longs().between(600, 30L * 24 * 3600).map(Duration::ofSeconds),
                Arbitraries.longs().between(1, 3600).map(Duration::ofSeconds))
            .as(NodeConfig.Identity::new);
    // Combinators take at most eight arbitraries: the ninth section joins in a second step.
    Arbitrary<FirstSections> first =
        Combinators.combine(node, metrics, logging, identity, mesh(), tls(), api(), tracing())
            .as(FirstSections::new);
    // Sections are generated independently; the few cross-section rules (heartbeat against the
    // mesh area's windows, disk floors, minimum rate against the API limit) filter.
    return Combinators.combine(first, consensus(), mapek())
        .as((f, consensus, mapek) -> build(f, consensus, mapek))
        .filter(java.util.Objects::nonNull);
  }

  private static NodeConfig build(FirstSections f, NodeConfig.Consensus consensus,
      NodeConfig.Mapek mapek) {
    try {
      return new NodeConfig(f.node(), f.metrics(), f.logging(), f.identity(), f.mesh(), f.tls(),
          f.api(), f.tracing(), consensus, mapek);
    } catch (ConfigException e) {
      return null;
    }
  }

  /** The sections before {@code consensus}. */
  private record FirstSections(
      NodeConfig.Node node,
      NodeConfig.Metrics metrics,
      NodeConfig.Logging logging,
      NodeConfig.Identity identity,
      NodeConfig.Mesh mesh,
      NodeConfig.Tls tls,
      NodeConfig.Api api,
      NodeConfig.Tracing tracing) {}

  private static Arbitrary<NodeConfig.Tracing> tracing() {
    Arbitrary<String> endpoint = Arbitraries.of("http://127.0.0.1:4318/v1/traces",
        "https://[::1]:4318/v1/traces", "http://collector:4318/", "HTTPS://otel.example.org")
        .injectNull(0.3);
    Arbitrary<Map<String, String>> headers = Arbitraries.maps(
            Arbitraries.of("authorization", "x-api-key", "X-Scope-OrgID", "true", "123"),
            Arbitraries.of("Bearer a.b.c", "null", "1.5", "", "k=v, w", "yes"))
        .ofMaxSize(3);
    return Combinators.combine(
            Arbitraries.of(true, false),
            endpoint,
            Arbitraries.of(0.0, 1.0, 0.5, 0.001, 1e-9, 0.3333333333333333),
            headers,
            Arbitraries.longs().between(1, 60).map(Duration::ofSeconds),
            Arbitraries.of("meshd", "null", "true", "1.5", "edge meshd", "#x"))
        .filter((enabled, url, ratio, h, timeout, name) -> !enabled || url != null)
        .as(NodeConfig.Tracing::new);
  }

  private static Arbitrary<NodeConfig.Api> api() {
    return Combinators.combine(
            hostPorts(),
            Arbitraries.longs().between(1024, 16L << 20).map(DataSize::ofBytes),
            Arbitraries.longs().between(1024, 1 << 20).map(DataSize::ofBytes),
            Arbitraries.longs().between(100, 600_000).map(Duration::ofMillis),
            Arbitraries.integers().between(1, 10_000),
            Arbitraries.integers().between(1, 65_536),
            Arbitraries.of(1.0, 10.5, 250.0, 1e7).injectNull(0.5),
            millis(1, 60_000))
        .as(NodeConfig.Api::new);
  }

  /** Consensus sections: 0, 1, 3 or 5 voters with distinct ids and addresses, valid timings. */
  private static Arbitrary<NodeConfig.Consensus> consensus() {
    Arbitrary<List<VoterAddress>> voters = Arbitraries.of(0, 1, 3, 5).flatMap(n ->
        Combinators.combine(
                Arbitraries.of("127.0.0.1", "::1", "fd00::3", "node-1.mesh.example", "true"),
                Arbitraries.integers().between(1, 60_000))
            .as((host, port) -> List.copyOf(java.util.stream.IntStream.range(0, n)
                .mapToObj(i -> new VoterAddress(i == 1 ? "null" : "n" + i,
                    new HostPort(host, port + i)))
                .toList())));
    Arbitrary<Bounds<Duration>> election = Arbitraries.longs().between(50, 10_000).flatMap(min ->
        Arbitraries.longs().between(Math.max(100, min + 1), 30_000)
            .map(max -> new Bounds<>(Duration.ofMillis(min), Duration.ofMillis(max))));
    Arbitrary<RaftLimits> limits = Combinators.combine(
            Arbitraries.longs().between(100, 30_000).map(Duration::ofMillis),
            Arbitraries.longs().between(1, 1_000_000_000L),
            Arbitraries.longs().between(1, 7L * 24 * 3600).map(Duration::ofSeconds),
            Arbitraries.integers().between(2, 100),
            Arbitraries.longs().between(64L << 10, 1L << 30).map(DataSize::ofBytes),
            Arbitraries.longs().between(1, 16L << 20).map(DataSize::ofBytes),
            Arbitraries.longs().between(0, 1L << 40).map(DataSize::ofBytes))
        .as(RaftLimits::new);
    return Combinators.combine(
            Arbitraries.of(true, false), hostPorts().filter(h -> h.port() > 0), voters,
            Arbitraries.of(true, false), election, Arbitraries.of(true, false), limits,
            Arbitraries.of(Path.of("/var/lib/meshd/raft"), Path.of("null")).injectNull(0.5))
        .as((enabled, bind, vs, join, e, fast, l, dir) -> new NodeConfig.Consensus(enabled,
            bind, vs, join && !vs.isEmpty(), e.min(), e.max(), fast, l.request(), l.snapshotThreshold(),
            l.snapshotInterval(), l.snapshotRetention(), l.segment(), l.maxValue(), l.minFree(),
            dir));
  }

  private static Arbitrary<NodeConfig.Mapek> mapek() {
    Arbitrary<Duration> tick = Arbitraries.longs().between(10, 10_000).map(Duration::ofMillis);
    Arbitrary<Duration> window =
        Arbitraries.longs().between(1, 24L * 3600).map(Duration::ofSeconds);
    Arbitrary<int[]> limits = Combinators.combine(
            Arbitraries.integers().between(1, 64), Arbitraries.integers().between(1, 10_000),
            Arbitraries.integers().between(1, 100), Arbitraries.integers().between(1, 1000),
            Arbitraries.integers().between(0, 10_000), Arbitraries.integers().between(1, 1000))
        .as((a, b, c, d, e, f) -> new int[] {a, b, c, d, e, f});
    Arbitrary<NodeConfig.Mapek> loop = Combinators.combine(
            Arbitraries.of(NodeConfig.MapekMode.class), tick, window, limits,
            Arbitraries.longs().between(64L << 10, 1L << 30).map(DataSize::ofBytes),
            Arbitraries.of(Path.of("/var/lib/meshd/mapek"), Path.of("null")).injectNull(0.5))
        .as((mode, t, w, l, segment, dir) -> new NodeConfig.Mapek(mode, t, l[0], l[1], w, l[2],
            l[3], l[4], segment, l[5], dir));
    return Combinators.combine(loop, meshHealing(), raftHealing(), nodeHealing(), loadHealing())
        .as(NodeConfig.Mapek::withAreas);
  }

  private static Arbitrary<Duration> millis(long min, long max) {
    return Arbitraries.longs().between(min, max).map(Duration::ofMillis);
  }

  /** An exit mark strictly below its enter mark, in milliseconds. */
  private static Arbitrary<Bounds<Duration>> marks(long min, long max) {
    return Arbitraries.longs().between(min + 1, max).flatMap(enter ->
        millis(min, enter - 1).map(exit -> new Bounds<>(exit, Duration.ofMillis(enter))));
  }

  /** A ratio pair in hundredths, exit strictly below enter. */
  private static Arbitrary<Bounds<Double>> ratios(int min, int max) {
    return Arbitraries.integers().between(min + 1, max).flatMap(enter ->
        Arbitraries.integers().between(min, enter - 1)
            .map(exit -> new Bounds<>(exit / 100.0, enter / 100.0)));
  }

  /** Detection thresholds of the mesh area. */
  private record MeshDetection(Duration unresponsive, Duration lossWindow, int lossSamples,
      Bounds<Double> loss, Bounds<Duration> rtt, double costFactor) {}

  private static Arbitrary<MeshHealingConfig> meshHealing() {
    Arbitrary<MeshDetection> detection = Combinators.combine(millis(100, 60_000),
            millis(500, 600_000), Arbitraries.integers().between(1, 20), ratios(0, 100),
            marks(1, 60_000), Arbitraries.of(1.1, 2.0, 10.0, 1000.0))
        .as(MeshDetection::new);
    return Combinators.combine(detection, millis(1_000, 86_400_000), millis(100, 3_600_000),
            Arbitraries.integers().between(1, 1000), millis(1_000, 86_400_000),
            millis(1_000, 7 * 86_400_000L), marks(1, 86_400_000).filter(
                m -> m.max().toMillis() >= 10),
            Arbitraries.integers().between(0, 1024))
        .as((d, restore, hold, failures, window, quarantine, skew, replace) ->
            new MeshHealingConfig(d.unresponsive(), d.lossWindow(), d.lossSamples(),
                d.loss().max(), d.loss().min(), d.rtt().max(), d.rtt().min(), d.costFactor(),
                restore, hold, failures, window, quarantine, skew.max(), skew.min(),
                Duration.ofMillis(100L + 1000L * replace), replace));
  }

  private static Arbitrary<RaftHealingConfig> raftHealing() {
    Arbitrary<List<HealingAction>> extra = Arbitraries.of(HealingAction.class)
        .filter(a -> a != HealingAction.TRANSFER_LEADERSHIP && a != HealingAction.REBUILD_RAFT)
        .set().ofMaxSize(4).map(List::copyOf);
    Arbitrary<List<HealingAction>> kinds = extra.map(e -> {
      List<HealingAction> all = new java.util.ArrayList<>(e);
      all.add(Math.min(1, all.size()), HealingAction.REBUILD_RAFT);
      all.add(0, HealingAction.TRANSFER_LEADERSHIP);
      return List.copyOf(all);
    });
    Arbitrary<long[]> counts = Combinators.combine(
            Arbitraries.longs().between(1, 1_000_000_000L),
            Arbitraries.longs().between(1, 1_000_000_000L), Arbitraries.longs().between(1, 100))
        .as((lag, backlog, ticks) -> new long[] {lag, backlog, ticks});
    return Combinators.combine(millis(100, 600_000), counts, millis(1_000, 600_000),
            millis(1_000, 3_600_000), millis(1_000, 3_600_000), millis(0, 86_400_000),
            millis(100, 3_600_000), kinds)
        .as((grace, c, transfer, snapshot, rebuild, cooldown, verify, k) ->
            new RaftHealingConfig(grace, c[0], c[1], (int) c[2], transfer, snapshot, rebuild,
                cooldown, verify, k));
  }

  private static Arbitrary<NodeHealingConfig> nodeHealing() {
    Arbitrary<DataSize> size = Arbitraries.longs().between(0, 1L << 40).map(DataSize::ofBytes);
    Arbitrary<double[]> gc = Combinators.combine(
            Arbitraries.integers().between(1, 100), Arbitraries.integers().between(1, 100))
        .as((pause, ticks) -> new double[] {pause / 100.0, ticks});
    return Combinators.combine(size, size, ratios(10, 100), gc, millis(1_000, 3_600_000),
            millis(60_000, 30 * 86_400_000L), millis(0, 86_400_000), millis(100, 3_600_000))
        .as((free, log, heap, g, window, renew, cooldown, verify) -> new NodeHealingConfig(free,
            log, heap.max(), heap.min(), g[0], window, renew, (int) g[1], cooldown, verify));
  }

  /** The detector's marks of the load area. */
  private record LoadDetection(Duration window, Bounds<Duration> latency, Bounds<Long> inflight,
      int minSamples, int enterTicks, int exitTicks) {}

  private static Arbitrary<LoadHealingConfig> loadHealing() {
    Arbitrary<Bounds<Long>> inflight = Arbitraries.longs().between(1, 10_000_000L).flatMap(high ->
        Arbitraries.longs().between(0, high - 1).map(low -> new Bounds<>(low, high)));
    Arbitrary<LoadDetection> detection = Combinators.combine(millis(100, 60_000),
            marks(1, 60_000), inflight, Arbitraries.integers().between(1, 100_000),
            Arbitraries.integers().between(1, 100), Arbitraries.integers().between(1, 100))
        .as(LoadDetection::new);
    return Combinators.combine(detection, Arbitraries.integers().between(1, 99),
            Arbitraries.of(0.1, 1.0, 10.0, 12.5), Arbitraries.of(1.05, 1.5, 10.0),
            Arbitraries.integers().between(5, 100), millis(100, 3_600_000),
            millis(0, 3_600_000), Combinators.combine(millis(100, 3_600_000),
                millis(100, 3_600_000)).as(Bounds::new))
        .as((d, shed, minRate, step, slack, hold, cooldown, verify) -> new LoadHealingConfig(
            d.window(), d.latency().max(), d.latency().min(), d.inflight().max(),
            d.inflight().min(), d.minSamples(), d.enterTicks(), d.exitTicks(), shed / 100.0,
            minRate, step, slack / 100.0, hold, cooldown, verify.min(), verify.max()));
  }

  /** Timeouts, snapshot settings and sizes of a consensus section. */
  private record RaftLimits(
      Duration request,
      long snapshotThreshold,
      Duration snapshotInterval,
      int snapshotRetention,
      DataSize segment,
      DataSize maxValue,
      DataSize minFree) {}

  private static Arbitrary<HostPort> hostPorts() {
    // IPv6 hosts print as "[::1]:7600", which YAML would read as a flow list if unquoted.
    return Combinators.combine(
            Arbitraries.of(
                "127.0.0.1", "::1", "::", "fe80::1:2", "::ffff:10.0.0.1", "localhost",
                "node-1.mesh.example", "0.0.0.0", "yes", "true", "null"),
            Arbitraries.integers().between(0, 65535))
        .as(HostPort::new);
  }

  /** A lower and an upper bound of one setting, with {@code min <= max}. */
  private record Bounds<T>(T min, T max) {}

  /** The sizes and timings of a mesh section (Combinators take at most eight arbitraries). */
  private record Limits(
      DataSize frame,
      DataSize buffer,
      Duration heartbeat,
      Bounds<Duration> backoff,
      Duration hello,
      int peerMetrics) {}

  /** Mesh sections that respect max-neighbours >= min-neighbours and backoff max >= min. */
  private static Arbitrary<NodeConfig.Mesh> mesh() {
    Arbitrary<Bounds<Integer>> neighbours =
        Arbitraries.integers()
            .between(0, 64)
            .flatMap(
                min ->
                    Arbitraries.integers()
                        .between(Math.max(1, min), 1024)
                        .map(max -> new Bounds<>(min, max)));
    Arbitrary<Bounds<Duration>> backoff =
        Arbitraries.longs()
            .between(10, 10_000)
            .flatMap(
                min ->
                    Arbitraries.longs()
                        .between(Math.max(100, min), 600_000)
                        .map(max -> new Bounds<>(Duration.ofMillis(min), Duration.ofMillis(max))));
    Arbitrary<Limits> limits =
        Combinators.combine(
                Arbitraries.longs().between(4L << 10, 64L << 20).map(DataSize::ofBytes),
                Arbitraries.longs().between(64L << 10, 256L << 20).map(DataSize::ofBytes),
                Arbitraries.longs().between(50, 1_000).map(Duration::ofMillis),
                backoff,
                Arbitraries.longs().between(100, 60_000).map(Duration::ofMillis),
                Arbitraries.integers().between(1, 10_000))
            .as(Limits::new);
    return Combinators.combine(
            hostPorts(), hostPorts().injectNull(0.4), hostPorts().list().ofMaxSize(5),
            neighbours, limits)
        .as(
            (bind, advertise, seeds, n, l) ->
                new NodeConfig.Mesh(
                    bind,
                    advertise,
                    seeds,
                    n.min(),
                    n.max(),
                    l.frame(),
                    l.buffer(),
                    l.heartbeat(),
                    l.backoff().min(),
                    l.backoff().max(),
                    l.hello(),
                    l.peerMetrics()));
  }

  private static Arbitrary<NodeConfig.Tls> tls() {
    return Combinators.combine(
            Arbitraries.of(NodeConfig.KeyExchange.class),
            Arbitraries.of(true, false),
            Arbitraries.of(true, false))
        .as(NodeConfig.Tls::new);
  }
}
