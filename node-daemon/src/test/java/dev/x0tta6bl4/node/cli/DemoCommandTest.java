package dev.x0tta6bl4.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DemoCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int meshd(String... args) {
    return MeshdCli.create(Map.of(), new PrintWriter(out, true), new PrintWriter(err, true))
        .execute(args);
  }

  @Test
  void demo_tooFewNodes_isAUsageErrorNamingTheRange() {
    assertThat(meshd("demo", "--nodes", "3")).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("nodes 3 is out of range; allowed: 4..16");
  }

  @Test
  void demo_badDuration_isAUsageErrorNamingTheOption() {
    assertThat(meshd("demo", "--interval", "soon")).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("--interval 'soon' is not a duration");
  }

  @Test
  void demo_timeLimitTooShort_isAUsageError() {
    assertThat(meshd("demo", "--time-limit", "2s")).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("at least 10s");
  }

  @Test
  void help_listsTheDemo() {
    assertThat(meshd("--help")).isZero();
    assertThat(out.toString()).contains("demo");
  }
}
