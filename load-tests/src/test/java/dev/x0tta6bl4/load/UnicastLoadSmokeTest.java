package dev.x0tta6bl4.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A short run of the unicast load driver on two real nodes (one link) and a line of four (three
 * hops), as CI runs it: it checks correctness only, that every acknowledged message was
 * delivered exactly once and that every send ended with an outcome, and prints the figures
 * without judging them
 * (speed is shown by the {@code load}-tagged full run and recorded in docs/benchmarks.md).
 */
class UnicastLoadSmokeTest {
  @TempDir Path dir;

  @Test
  void oneLink_closedAndOpenLoop_everyAcknowledgedMessageDeliveredOnce() throws Exception {
    check(2);
  }

  @Test
  void lineOfFour_closedAndOpenLoop_everyAcknowledgedMessageDeliveredOnce() throws Exception {
    check(4);
  }

  private void check(int nodes) throws Exception {
    try (MeshLoad load = new MeshLoad(dir, nodes, 256)) {
      MeshLoad.Result max =
          load.maxThroughput(512, Duration.ofMillis(200), Duration.ofMillis(800), 200_000);
      MeshLoad.Result open =
          load.fixedRate(2_000, Duration.ofMillis(200), Duration.ofMillis(800), 200_000);
      System.out.printf("smoke, %d hops: closed loop %,.0f acked msg/s (%.1f us CPU/msg);"
              + " open loop 2,000 msg/s: %s%n", load.hops(), max.ackedPerSecond(),
          max.cpuMicrosPerMessage(), open.latencySummary());
      for (MeshLoad.Result r : new MeshLoad.Result[] {max, open}) {
        // A starved CI machine may time a message out (an explicit failure, which is allowed);
        // what must never happen is an acknowledged message lost or delivered twice.
        assertThat(r.acked()).as("acknowledged messages").isPositive();
        assertThat(r.acked() + r.failed() + r.rejected()).as("every send has an outcome")
            .isEqualTo(r.sent());
        assertThat(r.duplicates()).as("deliveries beyond the first").isZero();
        assertThat(r.ackedNotDelivered()).as("acknowledged but not delivered exactly once")
            .isZero();
        assertThat(r.delivered()).as("deliveries").isGreaterThanOrEqualTo(r.acked());
        assertThat(r.exactlyOnce()).isTrue();
      }
      assertThat(open.sent()).as("open loop sent what was due").isGreaterThan(1_000);
      assertThat(open.latency().getTotalCount()).as("latency samples").isPositive();
    }
  }
}
