package dev.x0tta6bl4.node.routing;

import java.util.Map;
import java.util.TreeMap;

/** Brute-force shortest distances, the reference the routing core is checked against. */
final class ReferencePaths {
  private ReferencePaths() {}

  /** All-pairs distances over directed {@code links} (from -> to -> cost); unreachable absent. */
  static Map<String, Map<String, Long>> floydWarshall(Map<String, ? extends Map<String, Long>> links) {
    TreeMap<String, Integer> index = new TreeMap<>();
    for (Map.Entry<String, ? extends Map<String, Long>> entry : links.entrySet()) {
      index.putIfAbsent(entry.getKey(), index.size());
      for (String to : entry.getValue().keySet()) {
        index.putIfAbsent(to, index.size());
      }
    }
    String[] names = new String[index.size()];
    index.forEach((name, i) -> names[i] = name);
    int n = names.length;
    long inf = Long.MAX_VALUE / 4;
    long[][] d = new long[n][n];
    for (int i = 0; i < n; i++) {
      java.util.Arrays.fill(d[i], inf);
      d[i][i] = 0;
    }
    links.forEach(
        (from, out) -> out.forEach((to, cost) -> {
          int i = index.get(from);
          int j = index.get(to);
          d[i][j] = Math.min(d[i][j], cost);
        }));
    for (int k = 0; k < n; k++) {
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          if (d[i][k] + d[k][j] < d[i][j]) {
            d[i][j] = d[i][k] + d[k][j];
          }
        }
      }
    }
    Map<String, Map<String, Long>> out = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      Map<String, Long> row = new TreeMap<>();
      for (int j = 0; j < n; j++) {
        if (d[i][j] < inf) {
          row.put(names[j], d[i][j]);
        }
      }
      out.put(names[i], row);
    }
    return out;
  }
}
