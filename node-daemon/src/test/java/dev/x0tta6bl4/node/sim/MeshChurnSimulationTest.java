package dev.x0tta6bl4.node.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Link churn on random connected meshes, checked after every quiet period by {@link
 * ChurnScenario}: every connected pair has a loop-free, consistent route, unconnected pairs have
 * none, unicast probes are acknowledged and delivered exactly once, a broadcast reaches its
 * component exactly once, and background traffic sent during the faults never ends in silence or
 * in a duplicate.
 *
 * <p>Round design: a fault window of 1 s in which the round's failures and repairs happen at
 * random instants (30 % of failures are resets seen by both ends, the rest silent cuts that only
 * the failure detectors can notice), then a quiet period of 4 s, then the checks. The first ten
 * rounds have exactly one failure; later rounds draw 20-40 failures (10 in the default run) and
 * repair each down link with probability 1/2, with at most 15 % of links down at once. All links
 * are repaired in a last round.
 *
 * <p>The default run takes 20 seeds of 50 nodes with 30 failures each, and the acceptance
 * itself: 20 seeds of 200 nodes with 1,000 failures and their repairs each, two seeds at a time.
 * A seed costs about 45-50 s of CPU (it was three minutes before the routing core coalesced its
 * shortest-path runs: docs/benchmarks.md), about 8 minutes on two cores for the twenty. Every run
 * prints its seed, its shortest-path runs, CPU time and virtual-to-wall time ratio; replay one
 * seed with {@code -Dmeshd.sim.seed=N}, change the threads with {@code -Dmeshd.sim.threads=N}.
 */
class MeshChurnSimulationTest {
  /** The acceptance: 200 nodes, 1,000 link failures and their repairs. */
  static ChurnScenario.Plan.Builder acceptance() {
    return ChurnScenario.Plan.builder();
  }

  @Test
  void twentySeeds_fiftyNodes_linkChurn_convergesAndDeliversAfterEveryQuietPeriod() {
    ChurnScenario.Plan plan = acceptance().nodes(50).averageDegree(4.5).failures(30)
        .minFailuresPerRound(10).maxFailuresPerRound(10).build();
    List<ChurnScenario.Report> reports = runSeeds(plan, 1_000, 20);
    for (ChurnScenario.Report r : reports) {
      assertThat(r.failures()).as("seed %d", r.seed()).isEqualTo(30);
      assertThat(r.rounds()).as("seed %d", r.seed()).isEqualTo(13);
      assertThat(r.probes()).as("seed %d", r.seed()).isGreaterThan(100);
      assertThat(r.broadcasts()).as("seed %d", r.seed()).isEqualTo(14);
    }
  }

  @Test
  @Tag("chaos-full")
  void twoHundredNodes_linkChurn_shortRun() {
    List<ChurnScenario.Report> reports = runSeeds(acceptance().failures(30).build(), 2_000, 1);
    assertThat(reports.get(0).failures()).isEqualTo(30);
  }

  /** The acceptance: 20 seeds of 200 nodes, 1,000 link failures and their repairs each. */
  @Test
  void acceptance_twoHundredNodes_thousandLinkFailures_twentySeeds() {
    List<ChurnScenario.Report> reports = runSeeds(acceptance().build(), 1, 20, SimSeeds.threads(2));
    for (ChurnScenario.Report r : reports) {
      assertThat(r.failures()).as("seed %d", r.seed()).isEqualTo(1_000);
      assertThat(r.repairs()).as("seed %d", r.seed()).isGreaterThanOrEqualTo(1_000);
      assertThat(r.probes()).as("seed %d", r.seed()).isGreaterThan(10 * r.rounds());
      assertThat(r.broadcasts()).as("seed %d", r.seed()).isEqualTo(r.rounds() + 1);
    }
  }

