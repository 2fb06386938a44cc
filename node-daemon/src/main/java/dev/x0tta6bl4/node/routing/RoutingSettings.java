package dev.x0tta6bl4.node.routing;

import java.time.Duration;
import java.util.Objects;

/**
 * Timings and limits of a {@link LinkStateRouter}. Immutable; build with {@link #builder()} or
 * take {@link #defaults()}.
 *
 * @param minOriginationInterval shortest gap between two own adverts; link changes within it are
 *     coalesced into one advert sent when it ends (default 100 ms)
 * @param refreshInterval an unchanged own advert is re-originated this often (default 30 s)
 * @param refreshJitter fraction by which each refresh gap is randomly shortened, so nodes started
 *     together do not refresh in lock-step (default 0.1, range [0, 0.5])
 * @param maxAge the max-age written into own adverts; a received advert is dropped this long
 *     after it arrived unless a newer one replaces it (default 90 s = 3 x refresh)
 * @param staleMemory how long the sequence number of an aged-out advert is remembered, so that a
 *     late copy of it cannot come back (default 90 s)
 * @param maxOrigins most origins kept in the database (default 4096)
 * @param routeHoldDown shortest gap between two route computations caused by received adverts:
 *     the first change after a quiet spell is computed at once, later ones within this time are
 *     coalesced into one computation when it ends; local link changes are never held (default 5
 *     ms, range [0, 1 s]; 0 computes on every change)
 */
public record RoutingSettings(
    Duration minOriginationInterval,
    Duration refreshInterval,
    double refreshJitter,
    Duration maxAge,
    Duration staleMemory,
    int maxOrigins,
    Duration routeHoldDown) {

  public static final Duration DEFAULT_MIN_ORIGINATION_INTERVAL = Duration.ofMillis(100);
  public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofSeconds(30);
  public static final double DEFAULT_REFRESH_JITTER = 0.1;
  public static final Duration DEFAULT_MAX_AGE = Duration.ofSeconds(90);
  public static final Duration DEFAULT_STALE_MEMORY = Duration.ofSeconds(90);
  public static final int DEFAULT_MAX_ORIGINS = 4096;
  public static final Duration DEFAULT_ROUTE_HOLD_DOWN = Duration.ofMillis(5);
  /** Longest {@link #routeHoldDown()}: routes more than a second behind the database are stale. */
  public static final Duration MAX_ROUTE_HOLD_DOWN = Duration.ofSeconds(1);

  public RoutingSettings {
    requirePositive(minOriginationInterval, "minOriginationInterval");
    requirePositive(refreshInterval, "refreshInterval");
    requirePositive(staleMemory, "staleMemory");
    Objects.requireNonNull(maxAge, "maxAge");
    if (!(refreshJitter >= 0 && refreshJitter <= 0.5)) {
      throw new RoutingException("refreshJitter " + refreshJitter + " is outside [0, 0.5]");
    }
    if (maxAge.toMillis() < LinkStateAdvert.MIN_MAX_AGE_MILLIS
        || maxAge.toMillis() > LinkStateAdvert.MAX_MAX_AGE_MILLIS) {
      throw new RoutingException(
          "maxAge " + maxAge + " is outside [" + LinkStateAdvert.MIN_MAX_AGE_MILLIS + ", "
              + LinkStateAdvert.MAX_MAX_AGE_MILLIS + "] ms");
    }
    if (refreshInterval.compareTo(maxAge) >= 0) {
      throw new RoutingException(
          "refreshInterval " + refreshInterval + " must be shorter than maxAge " + maxAge
              + ", or adverts age out between refreshes");
    }
    if (minOriginationInterval.compareTo(refreshInterval) > 0) {
      throw new RoutingException(
          "minOriginationInterval " + minOriginationInterval + " exceeds refreshInterval "
              + refreshInterval);
    }
    if (maxOrigins < 1) {
      throw new RoutingException("maxOrigins " + maxOrigins + " must be at least 1");
    }
    Objects.requireNonNull(routeHoldDown, "routeHoldDown");
    if (routeHoldDown.isNegative() || routeHoldDown.compareTo(MAX_ROUTE_HOLD_DOWN) > 0) {
      throw new RoutingException(
          "routeHoldDown " + routeHoldDown + " is outside [0, " + MAX_ROUTE_HOLD_DOWN + "]");
    }
  }

  /** The defaults listed on the record components. */
  public static RoutingSettings defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  private static void requirePositive(Duration value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new RoutingException(name + " " + value + " must be positive");
    }
  }

  /** Builds {@link RoutingSettings}; every setter has the record's default. Not thread-safe. */
  public static final class Builder {
    private Duration minOriginationInterval = DEFAULT_MIN_ORIGINATION_INTERVAL;
    private Duration refreshInterval = DEFAULT_REFRESH_INTERVAL;
    private double refreshJitter = DEFAULT_REFRESH_JITTER;
    private Duration maxAge = DEFAULT_MAX_AGE;
    private Duration staleMemory = DEFAULT_STALE_MEMORY;
    private int maxOrigins = DEFAULT_MAX_ORIGINS;
    private Duration routeHoldDown = DEFAULT_ROUTE_HOLD_DOWN;

    private Builder() {}

    public Builder minOriginationInterval(Duration value) {
      this.minOriginationInterval = value;
      return this;
    }

    public Builder refreshInterval(Duration value) {
      this.refreshInterval = value;
      return this;
    }

    public Builder refreshJitter(double value) {
      this.refreshJitter = value;
      return this;
    }

    public Builder maxAge(Duration value) {
      this.maxAge = value;
      return this;
    }

    public Builder staleMemory(Duration value) {
      this.staleMemory = value;
      return this;
    }

    public Builder maxOrigins(int value) {
      this.maxOrigins = value;
      return this;
    }

    public Builder routeHoldDown(Duration value) {
      this.routeHoldDown = value;
      return this;
    }

    /** @throws RoutingException naming the first invalid value */
    public RoutingSettings build() {
      return new RoutingSettings(
          minOriginationInterval, refreshInterval, refreshJitter, maxAge, staleMemory, maxOrigins,
          routeHoldDown);
    }
  }
}
