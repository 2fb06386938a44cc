package dev.x0tta6bl4.node.config;

import java.util.Comparator;
import java.util.List;

/**
 * An amount of bytes written the human way: {@code 512B}, {@code 8KiB}, {@code 64MiB},
 * {@code 1GiB}, {@code 2TiB} (powers of 1024) or {@code 1KB}, {@code 5MB}, {@code 1GB},
 * {@code 1TB} (powers of 1000). A whole number followed directly by the unit.
 *
 * <p>{@link #toString()} prints the largest unit that represents the size exactly, so
 * {@code parse(size.toString()).equals(size)}.
 *
 * @param bytes the size in bytes, zero or more
 */
public record DataSize(long bytes) implements Comparable<DataSize> {
  /** What a size may look like, for error messages. */
  public static final String ALLOWED =
      "a whole number followed by B, KiB, MiB, GiB, TiB (powers of 1024) or KB, MB, GB, TB"
          + " (powers of 1000), e.g. 512B, 8KiB, 64MiB";

  private record Unit(String suffix, long bytes) {}

  /** Largest first, so printing picks the largest unit that divides exactly. */
  private static final List<Unit> UNITS =
      List.of(
              new Unit("B", 1L),
              new Unit("KB", 1_000L),
              new Unit("KiB", 1L << 10),
              new Unit("MB", 1_000_000L),
              new Unit("MiB", 1L << 20),
              new Unit("GB", 1_000_000_000L),
              new Unit("GiB", 1L << 30),
              new Unit("TB", 1_000_000_000_000L),
              new Unit("TiB", 1L << 40))
          .stream()
          .sorted(Comparator.comparingLong(Unit::bytes).reversed())
          .toList();

  /** Validates the size. */
  public DataSize {
    if (bytes < 0) {
      throw ConfigException.invalidValue("negative size " + bytes + "B", "zero or more bytes");
    }
  }

  /** A size of {@code bytes} bytes. */
  public static DataSize ofBytes(long bytes) {
    return new DataSize(bytes);
  }

  /** A size of {@code kib} * 1024 bytes. */
  public static DataSize ofKibibytes(long kib) {
    return new DataSize(Math.multiplyExact(kib, 1024L));
  }

  /** A size of {@code mib} * 1024 * 1024 bytes. */
  public static DataSize ofMebibytes(long mib) {
    return new DataSize(Math.multiplyExact(mib, 1L << 20));
  }

  /**
   * Parses {@code text}.
   *
   * @throws ConfigException if the text is not a whole number with a known unit, or the size
   *     does not fit in a {@code long} count of bytes
   */
  public static DataSize parse(String text) {
    if (text == null || text.isEmpty()) {
      throw ConfigException.invalidValue("empty size", ALLOWED);
    }
    int digits = 0;
    while (digits < text.length() && text.charAt(digits) >= '0' && text.charAt(digits) <= '9') {
      digits++;
    }
    if (digits == 0) {
      String problem =
          text.startsWith("-")
              ? ConfigException.quote(text) + " is negative"
              : ConfigException.quote(text) + " does not start with a whole number";
      throw ConfigException.invalidValue(problem, ALLOWED);
    }
    String suffix = text.substring(digits);
    if (suffix.isEmpty()) {
      throw ConfigException.invalidValue(ConfigException.quote(text) + " has no unit", ALLOWED);
    }
    Unit unit = UNITS.stream().filter(u -> u.suffix().equals(suffix)).findFirst().orElse(null);
    if (unit == null) {
      throw ConfigException.invalidValue(
          ConfigException.quote(text) + " has unknown unit " + ConfigException.quote(suffix),
          ALLOWED);
    }
    try {
      long count = Long.parseLong(text.substring(0, digits));
      return new DataSize(Math.multiplyExact(count, unit.bytes()));
    } catch (NumberFormatException | ArithmeticException e) {
      throw ConfigException.invalidValue(
          ConfigException.quote(text) + " is too large", "at most " + Long.MAX_VALUE + "B");
    }
  }

  @Override
  public int compareTo(DataSize other) {
    return Long.compare(bytes, other.bytes);
  }

  /** Prints the size with the largest exact unit, e.g. {@code 8KiB}, {@code 1000B}. */
  @Override
  public String toString() {
    if (bytes == 0) {
      return "0B";
    }
    for (Unit unit : UNITS) {
      if (bytes % unit.bytes() == 0) {
        return (bytes / unit.bytes()) + unit.suffix();
      }
    }
    throw new AssertionError("1B divides every size");
  }
}
