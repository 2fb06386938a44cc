package dev.x0tta6bl4.mapek;

import com.github.jelmerk.hnswlib.core.DistanceFunctions;
import com.github.jelmerk.hnswlib.core.Item;
import com.github.jelmerk.hnswlib.core.SearchResult;
import com.github.jelmerk.hnswlib.core.hnsw.HnswIndex;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Nearest-neighbour index over past action outcomes, keyed by the incident's feature vector: HNSW
 * graphs (hnswlib-core) with Euclidean distance. Holds at most {@code capacity} entries; the oldest
 * is removed when a new one would pass that.
 *
 * <p>hnswlib only marks a removed node deleted and never reuses its slot, so one graph cannot
 * both stay bounded and keep accepting entries without being rebuilt (a pause of seconds to
 * minutes at 100,000 entries). Instead the index keeps two generations of {@code capacity} slots
 * each: new entries go into the current graph; evictions (always the oldest entry) remove entries
 * from the previous graph, which receives nothing else; when the current graph is full the
 * previous one, by then holding no live entry, is dropped, the current one becomes the previous
 * one, and a new empty graph starts. Every add costs one insert and at most one removal, never a
 * rebuild. A query searches both graphs and merges their hits.
 *
 * <p>Entries are added on one thread (the loop's); queries are safe from any thread: hnswlib's
 * graphs are thread-safe and the pair of generations is swapped as one immutable reference.
 */
public final class IncidentIndex {
  /** One stored outcome: which action ran for an incident with these features, and whether it worked. */
  public record Entry(Long id, float[] vector, String actionKind, boolean success)
      implements Item<Long, float[]> {
    private static final long serialVersionUID = 1L;

    @Override
    public int dimensions() {
      return vector.length;
    }
  }

  /** A search hit with its Euclidean distance to the query. */
  public record Neighbour(Entry entry, float distance) {}

  /** The previous and the current graph, swapped together. */
  private record Generations(HnswIndex<Long, float[], Entry, Float> previous,
      HnswIndex<Long, float[], Entry, Float> current) {}

  private static final Comparator<Neighbour> BY_DISTANCE =
      Comparator.comparingDouble(Neighbour::distance);

  private final int dimensions;
  private final int capacity;
  private final int m;
  private volatile int ef;
  private final ArrayDeque<Entry> live = new ArrayDeque<>();
  private volatile Generations graphs;
  private int previousLive;
  private long nextId;
  private long generations;

  /**
   * @param dimensions length of every vector
   * @param capacity most entries kept (oldest evicted first)
   * @param m HNSW links per node (16 is a good default)
   * @param ef HNSW search breadth (at least k; see {@link #IncidentIndex(int, int)})
   */
  public IncidentIndex(int dimensions, int capacity, int m, int ef) {
    if (dimensions < 1 || capacity < 1 || m < 2 || ef < 1) {
      throw new MapekException("incident index needs dimensions>=1, capacity>=1, m>=2, ef>=1; got "
          + dimensions + ", " + capacity + ", " + m + ", " + ef);
    }
    this.dimensions = dimensions;
    this.capacity = capacity;
    this.m = m;
    this.ef = ef;
    this.graphs = new Generations(newGraph(), newGraph());
  }

  private HnswIndex<Long, float[], Entry, Float> newGraph() {
    return HnswIndex.newBuilder(dimensions, DistanceFunctions.FLOAT_EUCLIDEAN_DISTANCE, capacity)
        .withM(m)
        .withEf(ef)
        .withEfConstruction(Math.max(ef, 200))
        .withRemoveEnabled()
        .build();
  }

  /**
   * M = 16 and search breadth 64, graphs built with breadth 200: built with 100, recall@10 on
   * 100,000 encoder-like vectors varied between builds from 0.94 to 0.99 (hnswlib draws node
   * levels at random), below the 0.95 goal in two quiet runs; 200 gave 0.995 at the same query
   * cost, for about 1.3x the insert time (docs/mapek.md).
   */
  public IncidentIndex(int dimensions, int capacity) {
    this(dimensions, capacity, 16, 64);
  }

  public int dimensions() {
    return dimensions;
  }

  /** Live entries (at most the capacity). */
  public int size() {
    Generations g = graphs;
    return g.previous().size() + g.current().size();
  }

  /** Changes the search breadth (recall against speed) without rebuilding the graphs. */
  public void searchBreadth(int value) {
    if (value < 1) {
      throw new MapekException("HNSW ef must be at least 1, got " + value);
    }
    this.ef = value;
    Generations g = graphs;
    g.previous().setEf(value);
    g.current().setEf(value);
  }

  /** How often a full graph became the previous generation (once per {@code capacity} adds). */
  public long generations() {
    return generations;
  }

  /** Stores an outcome; evicts the oldest entry when full. Never rebuilds a graph. */
  public void add(float[] vector, String actionKind, boolean success) {
    checkDimensions(vector);
    Generations g = graphs;
    if (g.current().size() >= capacity) {
      // Full, so the previous graph's entries have all been evicted: drop it, start a new one.
      g = new Generations(g.current(), newGraph());
      graphs = g;
      previousLive = live.size();
      generations++;
    }
    if (live.size() >= capacity) {
      g.previous().remove(live.pollFirst().id(), 0); // the oldest is always in the previous graph
      previousLive--;
    }
    Entry entry = new Entry(nextId++, vector.clone(), actionKind, success);
    g.current().add(entry);
    live.addLast(entry);
  }

  /** The {@code k} stored outcomes nearest to {@code query} (approximate, HNSW). */
  public List<Neighbour> nearest(float[] query, int k) {
    checkDimensions(query);
    Generations g = graphs;
    return merge(g.previous().findNearest(query, k), g.current().findNearest(query, k), k);
  }

  /** The exact {@code k} nearest by linear scan; for checking recall, not for the loop. */
  public List<Neighbour> nearestExact(float[] query, int k) {
    checkDimensions(query);
    Generations g = graphs;
    return merge(g.previous().asExactIndex().findNearest(query, k),
        g.current().asExactIndex().findNearest(query, k), k);
  }

  private static List<Neighbour> merge(List<SearchResult<Entry, Float>> a,
      List<SearchResult<Entry, Float>> b, int k) {
    List<Neighbour> out = new ArrayList<>(a.size() + b.size());
    for (SearchResult<Entry, Float> hit : a) {
      out.add(new Neighbour(hit.item(), hit.distance()));
    }
    for (SearchResult<Entry, Float> hit : b) {
      out.add(new Neighbour(hit.item(), hit.distance()));
    }
    out.sort(BY_DISTANCE);
    return out.size() > k ? List.copyOf(out.subList(0, k)) : out;
  }

  private void checkDimensions(float[] v) {
    if (v.length != dimensions) {
      throw new MapekException("feature vector has " + v.length + " dimensions, index expects "
          + dimensions);
    }
  }
}
