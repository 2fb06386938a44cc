package dev.x0tta6bl4.node.metrics;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Metric names used by PromQL expressions, checked against docs/metrics.md. */
final class PromQlNames {
  /** Families of the binders we use and ours; other identifiers are functions or labels. */
  private static final Pattern METRIC =
      Pattern.compile("\\b((?:meshd|jvm|process|system|disk|netty)_[a-zA-Z0-9_]+)\\b");

  private static final Pattern QUOTED = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'[^']*'");

  private PromQlNames() {}

  /** The metric names in {@code expr}, ignoring label values and strings. */
  static Set<String> metricNames(String expr) {
    Set<String> names = new TreeSet<>();
    Matcher m = METRIC.matcher(QUOTED.matcher(expr).replaceAll("\"\""));
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  /**
   * Names of {@code used} that docs/metrics.md neither lists, nor names under "Not listed" (a
   * family that appears on first use, with its histogram series), nor announces as upcoming.
   */
  static List<String> undocumented(Set<String> used) throws IOException {
    String docs = Files.readString(MetricsCatalogueTest.DOCS, StandardCharsets.UTF_8);
    Set<String> known = new java.util.HashSet<>(
        MetricsCatalogue.seriesNames(MetricsCatalogue.documentedNames(docs), docs));
    for (String name : MetricsCatalogue.LEFT_OUT.keySet()) {
      for (String suffix : List.of("", "_bucket", "_count", "_sum")) {
        known.add(name + suffix);
      }
    }
    List<String> missing = new ArrayList<>();
    for (String name : used) {
      if (!known.contains(name)) {
        missing.add(name);
      }
    }
    return missing;
  }

  /** The repository's deploy directory (tests run in the module directory). */
  static Path deploy(String... more) {
    return Path.of("..", "deploy").resolve(Path.of("", more));
  }

  /** The first executable called {@code name} on PATH. */
  static java.util.Optional<Path> onPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return java.util.Optional.empty();
    }
    for (String dir : path.split(java.io.File.pathSeparator)) {
      Path candidate = Path.of(dir, name);
      if (Files.isExecutable(candidate)) {
        return java.util.Optional.of(candidate);
      }
    }
    return java.util.Optional.empty();
  }
}
