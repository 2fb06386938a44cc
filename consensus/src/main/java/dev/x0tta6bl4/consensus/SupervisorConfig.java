package dev.x0tta6bl4.consensus;

import java.time.Duration;
import java.util.Objects;

/**
 * Immutable settings of a {@link ConsensusSupervisor}; build with {@link #builder()}. Every
 * setter validates its argument and names it in the error.
 */
public final class SupervisorConfig {
  private final Duration checkInterval;
  private final Duration snapshotInterval;
  private final long minFreeBytes;
  private final Duration rebuildBackoffBase;
  private final Duration rebuildBackoffMax;
  private final DiskSpaceProbe diskProbe;

  private SupervisorConfig(Builder b) {
    checkInterval = b.checkInterval;
    snapshotInterval = b.snapshotInterval;
    minFreeBytes = b.minFreeBytes;
    rebuildBackoffBase = b.rebuildBackoffBase;
    rebuildBackoffMax = b.rebuildBackoffMax;
    diskProbe = b.diskProbe;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Defaults: check every second, snapshot every 10 minutes, 64 MiB minimum free space. */
  public static SupervisorConfig defaults() {
    return builder().build();
  }

  /** How often the server, its log and the disk are checked. */
  public Duration checkInterval() { return checkInterval; }

  /** Time-based snapshot interval; zero disables (the every-N-entries trigger remains). */
  public Duration snapshotInterval() { return snapshotInterval; }

  /** Below this many free bytes on the storage's file system writes are refused; 0 disables. */
  public long minFreeBytes() { return minFreeBytes; }

  /** Delay before the second consecutive rebuild; doubles up to {@link #rebuildBackoffMax}. */
  public Duration rebuildBackoffBase() { return rebuildBackoffBase; }

  public Duration rebuildBackoffMax() { return rebuildBackoffMax; }

  public DiskSpaceProbe diskProbe() { return diskProbe; }

  /** Builder; not thread-safe. */
  public static final class Builder {
    private Duration checkInterval = Duration.ofSeconds(1);
    private Duration snapshotInterval = Duration.ofMinutes(10);
    private long minFreeBytes = 64L << 20;
    private Duration rebuildBackoffBase = Duration.ofSeconds(1);
    private Duration rebuildBackoffMax = Duration.ofSeconds(60);
    private DiskSpaceProbe diskProbe = DiskSpaceProbe.fileStore();

    private Builder() {}

    public Builder checkInterval(Duration d) {
      this.checkInterval = positive("checkInterval", d);
      return this;
    }

    public Builder snapshotInterval(Duration d) {
      if (d == null || d.isNegative()) {
        throw new IllegalArgumentException("snapshotInterval must be zero (off) or positive, got "
            + d);
      }
      this.snapshotInterval = d;
      return this;
    }

    public Builder minFreeBytes(long bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("minFreeBytes must be >= 0 (0 = off), got " + bytes);
      }
      this.minFreeBytes = bytes;
      return this;
    }

    public Builder rebuildBackoff(Duration base, Duration max) {
      positive("rebuildBackoffBase", base);
      positive("rebuildBackoffMax", max);
      if (max.compareTo(base) < 0) {
        throw new IllegalArgumentException("rebuildBackoffMax " + max + " < rebuildBackoffBase "
            + base);
      }
      this.rebuildBackoffBase = base;
      this.rebuildBackoffMax = max;
      return this;
    }

    public Builder diskProbe(DiskSpaceProbe probe) {
      this.diskProbe = Objects.requireNonNull(probe, "diskProbe");
      return this;
    }

    public SupervisorConfig build() {
      return new SupervisorConfig(this);
    }

    private static Duration positive(String name, Duration d) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be a positive duration, got " + d);
      }
      return d;
    }
  }
}
