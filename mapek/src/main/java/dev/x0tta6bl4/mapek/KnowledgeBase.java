package dev.x0tta6bl4.mapek;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the loop has learned: per (incident kind, action kind) success statistics, a
 * nearest-neighbour index over the feature vectors of past outcomes, and the most recent closed
 * incidents, all rebuilt from the {@link IncidentJournal} on open and kept current by
 * {@link #record}.
 *
 * <p>Written by the control loop's thread; the read methods may be called from other threads (an
 * API handler listing recent incidents). Whoever opened it closes it (which closes the journal).
 */
public final class KnowledgeBase implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(KnowledgeBase.class);

  /**
   * Where and how knowledge is kept.
   *
   * @param dir journal directory
   * @param segmentBytes journal segment size before rotation
   * @param maxSegments journal segments kept (bound: about segmentBytes * maxSegments)
   * @param fsync force each journal append to disk
   * @param dimensions feature vector length (must match the loop's {@link FeatureEncoder})
   * @param indexCapacity most outcomes kept in the recall index
   * @param recentCapacity closed incidents kept for listing
   */
  public record Config(Path dir, long segmentBytes, int maxSegments, boolean fsync, int dimensions,
      int indexCapacity, int recentCapacity) {
    public Config {
      Objects.requireNonNull(dir, "dir");
      if (dimensions < 1 || indexCapacity < 1 || recentCapacity < 0) {
        throw new MapekException("knowledge needs dimensions>=1, index-capacity>=1, "
            + "recent-capacity>=0; got " + dimensions + ", " + indexCapacity + ", " + recentCapacity);
      }
    }

    /** 4 MiB segments, 8 kept, fsync on, 200,000 indexed outcomes, 100 recent incidents. */
    public static Config defaults(Path dir, int dimensions) {
      return new Config(dir, 4L << 20, 8, true, dimensions, 200_000, 100);
    }
  }

  /** Action starts remembered for the guard rails (keys, and times for the rate window). */
  static final int STARTS_KEPT = 4096;

  private final IncidentJournal journal;
  private final IncidentIndex index;
  private final int recentCapacity;
  private final Map<String, Map<String, ActionStats>> stats = new HashMap<>();
  private final ArrayDeque<JournalRecord.IncidentClosed> recent = new ArrayDeque<>();
  private final List<JournalDamage> damage;
  /** The latest start of each action key, eldest first, at most {@link #STARTS_KEPT}. */
  private final LinkedHashMap<String, JournalRecord.ActionStarted> lastStarts =
      new LinkedHashMap<>();
  private final ArrayDeque<Instant> recentStarts = new ArrayDeque<>();
  private long maxIncidentId;
  private long skippedVectors;
  private volatile long version;
  private boolean closed;

  private KnowledgeBase(IncidentJournal journal, IncidentIndex index, int recentCapacity,
      List<JournalDamage> damage) {
    this.journal = journal;
    this.index = index;
    this.recentCapacity = recentCapacity;
    this.damage = List.copyOf(damage);
  }

  /** Opens the journal and rebuilds statistics, index and recent incidents from it. */
  public static KnowledgeBase open(Config config) {
    IncidentJournal.Loaded loaded = IncidentJournal.open(config.dir(), config.segmentBytes(),
        config.maxSegments(), config.fsync());
    KnowledgeBase kb = new KnowledgeBase(loaded.journal(),
        new IncidentIndex(config.dimensions(), config.indexCapacity()), config.recentCapacity(),
        loaded.damage());
    for (JournalRecord r : loaded.records()) {
      kb.apply(r);
    }
    log.info("knowledge loaded: {} journal records, {} indexed outcomes, {} damaged stretches, "
        + "{} vectors of another dimension skipped", loaded.records().size(), kb.index.size(),
        loaded.damage().size(), kb.skippedVectors);
    return kb;
  }

  /** Knowledge without a journal (tests, benchmarks, or a node configured without a data dir). */
  public static KnowledgeBase inMemory(int dimensions, int indexCapacity) {
    return new KnowledgeBase(null, new IncidentIndex(dimensions, indexCapacity), 100, List.of());
  }

  /**
   * Learns from a record and appends it to the journal. The in-memory knowledge is updated even
   * when the append fails; the failure is then thrown (unchecked) for the caller to count.
   */
  public void record(JournalRecord record) {
    apply(record);
    if (journal != null) {
      journal.append(record);
    }
  }

  /** Statistics for an action kind on an incident kind. */
  public synchronized ActionStats stats(String incidentKind, String actionKind) {
    return stats.getOrDefault(incidentKind, Map.of()).getOrDefault(actionKind, ActionStats.NONE);
  }

  /**
   * What resolved the {@code k} most similar past incidents: for each action kind seen among the
   * neighbours, a vote in [-1, 1] (successes minus failures, each weighted by 1 / (1 + distance),
   * over the total weight of all neighbours).
   */
  public Map<String, Double> recall(float[] features, int k) {
    List<IncidentIndex.Neighbour> hits = index.nearest(features, k);
    Map<String, Double> votes = new HashMap<>();
    double total = 0;
    for (IncidentIndex.Neighbour n : hits) {
      double w = 1.0 / (1.0 + n.distance());
      total += w;
      votes.merge(n.entry().actionKind(), n.entry().success() ? w : -w, Double::sum);
    }
    if (total > 0) {
      double t = total;
      votes.replaceAll((action, v) -> v / t);
    }
    return votes;
  }

  /** Grows with every record learned; lets callers cache what they derived from knowledge. */
  public long version() {
    return version;
  }

  public int dimensions() {
    return index.dimensions();
  }

  public IncidentIndex index() {
    return index;
  }

  /** Closed incidents, newest last. */
  public synchronized List<JournalRecord.IncidentClosed> recentClosed() {
    return new ArrayList<>(recent);
  }

  /** The highest incident id seen, so ids stay unique across restarts. */
  public synchronized long maxIncidentId() {
    return maxIncidentId;
  }

  /** Damage found (and truncated) when the journal was loaded. */
  public List<JournalDamage> loadDamage() {
    return damage;
  }

  public Optional<IncidentJournal> journal() {
    return Optional.ofNullable(journal);
  }

  /** Registers gauges for the journal size and the number of indexed outcomes. */
  public void bindTo(MeterRegistry registry) {
    Gauge.builder("meshd.mapek.knowledge.outcomes", index, IncidentIndex::size)
        .description("Action outcomes held by the incident recall index")
        .register(registry);
    Gauge.builder("meshd.mapek.journal.damaged", damage, List::size)
        .description("Torn or corrupt journal stretches truncated at the last load")
        .register(registry);
    if (journal != null) {
      Gauge.builder("meshd.mapek.journal.size", journal, IncidentJournal::sizeBytes)
          .baseUnit("bytes")
          .description("Bytes held by the incident journal")
          .register(registry);
    }
  }

  @Override
  public synchronized void close() {
    if (!closed && journal != null) {
      journal.close();
    }
    closed = true;
  }

  /**
   * The latest start of each action key (kind/subject) seen in the journal and since, at most the
   * {@value #STARTS_KEPT} most recently started keys: the planner's cooldowns after a restart.
   */
  public synchronized List<JournalRecord.ActionStarted> lastStarts() {
    return List.copyOf(lastStarts.values());
  }

  /** Times of the last {@value #STARTS_KEPT} action starts, oldest first: the rate limit's past. */
  public synchronized List<Instant> recentStarts() {
    return List.copyOf(recentStarts);
  }

  private synchronized void apply(JournalRecord record) {
    version++;
    maxIncidentId = Math.max(maxIncidentId, record.incidentId());
    if (record instanceof JournalRecord.ActionOutcome a) {
      boolean ok = a.outcome().success();
      stats.computeIfAbsent(a.incidentKind(), k -> new HashMap<>())
          .merge(a.actionKind(), ActionStats.NONE.plus(ok), (old, one) -> old.plus(ok));
      if (a.features().length == index.dimensions()) {
        index.add(a.features(), a.actionKind(), ok);
      } else {
        skippedVectors++;
      }
    } else if (record instanceof JournalRecord.ActionStarted a) {
      lastStarts.remove(a.actionKey());
      lastStarts.put(a.actionKey(), a);
      if (lastStarts.size() > STARTS_KEPT) {
        lastStarts.remove(lastStarts.keySet().iterator().next());
      }
      recentStarts.addLast(a.at());
      if (recentStarts.size() > STARTS_KEPT) {
        recentStarts.pollFirst();
      }
    } else if (record instanceof JournalRecord.IncidentClosed c && recentCapacity > 0) {
      if (recent.size() >= recentCapacity) {
        recent.pollFirst();
      }
      recent.addLast(c);
    }
  }
}
