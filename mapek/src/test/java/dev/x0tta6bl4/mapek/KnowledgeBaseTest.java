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
  void incidentIndex_hnswMatchesBruteForceAndEvictsOldest_acrossTwoGenerations() {
    long seed = 7;
    System.out.println("incidentIndex seed=" + seed);
    Random random = new Random(seed);
    int dims = 16;
    IncidentIndex index = new IncidentIndex(dims, 400);
    for (int i = 0; i < 1_000; i++) {
      index.add(vector(random, dims), "a" + (i % 3), i % 2 == 0);
    }
    assertThat(index.size()).isEqualTo(400);
    assertThat(index.generations()).as("a full graph retires once per capacity adds").isEqualTo(2);
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

  @Test
  void incidentIndex_manyGenerations_staysBounded_findsEveryLiveEntry_neverAnEvictedOne() {
    long seed = 11;
    System.out.println("incidentIndex generations seed=" + seed);
    Random random = new Random(seed);
    for (int capacity : new int[] {1, 2, 50}) {
      IncidentIndex index = new IncidentIndex(4, capacity);
      List<float[]> added = new java.util.ArrayList<>();
      int adds = capacity * 10 + 3;
      for (int i = 0; i < adds; i++) {
        float[] v = vector(random, 4);
        index.add(v, "a", true);
        added.add(v);
        assertThat(index.size()).isEqualTo(Math.min(i + 1, capacity));
        long oldestLive = Math.max(0, i + 1 - capacity);
        long newest = i;
        // The newest entry is its own nearest neighbour; nothing evicted is ever returned.
        List<IncidentIndex.Neighbour> hits = index.nearest(v, capacity);
        assertThat(hits.get(0).distance()).isZero();
        assertThat(hits).allMatch(n -> n.entry().id() >= oldestLive && n.entry().id() <= newest);
        // The oldest live entry is still found (it sits in the previous generation).
        List<IncidentIndex.Neighbour> oldest = index.nearest(added.get((int) oldestLive), 1);
        assertThat(oldest.get(0).entry().id()).isEqualTo(oldestLive);
      }
      // A full graph retires when the next entry arrives: after the first, every capacity adds.
      assertThat(index.generations()).as("capacity " + capacity)
          .isEqualTo((adds - 1) / capacity);
    }
  }

  private static float[] vector(Random random, int dims) {
    float[] v = new float[dims];
    for (int i = 0; i < dims; i++) {
      v[i] = random.nextFloat();
    }
    return v;
  }
}
