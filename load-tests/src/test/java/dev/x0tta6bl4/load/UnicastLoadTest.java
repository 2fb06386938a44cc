package dev.x0tta6bl4.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The full unicast load run (one link and three hops; maximum, half-maximum and fixed-rate
 * scenarios; raw TLS baseline; three repetitions) behind the {@code load} tag:
 * {@code ./mvnw -B verify -Plong -pl load-tests -am -Dtest=UnicastLoadTest
 * -Dsurefire.failIfNoSpecifiedTests=false}. It asserts exactly-once delivery; the figures are
 * printed for docs/benchmarks.md, never asserted, as the machine is shared.
 */
@Tag("load")
class UnicastLoadTest {

  @Test
  void fullRun_everyScenario_everyAcknowledgedMessageDeliveredOnce() throws Exception {
    List<UnicastLoad.ScenarioReport> reports =
        UnicastLoad.run(UnicastLoad.Options.defaults(), System.out);
    assertThat(reports).hasSize(2);
    for (UnicastLoad.ScenarioReport report : reports) {
      assertThat(report.max()).allSatisfy(r -> assertThat(r.acked()).isPositive());
      assertThat(report.exactlyOnce()).as("exactly once, %d nodes", report.nodes()).isTrue();
    }
  }
}
