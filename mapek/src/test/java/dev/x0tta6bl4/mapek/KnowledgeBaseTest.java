package dev.x0tta6bl4.mapek;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KnowledgeBaseTest {
  private static final Instant T0 = Instant.parse("2026-12-05T12:00:00Z");

  @TempDir
  Path dir;

  private KnowledgeBase.Config config() {
    return new KnowledgeBase.Config(dir, 64 * 1024, 4, true, 4, 1000, 10);
  }

  private static JournalRecord.ActionOutcome outcome(long id, String kind, String action,
      Outcome o, float[] features) {
    return new JournalRecord.ActionOutcome(id, kind, "s", action, "s", o, T0, features);
  }

  @Test
  void open_afterRestart_rebuildsStatisticsRecallAndRecentIncidents() {
    try (KnowledgeBase kb = KnowledgeBase.open(config())) {
      kb.record(outcome(1, "link-lossy", "reroute", Outcome.NOT_VERIFIED, new float[] {1, 0, 0, 0}));
      kb.record(outcome(2, "link-lossy", "reconnect", Outcome.VERIFIED, new float[] {1, 0.1f, 0, 0}));
      kb.record(outcome(3, "disk-pressure", "purge", Outcome.VERIFIED, new float[] {0, 0, 1, 0}));
      kb.record(new JournalRecord.IncidentClosed(3, "disk-pressure", "local", T0, T0, T0.plusSeconds(1),
          "resolved by purge/local", List.of()));
    }
    try (KnowledgeBase kb = KnowledgeBase.open(config())) {
      assertThat(kb.stats("link-lossy", "reroute")).isEqualTo(new ActionStats(0, 1));
      assertThat(kb.stats("link-lossy", "reconnect")).isEqualTo(new ActionStats(1, 0));
      assertThat(kb.stats("link-lossy", "purge")).isEqualTo(ActionStats.NONE);
      assertThat(kb.maxIncidentId()).isEqualTo(3);
      assertThat(kb.recentClosed()).extracting(JournalRecord.IncidentClosed::resolution)
          .containsExactly("resolved by purge/local");
      Map<String, Double> votes = kb.recall(new float[] {1, 0.05f, 0, 0}, 2);
      assertThat(votes.get("reconnect")).isPositive();
      assertThat(votes.get("reroute")).isNegative();
      assertThat(votes).doesNotContainKey("purge");
    }
  }

  @Test
  void record_vectorOfOtherDimension_countedButNotIndexed() {
    try (KnowledgeBase kb = KnowledgeBase.open(config())) {
      kb.record(outcome(1, "k", "a", Outcome.VERIFIED, new float[] {1, 2}));
    }
    try (KnowledgeBase kb = KnowledgeBase.open(config())) {
      assertThat(kb.stats("k", "a").successes()).isEqualTo(1);
      assertThat(kb.index().size()).isZero();
    }
  }

  @Test
  void actionStats_laplaceSmoothed() {
    assertThat(ActionStats.NONE.successRate()).isEqualTo(0.5);
    assertThat(ActionStats.NONE.confidence()).isZero();
    assertThat(new ActionStats(3, 0).successRate()).isEqualTo(0.8);
    assertThat(new ActionStats(0, 2).confidence()).isEqualTo(0.5);
  }

  @Test
  void incidentIndex_hnswMatchesBruteForceAndEvictsOldest() {
    long seed = 7;
    System.out.println("incidentIndex seed=" + seed);
    Random random = new Random(seed);
    int dims = 16;
    IncidentIndex index = new IncidentIndex(dims, 400);
    for (int i = 0; i < 1_000; i++) {
      index.add(vector(random, dims), "a" + (i % 3), i % 2 == 0);
    }
    assertThat(index.size()).isEqualTo(400);
    assertThat(index.rebuilds()).isEqualTo(1);
    int hits = 0;
    int total = 0;
    for (int q = 0; q < 30; q++) {
      float[] query = vector(random, dims);
      List<Long> exact = index.nearestExact(query, 10).stream().map(n -> n.entry().id()).toList();
      List<Long> approx = index.nearest(query, 10).stream().map(n -> n.entry().id()).toList();
      assertThat(exact).allMatch(id -> id >= 600, "evicted entries never come back");
      hits += (int) approx.stream().filter(exact::contains).count();
      total += exact.size();
    }
    assertThat((double) hits / total).as("recall@10").isGreaterThanOrEqualTo(0.95);
  }

  private static float[] vector(Random random, int dims) {
    float[] v = new float[dims];
    for (int i = 0; i < dims; i++) {
      v[i] = random.nextFloat();
    }
    return v;
  }
}
