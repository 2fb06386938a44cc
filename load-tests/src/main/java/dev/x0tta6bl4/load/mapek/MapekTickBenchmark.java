package dev.x0tta6bl4.load.mapek;

import dev.x0tta6bl4.mapek.Action;
import dev.x0tta6bl4.mapek.Actuator;
import dev.x0tta6bl4.mapek.Candidate;
import dev.x0tta6bl4.mapek.ControlLoop;
import dev.x0tta6bl4.mapek.ControlLoopBuilder;
import dev.x0tta6bl4.mapek.Detection;
import dev.x0tta6bl4.mapek.Detector;
import dev.x0tta6bl4.mapek.JournalRecord;
import dev.x0tta6bl4.mapek.KnowledgeBase;
import dev.x0tta6bl4.mapek.NeighbourhoodCorrelator;
import dev.x0tta6bl4.mapek.Outcome;
import dev.x0tta6bl4.mapek.Policy;
import dev.x0tta6bl4.mapek.Reading;
import dev.x0tta6bl4.mapek.Sensor;
import dev.x0tta6bl4.mapek.Severity;
import dev.x0tta6bl4.mapek.TickReport;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One MAPE-K tick (Monitor + Analyze + Plan, in advise mode so nothing runs) for a node with 32
 * neighbours: per link RTT, loss and phi, Raft role/lag, heap, GC, CPU and disk readings; three
 * link detectors and two node detectors; the neighbourhood correlator; two policies; knowledge
 * holding 10,000 past outcomes. The incidents persist, so this is the steady state: the planner
 * re-ranks every open incident each tick but reuses its recall votes while neither its features
 * nor knowledge changed (the first tick of an incident pays one HNSW query, measured by
 * {@link IncidentRecallBenchmark}). Goal: p99 under 5 ms per tick. {@code faultyLinks} links are lossy and slow for the whole run (32: every
 * link, which the correlator names as a local-node incident).
 *
 * <p>On a shared, overloaded machine the wall-clock tail is dominated by the thread losing its
 * core in the middle of a tick, so each tick's thread CPU time is also recorded (HdrHistogram) and
 * its percentiles printed at tear-down: that is the loop's own cost, which load does not inflate.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class MapekTickBenchmark {
  private static final int NEIGHBOURS = 32;

  @Param({"0", "4", "32"})
  public int faultyLinks;

  private ControlLoop loop;
  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final Histogram cpu = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
  private final Random random = new Random(11);

  @Setup
  public void setUp() {
    KnowledgeBase knowledge = KnowledgeBase.inMemory(32, 20_000);
    Random seeded = new Random(5);
    String[] kinds = {"link-lossy", "link-slow", "peer-suspect", "local-node-suspect", "raft-lagging"};
    String[] actions = {"raise-cost", "drop-link", "reconnect", "transfer-leadership"};
    for (int i = 0; i < 10_000; i++) {
      float[] v = new float[32];
      for (int d = 0; d < v.length; d++) {
        v[d] = seeded.nextFloat();
      }
      knowledge.record(new JournalRecord.ActionOutcome(i, kinds[i % kinds.length], "p" + (i % 32),
          actions[i % actions.length], "p" + (i % 32),
          seeded.nextInt(3) == 0 ? Outcome.NOT_VERIFIED : Outcome.VERIFIED, Instant.EPOCH, v));
    }
    ControlLoopBuilder b = ControlLoop.builder()
        .clock(Clock.systemUTC())
        .executor(Runnable::run)
        .meterRegistry(new SimpleMeterRegistry())
        .knowledge(knowledge)
        .mode(dev.x0tta6bl4.mapek.Mode.ADVISE)
        .sensor(Sensor.of("links", this::linkReadings))
        .sensor(Sensor.of("node", this::nodeReadings))
        .detector(threshold("link-lossy", "link.loss", 0.2, Severity.WARNING))
        .detector(threshold("link-slow", "link.rtt_ms", 200, Severity.WARNING))
        .detector(threshold("peer-suspect", "link.phi", 8, Severity.CRITICAL))
        .detector(threshold("raft-lagging", "raft.lag", 1_000, Severity.WARNING))
        .detector(threshold("disk-pressure", "disk.free_ratio.inverse", 0.9, Severity.CRITICAL))
        .correlator(new NeighbourhoodCorrelator("self",
            Set.of("link-lossy", "link-slow", "peer-suspect"), 3))
        .policy(Policy.of("links", (d, s) -> List.of(
            new Candidate(Action.of("raise-cost", d.subject()), 60, "steer traffic away"),
            new Candidate(Action.of("drop-link", d.subject()), 40, "reroute"),
            new Candidate(Action.of("reconnect", d.subject()), 30, "new neighbour"))))
        .policy(Policy.of("raft", (d, s) -> d.kind().equals("local-node-suspect")
            ? List.of(new Candidate(Action.of("transfer-leadership", "self"), 70, "degraded node"))
            : List.of()));
    for (String kind : actions) {
      b.actuator(Actuator.of(kind, a -> CompletableFuture.completedFuture(null)));
    }
    b.veto((a, s, inFlight) -> java.util.Optional.empty());
    loop = b.build();
    loop.tick();
  }

  private static Detector threshold(String kind, String metric, double limit, Severity severity) {
    return Detector.of(kind, s -> {
      List<Detection> out = new ArrayList<>();
      s.metric(metric).forEach((subject, v) -> {
        if (v > limit) {
          out.add(Detection.of(kind, subject, severity, metric + "=" + v));
        }
      });
      return out;
    });
  }

  private List<Reading> linkReadings() {
    List<Reading> out = new ArrayList<>(NEIGHBOURS * 3);
    for (int i = 0; i < NEIGHBOURS; i++) {
      String peer = "p" + i;
      boolean faulty = i < faultyLinks;
      out.add(new Reading("link.rtt_ms", peer, faulty ? 400 + random.nextInt(50) : 2 + random.nextInt(3)));
      out.add(new Reading("link.loss", peer, faulty ? 0.4 : random.nextDouble() * 0.01));
      out.add(new Reading("link.phi", peer, faulty ? 3 : random.nextDouble()));
    }
    return out;
  }

  private List<Reading> nodeReadings() {
    return List.of(new Reading("raft.lag", "self", random.nextInt(50)),
        new Reading("raft.role", "self", 1),
        new Reading("jvm.heap_used_ratio", "self", 0.4),
        new Reading("jvm.gc_pause_ms", "self", random.nextInt(5)),
        new Reading("cpu.load", "self", 0.3),
        new Reading("disk.free_ratio.inverse", "self", 0.5));
  }

  @Setup(Level.Iteration)
  public void resetCpu() {
    cpu.reset();
  }

  @TearDown(Level.Iteration)
  public void printCpu() {
    System.out.printf("%n  thread CPU per tick (faultyLinks=%d, %d ticks): p50 %.1f us, p99 %.1f us, "
        + "p99.9 %.1f us, max %.1f us%n", faultyLinks, cpu.getTotalCount(),
        cpu.getValueAtPercentile(50) / 1e3, cpu.getValueAtPercentile(99) / 1e3,
        cpu.getValueAtPercentile(99.9) / 1e3, cpu.getMaxValue() / 1e3);
  }

  @Benchmark
  public TickReport tick() {
    long start = threads.getCurrentThreadCpuTime();
    TickReport report = loop.tick();
    cpu.recordValue(Math.max(0, threads.getCurrentThreadCpuTime() - start));
    return report;
  }
}
