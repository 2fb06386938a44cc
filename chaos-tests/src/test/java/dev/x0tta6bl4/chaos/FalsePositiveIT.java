package dev.x0tta6bl4.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.x0tta6bl4.node.EventLoops;
import dev.x0tta6bl4.node.cluster.LocalCluster;
import dev.x0tta6bl4.node.cluster.LocalCluster.Topology;
import io.netty.util.concurrent.EventExecutor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No false deaths on a struggling machine: for 60 s one thread spins on the other core while,
 * every 2 s, one node's event loops are frozen for 300 ms (like a GC pause). The indirect
 * probes and local-pause awareness must keep every neighbour alive.
 */
class FalsePositiveIT {
  private static final Duration RUN = Duration.ofSeconds(60);
  private static final Duration STALL = Duration.ofMillis(300);
  private static final Duration EVERY = Duration.ofSeconds(2);

  @TempDir Path dir;

  @Test
  void saturatedCpuAndRepeated300msStalls_zeroNeighboursDeclaredDead() throws Exception {
    try (LocalCluster cluster = LocalCluster.start(dir, 5, Topology.FULL)) {
      cluster.awaitTopology(Duration.ofSeconds(5));
      cluster.clearDeaths();
      AtomicBoolean running = new AtomicBoolean(true);
      Thread spinner = new Thread(() -> {
        long until = System.nanoTime() + RUN.toNanos() + TimeUnit.SECONDS.toNanos(5);
        while (running.get() && System.nanoTime() < until) {
          Thread.onSpinWait();
        }
      }, "cpu-hog");
      spinner.setDaemon(true);
      spinner.start();
      int stalls = (int) (RUN.toMillis() / EVERY.toMillis());
      CountDownLatch done = new CountDownLatch(stalls);
      AtomicInteger round = new AtomicInteger();
      ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
      try {
        pacer.scheduleAtFixedRate(() -> {
          int i = round.getAndIncrement();
          if (i >= stalls) {
            return;
          }
          LocalCluster.ClusterNode node = cluster.node(i % 5);
          for (EventExecutor loop : node.container().get(EventLoops.class).group()) {
            loop.execute(() -> freeze(STALL));
          }
          done.countDown();
        }, EVERY.toMillis(), EVERY.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(done.await(RUN.toSeconds() + 10, TimeUnit.SECONDS)).isTrue();
        // Let the last stall play out past the detector's whole budget before judging.
        pacer.schedule(() -> { }, 1500, TimeUnit.MILLISECONDS).get();
      } finally {
        running.set(false);
        pacer.shutdownNow();
      }
      System.out.printf("figure: %d stalls of %d ms under a CPU hog over %d s: %d deaths%n",
          stalls, STALL.toMillis(), RUN.toSeconds(), cluster.deaths().size());
      assertThat(cluster.deaths()).isEmpty();
      assertThat(cluster.establishedEdges()).hasSize(10);
    }
  }

  /** Blocks the calling event loop, as a long GC pause or a stuck handler would. */
  private static void freeze(Duration duration) {
    long until = System.nanoTime() + duration.toNanos();
    while (System.nanoTime() < until) {
      Thread.onSpinWait();
    }
  }
}
