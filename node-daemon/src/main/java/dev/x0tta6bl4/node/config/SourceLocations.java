package dev.x0tta6bl4.node.config;

import java.util.HashMap;
import java.util.Map;

/**
 * Where each configuration key came from: {@code file:line:column} of the key and of its value
 * in the YAML file, or {@code environment MESHD_X} for keys set from the environment. Errors
 * found after binding are mapped back through this to the line a person has to fix.
 *
 * <p>Mutable while one load runs; confined to the loading thread.
 */
final class SourceLocations {
  private final String fallback;
  private final Map<String, String> keySources = new HashMap<>();
  private final Map<String, String> valueSources = new HashMap<>();

  /** {@code fallback} names the source when a key has no recorded location. */
  SourceLocations(String fallback) {
    this.fallback = fallback;
  }

  boolean hasKey(String path) {
    return keySources.containsKey(path);
  }

  void recordKey(String path, String source) {
    keySources.put(path, source);
  }

  void recordValue(String path, String source) {
    valueSources.put(path, source);
  }

  /** {@code path} and everything under it now come from {@code source}. */
  void override(String path, String source) {
    String prefix = path + ".";
    keySources.keySet().removeIf(k -> k.startsWith(prefix));
    valueSources.keySet().removeIf(k -> k.startsWith(prefix));
    keySources.put(path, source);
    valueSources.put(path, source);
  }

  /** Where the key {@code path} (or its nearest recorded ancestor) was written. */
  String keySource(String path) {
    return lookup(keySources, path);
  }

  /** Where the value of {@code path} (or its nearest recorded ancestor) was written. */
  String valueSource(String path) {
    String s = lookupOrNull(valueSources, path);
    return s != null ? s : keySource(path);
  }

  private String lookup(Map<String, String> sources, String path) {
    String s = lookupOrNull(sources, path);
    return s != null ? s : fallback;
  }

  private static String lookupOrNull(Map<String, String> sources, String path) {
    String p = path == null ? "" : path;
    while (true) {
      String s = sources.get(p);
      if (s != null) {
        return s;
      }
      int dot = p.lastIndexOf('.');
      if (dot < 0) {
        return null;
      }
      p = p.substring(0, dot);
    }
  }
}
