package dev.x0tta6bl4.consensus;

/**
 * A value read from the store with its version. The version is the store-wide revision at which
 * the key was last written, so it never repeats for a key, even after delete and re-create.
 */
public record Versioned(long version, byte[] value) {
  public Versioned {
    java.util.Objects.requireNonNull(value, "value");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Versioned v && v.version == version && java.util.Arrays.equals(v.value, value);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(version) * 31 + java.util.Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    return "Versioned[version=" + version + ", " + value.length + " bytes]";
  }
}
