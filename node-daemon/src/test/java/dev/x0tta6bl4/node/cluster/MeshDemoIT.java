package dev.x0tta6bl4.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.x0tta6bl4.node.cli.MeshdCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code meshd demo} end to end, in-process: 5 real nodes, a cut link and a crashed relay. */
class MeshDemoIT {

  @Test
  void demo_defaults_recoversFromTheCutAndTheCrashAndSaysSo() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();

    long start = System.nanoTime();
    int exit = MeshdCli.create(Map.of(), new PrintWriter(out, true), new PrintWriter(err, true))
        .execute("demo", "--time-limit", "90s");
    long seconds = (System.nanoTime() - start) / 1_000_000_000L;

    System.out.print(out);
    assertThat(exit).as("exit code; output:%n%s%s", out, err).isZero();
    List<String> lines = out.toString().lines().toList();
    assertThat(lines).anyMatch(l -> l.contains("mesh formed: 5 links up"))
        .anyMatch(l -> l.contains("cutting the link n0 - "))
        .anyMatch(l -> l.contains("delivery resumed") && l.contains("after the cut"))
        .anyMatch(l -> l.contains("crashing n") && l.contains("a relay on the path"))
        .anyMatch(l -> l.contains("after the crash"))
        .anyMatch(l -> l.contains("restarted and rejoined"))
        .anyMatch(l -> l.contains("0 delivered twice, 0 acknowledged but lost"))
        // each node's loop ran: its incidents, or that it recorded none
        .anyMatch(l -> l.contains("self-healing on n") || l.contains("self-healing: no incident"));
    assertThat(lines).noneMatch(l -> l.contains("FAILED"));
    assertThat(seconds).as("bounded by its time limit").isLessThan(95);
  }
}
