package dev.x0tta6bl4.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A short run of the consensus load driver as CI runs it: three voters, both ways of writing,
 * and the read-back of every client's first and last acknowledged key; figures are printed, not
 * judged (the full run's are in docs/benchmarks.md). Also the driver's option errors.
 */
class ConsensusLoadSmokeTest {
  @Test
  void shortRun_bothModes_everyAcknowledgedKeyReadBack() throws Exception {
    ConsensusLoad.Options options =
        ConsensusLoad.Options.parse(new String[] {"--runs", "1", "--duration", "0.5s",
            "--clients", "1,4", "--warm-up", "0.5s"});
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    boolean ok = ConsensusLoad.run(options, new PrintStream(bytes, true, StandardCharsets.UTF_8));

    String report = bytes.toString(StandardCharsets.UTF_8);
    System.out.print(report);
    assertThat(ok).as(report).isTrue();
    assertThat(report).contains("BATCHED clients  4", "NAIVE   clients  4", "missing []",
        "writes/entry", "us/write");
  }

  @Test
  void options_parsedAndBadValuesNamed() {
    ConsensusLoad.Options o = ConsensusLoad.Options.parse(
        new String[] {"--clients", "1, 16", "--duration", "2.5s", "--in-flight-batches", "2",
            "--modes", "naive,batched"});
    assertThat(o.clients()).isEqualTo(List.of(1, 16));
    assertThat(o.modes()).containsExactly(ConsensusLoad.Mode.NAIVE, ConsensusLoad.Mode.BATCHED);
    assertThat(o.duration()).isEqualTo(Duration.ofMillis(2500));
    assertThat(o.inFlightBatches()).isEqualTo(2);

    assertThatThrownBy(() -> ConsensusLoad.Options.parse(new String[] {"--runs", "0"}))
        .hasMessage("--runs 0 is invalid; expected at least 1");
    assertThatThrownBy(() -> ConsensusLoad.Options.parse(new String[] {"--clients", "x"}))
        .hasMessage("--clients 'x' is not a whole number");
    assertThatThrownBy(() -> ConsensusLoad.Options.parse(new String[] {"--value"}))
        .hasMessage("--value needs a value");
    assertThatThrownBy(() -> ConsensusLoad.Options.parse(new String[] {"--modes", "lazy"}))
        .hasMessage("--modes 'lazy' is not one of batched, naive");
    assertThatThrownBy(() -> ConsensusLoad.Options.parse(new String[] {"--bogus", "1"}))
        .hasMessageStartingWith("unknown option --bogus");
  }
}
