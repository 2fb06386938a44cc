package dev.x0tta6bl4.node.sim;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A random connected topology: nodes {@code 0..n-1} and undirected edges, each with a one-way
 * delay and jitter. Generated from a seeded generator, so the same seed gives the same graph.
 *
 * <ul>
 *   <li>{@link Kind#GEOMETRIC}: nodes at random points of the unit square, an edge between every
 *       two within the radius that gives the wanted average degree; components are then joined
 *       by their closest pair of nodes. Long paths, local clusters: a site mesh.
 *   <li>{@link Kind#RANDOM}: a random spanning tree plus random extra edges up to the wanted
 *       average degree. Short paths: a well-connected overlay.
 * </ul>
 *
 * <p>Delays grow with distance (geometric) or are uniform (random): 0.5 to about 3 ms one way,
 * jitter a tenth of that, so link costs, which come from measured RTT, differ between links.
 */
final class Topology {
  enum Kind {
    GEOMETRIC,
    RANDOM
  }

  /** One undirected link; {@code a < b}. */
  record Edge(int a, int b, long delayNanos, long jitterNanos) {}

  private final int size;
  private final List<Edge> edges;

  private Topology(int size, List<Edge> edges) {
    this.size = size;
    this.edges = List.copyOf(edges);
  }

  static Topology generate(Kind kind, int n, double averageDegree, SplittableRandom random) {
    if (n < 2 || n > 1000 || averageDegree < 1) {
      throw new IllegalArgumentException("topology of " + n + " nodes, degree " + averageDegree);
    }
    return kind == Kind.GEOMETRIC ? geometric(n, averageDegree, random) : random(n, averageDegree, random);
  }

  /** A ring {@code 0-1-...-(n-1)-0} whose links all have {@code delayNanos}, jitter a tenth. */
  static Topology ring(int n, long delayNanos) {
    List<Edge> edges = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int j = (i + 1) % n;
      edges.add(new Edge(Math.min(i, j), Math.max(i, j), delayNanos, Math.max(1, delayNanos / 10)));
    }
    return new Topology(n, edges);
  }

  private static Topology geometric(int n, double degree, SplittableRandom random) {
    double[] x = new double[n];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = random.nextDouble();
      y[i] = random.nextDouble();
    }
    double radius = Math.sqrt(degree / ((n - 1) * Math.PI));
    Set<Long> seen = new HashSet<>();
    List<Edge> edges = new ArrayList<>();
    for (int a = 0; a < n; a++) {
      for (int b = a + 1; b < n; b++) {
        double d = Math.hypot(x[a] - x[b], y[a] - y[b]);
        if (d <= radius) {
          edges.add(edge(a, b, d, random));
          seen.add(key(a, b, n));
        }
      }
    }
    // Join components: the closest pair between the component of node 0 and the rest.
    while (true) {
      boolean[] reached = reach(n, edges, 0);
      int bestA = -1;
      int bestB = -1;
      double best = Double.MAX_VALUE;
      for (int a = 0; a < n; a++) {
        if (!reached[a]) {
          continue;
        }
        for (int b = 0; b < n; b++) {
          double d = Math.hypot(x[a] - x[b], y[a] - y[b]);
          if (!reached[b] && d < best) {
            best = d;
            bestA = a;
            bestB = b;
          }
        }
      }
      if (bestA < 0) {
        break;
      }
      edges.add(edge(Math.min(bestA, bestB), Math.max(bestA, bestB), best, random));
    }
    return new Topology(n, edges);
  }

  private static Topology random(int n, double degree, SplittableRandom random) {
    Set<Long> seen = new HashSet<>();
    List<Edge> edges = new ArrayList<>();
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    for (int i = 1; i < n; i++) {
      int a = order[i];
      int b = order[random.nextInt(i)];
      seen.add(key(a, b, n));
      edges.add(edge(Math.min(a, b), Math.max(a, b), random.nextDouble() * 0.1, random));
    }
    long wanted = Math.round(degree * n / 2);
    while (edges.size() < wanted) {
      int a = random.nextInt(n);
      int b = random.nextInt(n);
      if (a != b && seen.add(key(a, b, n))) {
        edges.add(edge(Math.min(a, b), Math.max(a, b), random.nextDouble() * 0.1, random));
      }
    }
    return new Topology(n, edges);
  }

  private static Edge edge(int a, int b, double distance, SplittableRandom random) {
    long delay = 500_000L + (long) (distance * 25_000_000L) + random.nextLong(100_000L);
    return new Edge(a, b, delay, Math.max(1, delay / 10));
  }

  private static long key(int a, int b, int n) {
    return (long) Math.min(a, b) * n + Math.max(a, b);
  }

  private static boolean[] reach(int n, List<Edge> edges, int from) {
    List<List<Integer>> adjacency = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      adjacency.add(new ArrayList<>());
    }
    for (Edge e : edges) {
      adjacency.get(e.a()).add(e.b());
      adjacency.get(e.b()).add(e.a());
    }
    boolean[] reached = new boolean[n];
    ArrayDeque<Integer> queue = new ArrayDeque<>();
    reached[from] = true;
    queue.add(from);
    while (!queue.isEmpty()) {
      for (int next : adjacency.get(queue.poll())) {
        if (!reached[next]) {
          reached[next] = true;
          queue.add(next);
        }
      }
    }
    return reached;
  }

  int size() {
    return size;
  }

  List<Edge> edges() {
    return edges;
  }

  boolean connected() {
    boolean[] reached = reach(size, edges, 0);
    for (boolean r : reached) {
      if (!r) {
        return false;
      }
    }
    return true;
  }

  double averageDegree() {
    return 2.0 * edges.size() / size;
  }

  @Override
  public String toString() {
    return "Topology[" + size + " nodes, " + edges.size() + " edges, average degree "
        + String.format(java.util.Locale.ROOT, "%.2f", averageDegree()) + "]";
  }

  private static final String[] IDS = new String[1000];

  static {
    for (int i = 0; i < IDS.length; i++) {
      IDS[i] = String.format(java.util.Locale.ROOT, "n%03d", i);
    }
  }

  /** The node id of index {@code index} (below 1,000): {@code n000}, {@code n001}, ... */
  static String nodeId(int index) {
    return IDS[index];
  }
}
