package dev.x0tta6bl4.mapek;

import com.github.jelmerk.hnswlib.core.DistanceFunctions;
import com.github.jelmerk.hnswlib.core.Item;
import com.github.jelmerk.hnswlib.core.SearchResult;
import com.github.jelmerk.hnswlib.core.hnsw.HnswIndex;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Nearest-neighbour index over past action outcomes, keyed by the incident's feature vector: an
 * HNSW graph (hnswlib-core) with Euclidean distance. Holds at most {@code capacity} entries; the
 * oldest is removed when a new one would pass that. hnswlib only marks a removed node deleted and
 * never reuses its slot, so the graph has room for twice the capacity and is rebuilt from the live
 * entries when the slots run out: once per {@code capacity} evictions, a pause proportional to the
 * capacity (documented in docs/mapek.md). Entries are added on the loop thread; queries are safe
 * from any thread (hnswlib's index is thread-safe and the reference is swapped atomically).
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

  private final int dimensions;
  private final int capacity;
  private final int m;
  private volatile int ef;
  private final int slots;
  private final ArrayDeque<Entry> live = new ArrayDeque<>();
  private volatile HnswIndex<Long, float[], Entry, Float> index;
  private int slotsUsed;
  private long nextId;
  private long rebuilds;

  /**
   * @param dimensions length of every vector
   * @param capacity most entries kept (oldest evicted first)
   * @param m HNSW links per node (16 is a good default)
   * @param ef HNSW search breadth (at least k; 64 gave recall 1.0 at k=10 on 100k vectors)
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
    this.slots = (int) Math.min(Integer.MAX_VALUE - 8, 2L * capacity);
    this.index = newGraph();
  }

  private HnswIndex<Long, float[], Entry, Float> newGraph() {
    return HnswIndex.newBuilder(dimensions, DistanceFunctions.FLOAT_EUCLIDEAN_DISTANCE, slots)
        .withM(m)
        .withEf(ef)
        .withEfConstruction(Math.max(ef, 100))
        .withRemoveEnabled()
        .build();
  }

  public IncidentIndex(int dimensions, int capacity) {
    this(dimensions, capacity, 16, 64);
  }

  public int dimensions() {
    return dimensions;
  }

  public int size() {
    return index.size();
  }

  /** Changes the search breadth (recall against speed) without rebuilding the graph. */
  public void searchBreadth(int value) {
    if (value < 1) {
      throw new MapekException("HNSW ef must be at least 1, got " + value);
    }
    this.ef = value;
    index.setEf(value);
  }

  /** How often the graph was rebuilt to reclaim the slots of evicted entries. */
  public long rebuilds() {
    return rebuilds;
  }

  /** Stores an outcome; evicts the oldest entry when full. */
  public void add(float[] vector, String actionKind, boolean success) {
    checkDimensions(vector);
    if (live.size() >= capacity) {
      index.remove(live.pollFirst().id(), 0);
    }
    if (slotsUsed >= slots) {
      rebuild();
    }
    Entry entry = new Entry(nextId++, vector.clone(), actionKind, success);
    index.add(entry);
    live.addLast(entry);
    slotsUsed++;
  }

  private void rebuild() {
    HnswIndex<Long, float[], Entry, Float> fresh = newGraph();
    for (Entry e : live) {
      fresh.add(e);
    }
    index = fresh;
    slotsUsed = live.size();
    rebuilds++;
  }

  /** The {@code k} stored outcomes nearest to {@code query} (approximate, HNSW). */
  public List<Neighbour> nearest(float[] query, int k) {
    checkDimensions(query);
    return toNeighbours(index.findNearest(query, k));
  }

  /** The exact {@code k} nearest by linear scan; for checking recall, not for the loop. */
  public List<Neighbour> nearestExact(float[] query, int k) {
    checkDimensions(query);
    return toNeighbours(index.asExactIndex().findNearest(query, k));
  }

  private static List<Neighbour> toNeighbours(List<SearchResult<Entry, Float>> hits) {
    List<Neighbour> out = new ArrayList<>(hits.size());
    for (SearchResult<Entry, Float> hit : hits) {
      out.add(new Neighbour(hit.item(), hit.distance()));
    }
    return out;
  }

  private void checkDimensions(float[] v) {
    if (v.length != dimensions) {
      throw new MapekException("feature vector has " + v.length + " dimensions, index expects "
          + dimensions);
    }
  }
}
