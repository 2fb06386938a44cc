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
}
