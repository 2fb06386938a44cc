package dev.x0tta6bl4.load.mapek;

import dev.x0tta6bl4.mapek.IncidentIndex;
import dev.x0tta6bl4.mapek.JournalRecord;
import dev.x0tta6bl4.mapek.KnowledgeBase;
import dev.x0tta6bl4.mapek.Outcome;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Incident recall at 100,000 stored outcomes: {@link KnowledgeBase#recall} (HNSW top-10 plus the
 * vote) and, for comparison, the exact linear scan. Vectors are 32-dimensional, uniform random
 * (harder for HNSW than the clustered vectors real incidents give). Setup prints recall@10 of the
 * HNSW search against brute force over 200 seeded queries. Goal: p99 under 1 ms, recall@10 >= 0.95.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class IncidentRecallBenchmark {
  private static final int DIMENSIONS = 32;

  @Param({"100000"})
  public int stored;

  private KnowledgeBase knowledge;
  private float[][] queries;
  private int next;

  @Setup
  public void setUp() {
    Random random = new Random(20261205);
    knowledge = KnowledgeBase.inMemory(DIMENSIONS, stored);
    String[] actions = {"raise-cost", "drop-link", "reconnect", "transfer-leadership", "shed-load"};
    long start = System.nanoTime();
    for (int i = 0; i < stored; i++) {
      knowledge.record(new JournalRecord.ActionOutcome(i, "kind-" + (i % 7), "s", actions[i % 5],
          "s", random.nextInt(4) == 0 ? Outcome.NOT_VERIFIED : Outcome.VERIFIED, Instant.EPOCH,
          vector(random)));
    }
    long built = System.nanoTime() - start;
    queries = new float[1024][];
    for (int i = 0; i < queries.length; i++) {
      queries[i] = vector(random);
    }
    IncidentIndex index = knowledge.index();
    int hits = 0;
    int total = 0;
    for (int q = 0; q < 200; q++) {
      Set<Long> exact = new HashSet<>();
      index.nearestExact(queries[q], 10).forEach(n -> exact.add(n.entry().id()));
      for (IncidentIndex.Neighbour n : index.nearest(queries[q], 10)) {
        if (exact.contains(n.entry().id())) {
          hits++;
        }
      }
      total += exact.size();
    }
    System.out.printf("%nIncidentRecallBenchmark: %d outcomes indexed in %.1f s; recall@10 vs brute "
        + "force over 200 queries = %.4f%n", index.size(), built / 1e9, (double) hits / total);
  }

  private static float[] vector(Random random) {
    float[] v = new float[DIMENSIONS];
    for (int d = 0; d < DIMENSIONS; d++) {
      v[d] = random.nextFloat();
    }
    return v;
  }

  @Benchmark
  public Map<String, Double> recallTop10() {
    return knowledge.recall(queries[next++ & 1023], 10);
  }

  @Benchmark
  public List<IncidentIndex.Neighbour> bruteForceTop10() {
    return knowledge.index().nearestExact(queries[next++ & 1023], 10);
  }
}
