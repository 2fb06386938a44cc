package dev.x0tta6bl4.node.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;

/**
 * Seeds for simulation tests: a fixed list by default, so CI runs the same catalogue every time,
 * or the one seed given with {@code -Dmeshd.sim.seed=N} to replay a failure. Every run prints its
 * seed; a failure message names it with the property to set.
 */
final class SimSeeds {
  static final String PROPERTY = "meshd.sim.seed";
  static final String THREADS_PROPERTY = "meshd.sim.threads";

  private SimSeeds() {}

  /** {@code count} seeds starting at {@code first}, or only the seed from the property. */
  static List<Long> seeds(long first, int count) {
    String fixed = System.getProperty(PROPERTY);
    if (fixed != null && !fixed.isBlank()) {
      try {
        return List.of(Long.parseLong(fixed.trim()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "-D" + PROPERTY + "=" + fixed + " is not a seed; expected a 64-bit integer", e);
      }
    }
    List<Long> seeds = new ArrayList<>(count);
    LongStream.range(first, first + count).forEach(seeds::add);
    return seeds;
  }

  /**
   * Threads for running seeds side by side: {@code -Dmeshd.sim.threads=N} when set, else {@code
   * wanted} capped at the available processors. Seeds are independent, so this changes the wall
   * time only, never a result.
   */
  static int threads(int wanted) {
    String fixed = System.getProperty(THREADS_PROPERTY);
    if (fixed != null && !fixed.isBlank()) {
      try {
        int value = Integer.parseInt(fixed.trim());
        if (value >= 1) {
          return value;
        }
      } catch (NumberFormatException e) {
        // falls through to the error below
      }
      throw new IllegalArgumentException(
          "-D" + THREADS_PROPERTY + "=" + fixed + " is not a thread count; expected an integer >= 1");
    }
    return Math.max(1, Math.min(wanted, Runtime.getRuntime().availableProcessors()));
  }
}
