package dev.x0tta6bl4.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.x0tta6bl4.mapek.ControlLoop;
import dev.x0tta6bl4.mapek.IncidentView;
import dev.x0tta6bl4.mapek.Mode;
import dev.x0tta6bl4.mapek.TimelineEvent;
import dev.x0tta6bl4.node.api.SendAdmission;
import dev.x0tta6bl4.node.cluster.LocalCluster;
import dev.x0tta6bl4.node.cluster.LocalCluster.Topology;
import dev.x0tta6bl4.node.config.NodeConfig;
import dev.x0tta6bl4.node.heal.HealingComponent;
import dev.x0tta6bl4.node.heal.LoadHealing;
import dev.x0tta6bl4.node.transport.FaultPlan;
import dev.x0tta6bl4.node.transport.FaultPlans;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8's overload scenario on two real nodes (TLS on loopback, the healing loop in auto mode
 * with the default 250 ms tick): n0's local API sends to n1 over a link capped at {@value
 * #LINK_BYTES_PER_SECOND} B/s with a {@value #LINK_QUEUE}-frame queue (a thin uplink; the cap is
 * the fault injector's, on n0's end of the link).
 *
 * <p><b>Capacity</b> is measured first, in the same run (the loop in advise mode meanwhile): the
 * acknowledged send rate of {@value #CALIBRATION_CLIENTS} closed-loop clients, each sending with {@code "wait": true} back to back
 * for 3 s. <b>Overload</b> is an open-loop arrival rate of twice that. <b>Latency bound</b>: sends
 * admitted once the overload incident is resolved keep their round trip (client-observed,
 * admission to acknowledgement) p99 within {@value #LATENCY_BOUND_MS} ms, twice the overload
 * detector's 250 ms high mark. <b>Time to recover</b>: the overload incident's first-seen time to
 * its resolution (the loop verified that the p95 of admission-to-ack latency fell to the low mark
 * after the shed), printed with the time from the start of the injection.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LoadSheddingIT {
  static final long LINK_BYTES_PER_SECOND = 100_000;
  static final int LINK_QUEUE = 64;
  static final int PAYLOAD_BYTES = 400;
  static final int CALIBRATION_CLIENTS = 16;
  static final long LATENCY_BOUND_MS = 500;
  static final int INJECTIONS = 12;

  @TempDir static Path dir;
  private LocalCluster cluster;
  private LoadDriver driver;
  private double capacity;

  @BeforeAll
  void start() {
    cluster = LocalCluster.start(dir, 2, Topology.LINE, c -> c.withMapek(new NodeConfig.Mapek(
        NodeConfig.MapekMode.AUTO, c.mapek().tickInterval(), c.mapek().maxConcurrentActions(),
        1_000, c.mapek().rateWindow(), c.mapek().maxAttempts(), c.mapek().clearTicks(),
        c.mapek().recentIncidents(), c.mapek().journalSegmentSize(),
        c.mapek().journalMaxSegments(), c.mapek().journalDir())), 1L);
    cluster.awaitTopology(Duration.ofSeconds(10));
    cluster.faults().set("n0", "n1", FaultPlans.of(FaultPlan.NONE, FaultPlan.builder()
        .bandwidth(LINK_BYTES_PER_SECOND, 4_000).queueLimit(LINK_QUEUE).build()));
    driver = new LoadDriver(cluster.node(0).apiAddress(), "n1", PAYLOAD_BYTES);
    driver.closedLoop(4, Duration.ofMillis(500)); // warm up connections and JIT
    // Measured with the loop advising only, so no shedding lowers what is measured.
    loop().mode(Mode.ADVISE);
    List<LoadDriver.Result> calibration =
        driver.closedLoop(CALIBRATION_CLIENTS, Duration.ofSeconds(3));
    loop().mode(Mode.AUTO);
    long delivered = calibration.stream().filter(LoadDriver.Result::delivered).count();
    System.out.println("calibration answers: " + calibration.stream().collect(
        java.util.stream.Collectors.groupingBy(r -> r.status() + " " + r.code(),
            java.util.stream.Collectors.counting())));
    capacity = delivered / 3.0;
    long[] rt = roundTrips(calibration, r -> true);
    System.out.printf("figure: capacity %.1f acknowledged sends/s (%d clients closed-loop, 3 s,"
            + " %d-byte payload, link %d B/s); round trip p50 %.0f ms p99 %.0f ms; %d not"
            + " delivered%n", capacity, CALIBRATION_CLIENTS, PAYLOAD_BYTES,
        LINK_BYTES_PER_SECOND, pct(rt, 50) / 1e6, pct(rt, 99) / 1e6,
        calibration.size() - delivered);
    assertThat(capacity).isGreaterThan(50);
    awaitQuiet();
  }

  @AfterAll
  void stop() {
    if (driver != null) {
      driver.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  private ControlLoop loop() {
    return cluster.node(0).container().get(HealingComponent.class).loop().orElseThrow();
  }

  private SendAdmission admission() {
    return cluster.node(0).container().get(SendAdmission.class);
  }

  /** Waits until the admission limit is restored and no load incident is open. */
  private void awaitQuiet() {
    LocalCluster.await(() -> !admission().lowered() && loop().incidents().stream()
            .noneMatch(i -> i.open() && isLoad(i)), Duration.ofSeconds(15),
        () -> "admission restored and no open load incident: limit " + admission().currentLimit()
            + ", " + loop().incidents());
  }

  private static boolean isLoad(IncidentView i) {
    return i.kind().equals("overload") || i.kind().equals("load-shed-active");
  }

  private List<IncidentView> incidentsSince(String kind, Instant since) {
    return loop().incidents().stream().filter(i -> i.kind().equals(kind))
        .filter(i -> !i.firstSeen().isBefore(since))
        .sorted(Comparator.comparingLong(IncidentView::id)).toList();
  }

  /** Runs 2x overload until an overload incident since {@code t0} resolved, plus {@code extra}. */
  private LoadDriver.Run overloadUntilResolved(Instant t0, Duration extra) {
    LoadDriver.Run run = driver.openLoop(2 * capacity, Duration.ofSeconds(12), 5_000);
    LocalCluster.await(() -> incidentsSince("overload", t0).stream()
            .anyMatch(i -> i.resolvedAt() != null), Duration.ofSeconds(10),
        () -> "overload incident resolved: " + incidentsSince("overload", t0));
    long until = System.nanoTime() + extra.toNanos();
    LocalCluster.await(() -> System.nanoTime() >= until, extra.plusSeconds(1), () -> "extra");
    return run;
  }

  // Tagged chaos-full for now: on this shared 2-core machine at load average 10-15 the TLS
  // handshakes, the HTTP client and the tick thread are descheduled for hundreds of ms, and the
  // 3 s recovery target and the client's 2 s connect timeout were missed in some runs (see
  // docs/healing-load.md, "Figures"). Run: ./mvnw -B -o -pl chaos-tests -am verify -Plong
  // -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=LoadSheddingIT
  @Test
  @Order(1)
  @Tag("chaos-full")
  void overloadAtTwiceCapacity_shedsWith429_admittedKeepLatencyBound_restoredWhenLoadDrops() {
    Instant t0 = Instant.now();
    LoadDriver.Run run = overloadUntilResolved(t0, Duration.ofSeconds(2));
    List<LoadDriver.Result> overload = run.await();

    IncidentView incident = incidentsSince("overload", t0).get(0);
    List<TimelineEvent.Type> types =
        incident.timeline().stream().map(TimelineEvent::type).toList();
    System.out.println("overload incident: " + incident.timeline());
    assertThat(types).containsSubsequence(TimelineEvent.Type.DETECTED,
        TimelineEvent.Type.PLANNED, TimelineEvent.Type.ACTION_STARTED,
        TimelineEvent.Type.ACTION_SUCCEEDED, TimelineEvent.Type.VERIFIED,
        TimelineEvent.Type.RESOLVED);
    assertThat(incident.timeline().get(1).detail()).contains(LoadHealing.SHED);
    List<LoadDriver.Result> shed = overload.stream().filter(LoadDriver.Result::shed).toList();
    assertThat(shed).isNotEmpty();
    assertThat(shed).allSatisfy(r -> assertThat(r.retryAfter()).isNotNull());
    long[] after = roundTrips(overload, r -> r.delivered()
        && !r.sentAt().isBefore(incident.resolvedAt()));
    long[] afterMesh = overload.stream().filter(r -> r.delivered()
            && !r.sentAt().isBefore(incident.resolvedAt()))
        .mapToLong(LoadDriver.Result::meshRoundTripNanos).sorted().toArray();
    long[] before = roundTrips(overload, r -> r.delivered()
        && r.sentAt().isBefore(incident.resolvedAt()));
    double ttr = Duration.between(incident.firstSeen(), incident.resolvedAt()).toMillis();
    System.out.printf("figure: 2x overload (%.0f/s offered): %d answered, %d shed (429"
            + " overloaded), %d delivered, %d other, %d skipped by the driver; time to recover"
            + " %.0f ms (injection start to resolved %d ms); limit %.1f/s; delivered before"
            + " recovery p99 %.0f ms, after: client-observed p50 %.0f ms p99 %.0f ms, node send"
            + " to ack p50 %.0f ms p99 %.0f ms (bound %d ms, %d sends)%n",
        2 * capacity, overload.size(), shed.size(),
        overload.stream().filter(LoadDriver.Result::delivered).count(),
        overload.stream().filter(r -> !r.delivered() && !r.shed()).count(), run.skipped(), ttr,
        Duration.between(t0, incident.resolvedAt()).toMillis(), admission().currentLimit(),
        pct(before, 99) / 1e6, pct(after, 50) / 1e6, pct(after, 99) / 1e6,
        pct(afterMesh, 50) / 1e6, pct(afterMesh, 99) / 1e6, LATENCY_BOUND_MS, after.length);
    assertThat(after.length).isGreaterThan(20);
    // The bound is on what the node controls once it admitted a send: send to acknowledgement as
    // the node reports it in the answer. The client-observed figure (printed) adds the time the
    // request spent in this JVM's HTTP client and the node's HTTP layer before admission.
    assertThat(pct(afterMesh, 99)).isLessThanOrEqualTo(LATENCY_BOUND_MS * 1_000_000);
    assertThat(overload.stream().filter(r -> r.status() >= 500 || r.status() < 0)).isEmpty();

    // The load drops to a quarter of capacity: admission is restored and nothing is shed.
    Instant drop = Instant.now();
    LoadDriver.Run low = driver.openLoop(capacity / 4, Duration.ofSeconds(4), 1_000);
    LocalCluster.await(() -> !admission().lowered(), Duration.ofSeconds(8),
        () -> "admission restored after the load dropped: " + admission().currentLimit());
    long restoredMs = Duration.between(drop, Instant.now()).toMillis();
    List<LoadDriver.Result> quiet = low.await();
    System.out.printf("figure: load dropped to %.0f/s: admission restored after %d ms; %d sends,"
        + " %d shed, %d delivered%n", capacity / 4, restoredMs, quiet.size(),
        quiet.stream().filter(LoadDriver.Result::shed).count(),
        quiet.stream().filter(LoadDriver.Result::delivered).count());
    assertThat(quiet).noneMatch(LoadDriver.Result::shed);
    assertThat(quiet.stream().filter(LoadDriver.Result::delivered).count())
        .isEqualTo(quiet.size());
    // The step that restored the limit is verified at a later tick than the limit changed.
    LocalCluster.await(() -> incidentsSince("load-shed-active", t0).stream()
            .allMatch(i -> i.resolvedAt() != null), Duration.ofSeconds(5),
        () -> "restore incidents resolved: " + incidentsSince("load-shed-active", t0));
    List<IncidentView> restores = incidentsSince("load-shed-active", t0);
    IncidentView restore = restores.get(restores.size() - 1);
    assertThat(restore.timeline().stream().map(TimelineEvent::type))
        .contains(TimelineEvent.Type.ACTION_SUCCEEDED, TimelineEvent.Type.VERIFIED,
            TimelineEvent.Type.RESOLVED);
    awaitQuiet();
  }

  @Test
  @Order(2)
  @Tag("chaos-full")
  void repeatedOverloadInjections_seeded_p95TimeToRecoverUnderThreeSeconds() {
    repeatedInjections(INJECTIONS);
  }

  @Test
  @Order(3)
  @Tag("chaos-full")
  void repeatedOverloadInjections_long() {
    repeatedInjections(40);
  }

  private void repeatedInjections(int injections) {
    long seed = Long.getLong("chaos.seed", System.nanoTime());
    System.out.println("seed: " + seed + " (rerun with -Dchaos.seed=" + seed + ")");
    Random random = new Random(seed);
    List<Long> ttrs = new ArrayList<>();
    Set<String> checkedStarts = new HashSet<>();
    for (int i = 0; i < injections; i++) {
      double factor = 1.8 + 0.4 * random.nextDouble(); // about twice capacity
      Duration extra = Duration.ofMillis(100 + random.nextInt(400));
      Instant t0 = Instant.now();
      LoadDriver.Run run = driver.openLoop(factor * capacity, Duration.ofSeconds(12), 5_000);
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      // Poll, and check the invariant at every action start the loop reports.
      while (incidentsSince("overload", t0).stream().noneMatch(x -> x.resolvedAt() != null)) {
        checkActionStarts(checkedStarts);
        assertThat(System.nanoTime()).as("injection %d resolved within 10 s: %s", i,
            incidentsSince("overload", t0)).isLessThan(deadline);
        pause(20);
      }
      pause(extra.toMillis());
      run.await();
      checkActionStarts(checkedStarts);
      IncidentView incident = incidentsSince("overload", t0).get(0);
      long ttr = Duration.between(incident.firstSeen(), incident.resolvedAt()).toMillis();
      ttrs.add(ttr);
      System.out.printf("figure: injection %d: %.2fx capacity, time to recover %d ms (from"
              + " injection start %d ms), resolution: %s%n", i, factor, ttr,
          Duration.between(t0, incident.resolvedAt()).toMillis(), incident.resolution());
      awaitQuiet();
      checkActionStarts(checkedStarts);
    }
    long[] sorted = ttrs.stream().mapToLong(Long::longValue).sorted().toArray();
    System.out.printf("figure: %d overload injections (seed %d): time to recover p50 %d ms,"
            + " p95 %d ms, max %d ms; %d action starts checked%n", injections, seed,
        pct(sorted, 50), pct(sorted, 95), sorted[sorted.length - 1], checkedStarts.size());
    assertThat(pct(sorted, 95)).isLessThan(3_000);
    assertThat(checkedStarts).isNotEmpty();
  }

  /**
   * The invariant, against ground truth at each new action start: nothing removes the link
   * (load actions, or the mesh re-costing a link that queueing made slow), the node keeps its
   * link (never isolated; no Raft group to cost), and the limit never falls below the floor.
   */
  private void checkActionStarts(Set<String> checked) {
    for (IncidentView i : loop().incidents()) {
      for (TimelineEvent e : i.timeline()) {
        if (e.type() == TimelineEvent.Type.ACTION_STARTED
            && checked.add(i.id() + "@" + e.at())) {
          assertThat(e.detail())
              .matches("((shed-load|restore-load)/local|(raise|restore)-link-cost/n\\d) .*");
          assertThat(cluster.establishedEdges()).as("links at %s", e).hasSize(1);
          assertThat(admission().currentLimit()).isGreaterThanOrEqualTo(10);
        }
      }
    }
  }

  @Test
  @Order(4)
  void adviseMode_overloadProducesPlansAndNo429() {
    loop().mode(Mode.ADVISE);
    try {
      Instant t0 = Instant.now();
      // Twice what the link can carry at most (payload bytes alone), or twice the measured
      // capacity if higher: a calibration slowed by a busy CPU must not leave this below the
      // link's real capacity, where nothing is overloaded and nothing is advised.
      double offered = 2 * Math.max(capacity, (double) LINK_BYTES_PER_SECOND / PAYLOAD_BYTES);
      LoadDriver.Run run = driver.openLoop(offered, Duration.ofSeconds(4), 5_000);
      LocalCluster.await(() -> incidentsSince("overload", t0).stream().anyMatch(i -> i.timeline()
              .stream().anyMatch(e -> e.type() == TimelineEvent.Type.ADVISED)),
          Duration.ofSeconds(6), () -> "advised: " + incidentsSince("overload", t0));
      List<LoadDriver.Result> results = run.await();
      IncidentView incident = incidentsSince("overload", t0).get(0);
      System.out.println("advise-mode incident: " + incident.timeline());
      assertThat(incident.timeline().stream().filter(e -> e.type() == TimelineEvent.Type.ADVISED)
          .findFirst().orElseThrow().detail()).contains(LoadHealing.SHED);
      assertThat(incident.timeline()).noneMatch(e -> e.type() == TimelineEvent.Type.ACTION_STARTED);
      assertThat(results).noneMatch(LoadDriver.Result::shed);
      assertThat(admission().lowered()).isFalse();
      System.out.printf("figure: advise mode, %.0f/s offered: %d sends, 0 shed, limit %s%n",
          offered, results.size(), admission().currentLimit());
    } finally {
      loop().mode(Mode.AUTO);
    }
  }

  private static long[] roundTrips(List<LoadDriver.Result> results,
      Predicate<LoadDriver.Result> filter) {
    return results.stream().filter(filter).mapToLong(LoadDriver.Result::roundTripNanos).sorted()
        .toArray();
  }

  private static long pct(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    return sorted[Math.max(0, (int) Math.ceil(sorted.length * p / 100) - 1)];
  }

  /** A pacing pause of the test's own loop (not a wait for a condition). */
  private static void pause(long millis) {
    long until = System.nanoTime() + millis * 1_000_000;
    LocalCluster.await(() -> System.nanoTime() >= until, Duration.ofMillis(millis + 1_000),
        () -> "pause");
  }
}