  @Test
  void seedsOnTwoThreads_sameRunsAsOneAfterTheOther() {
    ChurnScenario.Plan plan = acceptance().nodes(30).averageDegree(4).failures(8)
        .singleFailureRounds(2).minFailuresPerRound(3).maxFailuresPerRound(3).build();
    List<ChurnScenario.Report> serial = runSeeds(plan, 5_000, 2, 1);
    List<ChurnScenario.Report> parallel = runSeeds(plan, 5_000, 2, 2);

    assertThat(parallel).extracting(ChurnScenario.Report::seed)
        .isEqualTo(serial.stream().map(ChurnScenario.Report::seed).toList());
    assertThat(parallel).extracting(ChurnScenario.Report::traceHash)
        .isEqualTo(serial.stream().map(ChurnScenario.Report::traceHash).toList());
    assertThat(parallel).extracting(ChurnScenario.Report::routeComputations)
        .isEqualTo(serial.stream().map(ChurnScenario.Report::routeComputations).toList());
  }

  @Test
  @Tag("chaos-full")
  void acceptance_twoHundredNodes_randomGraph_crashesAndPartitions() {
    ChurnScenario.Plan plan = acceptance().kind(Topology.Kind.RANDOM).crashProbability(0.5)
        .partitionEvery(5).config(SimConfig.defaults().withLoss(0.01, 0.005)).build();
    List<ChurnScenario.Report> reports = runSeeds(plan, 100, 5);
    for (ChurnScenario.Report r : reports) {
      assertThat(r.crashes()).as("seed %d", r.seed()).isPositive();
    }
  }

  /** Runs the seeds one after the other on the calling thread. */
  static List<ChurnScenario.Report> runSeeds(ChurnScenario.Plan plan, long firstSeed, int count) {
    return runSeeds(plan, firstSeed, count, 1);
  }

  /**
   * Runs the seeds on up to {@code threads} threads, each seed wholly on one thread (a run
   * shares nothing with another, so a seed's result and trace do not depend on the threads).
   * Every seed runs even when one fails; then the failure of the lowest failing seed is thrown,
   * with the others attached, after a line naming every failing seed.
   */
  static List<ChurnScenario.Report> runSeeds(
      ChurnScenario.Plan plan, long firstSeed, int count, int threads) {
    List<Long> seeds = SimSeeds.seeds(firstSeed, count);
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(threads, seeds.size())));
    long wallStart = System.nanoTime();
    List<Future<ChurnScenario.Report>> runs = new ArrayList<>();
    try {
      for (long seed : seeds) {
        runs.add(pool.submit(() -> runSeed(plan, seed)));
      }
      List<ChurnScenario.Report> reports = new ArrayList<>();
      List<Long> failed = new ArrayList<>();
      Throwable first = null;
      for (int i = 0; i < runs.size(); i++) {
        try {
          reports.add(runs.get(i).get());
        } catch (ExecutionException e) {
          failed.add(seeds.get(i));
          if (first == null) {
            first = e.getCause();
          } else {
            first.addSuppressed(e.getCause());
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while seeds ran", e);
        }
      }
      if (first != null) {
        System.out.println("failing seeds " + failed + " (rerun one with -D" + SimSeeds.PROPERTY
            + "=N)");
        if (first instanceof Error error) {
          throw error;
        }
        throw new IllegalStateException("seed " + failed.get(0) + " failed", first);
      }
      printTotals(reports, System.nanoTime() - wallStart, threads);
      return reports;
    } finally {
      pool.shutdownNow();
    }
  }

  private static ChurnScenario.Report runSeed(ChurnScenario.Plan plan, long seed) {
    System.out.println("simulation seed=" + seed + " (rerun with -D" + SimSeeds.PROPERTY + "="
        + seed + ")");
    ChurnScenario.Report report = new ChurnScenario(seed, plan).run();
    System.out.println(report);
    return report;
  }

  private static void printTotals(List<ChurnScenario.Report> reports, long wall, int threads) {
    long virtual = 0;
    long cpu = 0;
    long spf = 0;
    for (ChurnScenario.Report r : reports) {
      virtual += r.virtualNanos();
      cpu += r.cpuNanos();
      spf += r.routeComputations();
    }
    System.out.printf(Locale.ROOT,
        "%d seeds on %d threads: virtual %.1f s in wall %.1f s (%.1fx real time), cpu %.1f s"
            + " (%.1fx real time per CPU second), %d shortest-path runs%n",
        reports.size(), threads, virtual / 1e9, wall / 1e9, (double) virtual / Math.max(1, wall),
        cpu / 1e9, (double) virtual / Math.max(1, cpu), spf);
  }
}
