package dev.x0tta6bl4.node.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * One metric family as Prometheus sees it in a scrape: the name of its {@code # TYPE} line, its
 * type, its help text and the label names of its samples ({@code le} and {@code quantile}, which
 * the type implies, left out). {@link #parse} reads the Prometheus text format 0.0.4.
 */
record MetricFamily(String name, String type, String help, SortedSet<String> labels) {

  /** The families of a text-format scrape, in scrape order. */
  static List<MetricFamily> parse(String exposition) {
    Map<String, String> types = new LinkedHashMap<>();
    Map<String, String> helps = new LinkedHashMap<>();
    Map<String, SortedSet<String>> labels = new LinkedHashMap<>();
    String current = null;
    for (String line : exposition.split("\n")) {
      if (line.startsWith("# HELP ")) {
        String rest = line.substring(7);
        int space = rest.indexOf(' ');
        String name = space < 0 ? rest : rest.substring(0, space);
        helps.put(name, space < 0 ? "" : unescapeHelp(rest.substring(space + 1)));
      } else if (line.startsWith("# TYPE ")) {
        String[] parts = line.substring(7).split(" ");
        current = parts[0];
        types.put(current, parts[1]);
        labels.put(current, new TreeSet<>());
      } else if (!line.isBlank() && !line.startsWith("#")) {
        if (current == null) {
          throw new IllegalArgumentException("sample before any # TYPE line: " + line);
        }
        labels.get(current).addAll(labelNames(line));
      }
    }
    List<MetricFamily> families = new ArrayList<>();
    types.forEach((name, type) -> {
      SortedSet<String> names = labels.get(name);
      names.remove("le");
      names.remove("quantile");
      families.add(new MetricFamily(name, type, helps.getOrDefault(name, "").strip(), names));
    });
    return families;
  }

  /** The label names of one sample line such as {@code a_total{x="1",y="a\"b"} 3.0}. */
  static List<String> labelNames(String sample) {
    List<String> names = new ArrayList<>();
    int open = sample.indexOf('{');
    int space = sample.indexOf(' ');
    if (open < 0 || (space >= 0 && space < open)) {
      return names;
    }
    int i = open + 1;
    while (i < sample.length() && sample.charAt(i) != '}') {
      int eq = sample.indexOf('=', i);
      names.add(sample.substring(i, eq).strip());
      i = eq + 2; // skip ="
      while (sample.charAt(i) != '"') {
        i += sample.charAt(i) == '\\' ? 2 : 1;
      }
      i++; // closing quote
      if (sample.charAt(i) == ',') {
        i++;
      }
    }
    return names;
  }

  private static String unescapeHelp(String help) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < help.length(); i++) {
      char c = help.charAt(i);
      if (c == '\\' && i + 1 < help.length()) {
        char next = help.charAt(++i);
        out.append(next == 'n' ? ' ' : next);
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
