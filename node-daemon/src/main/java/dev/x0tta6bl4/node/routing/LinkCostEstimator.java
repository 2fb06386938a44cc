package dev.x0tta6bl4.node.routing;

import java.time.Duration;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * Turns round-trip-time and delivery measurements of one link into an ETX-like cost that does
 * not flap with jitter:
 *
 * <pre>
 *   cost = round(baseCost * max(srtt, rttFloor) / rttFloor / deliveryRatio^2)
 * </pre>
 *
 * where {@code srtt} and {@code deliveryRatio} are exponentially weighted moving averages with
 * time constant {@code smoothing} (a sample {@code dt} after the previous one weighs {@code 1 -
 * exp(-dt / smoothing)}, so the result does not depend on how often samples come), and the
 * delivery ratio is floored at {@code minDeliveryRatio} so a lossy link keeps a finite cost. The
 * RTT floor keeps sub-millisecond differences between fast links from mattering.
 *
 * <p>Hysteresis: the {@link #reportedCost()} the router sees changes only when the computed cost
 * differs from it by more than {@code hysteresis} (a fraction, default 0.3). With the defaults,
 * independent jitter of +-20 % around a steady RTT keeps the smoothed RTT within a few percent of
 * it, so the reported cost does not move, while a lasting doubling of the RTT is reported after
 * about one smoothing time constant. (A lasting shift between the jitter band's edges, 0.8x to
 * 1.2x, is a real change of 50 % and may be reported.)
 *
 * <p>Not thread-safe: owned by the link's event loop. Holds no resources.
 */
public final class LinkCostEstimator {
  /** Default cost of a lossless link at or below the RTT floor. */
  public static final long DEFAULT_BASE_COST = 100;
  /** Default RTT below which links are considered equally fast. */
  public static final Duration DEFAULT_RTT_FLOOR = Duration.ofMillis(1);
  /** Default EWMA time constant. */
  public static final Duration DEFAULT_SMOOTHING = Duration.ofSeconds(2);
  /** Default relative change needed before a new cost is reported. */
  public static final double DEFAULT_HYSTERESIS = 0.3;
  /** Default lowest delivery ratio used in the formula. */
  public static final double DEFAULT_MIN_DELIVERY_RATIO = 0.1;

  private final long baseCost;
  private final double rttFloorNanos;
  private final double smoothingNanos;
  private final double hysteresis;
  private final double minDeliveryRatio;

  private boolean haveRtt;
  private double srttNanos;
  private long lastRttSampleNanos;
  private boolean haveDelivery;
  private double deliveryRatio = 1.0;
  private long lastDeliverySampleNanos;
  private long reportedCost;

  /** An estimator with every default. */
  public LinkCostEstimator() {
    this(
        DEFAULT_BASE_COST,
        DEFAULT_RTT_FLOOR,
        DEFAULT_SMOOTHING,
        DEFAULT_HYSTERESIS,
        DEFAULT_MIN_DELIVERY_RATIO);
  }

  /**
   * @param baseCost cost of a lossless link at or below the RTT floor, 1..2^32-1
   * @param rttFloor RTT at or below which links cost {@code baseCost}, positive
   * @param smoothing EWMA time constant, positive
   * @param hysteresis relative change needed to report a new cost, in [0, 10]
   * @param minDeliveryRatio floor of the delivery ratio, in (0, 1]
   */
  public LinkCostEstimator(
      long baseCost,
      Duration rttFloor,
      Duration smoothing,
      double hysteresis,
      double minDeliveryRatio) {
    this.baseCost = LinkStateAdvert.requireCost(baseCost, "baseCost");
    this.rttFloorNanos = positiveNanos(rttFloor, "rttFloor");
    this.smoothingNanos = positiveNanos(smoothing, "smoothing");
    if (!(hysteresis >= 0 && hysteresis <= 10)) {
      throw new RoutingException("hysteresis " + hysteresis + " is outside [0, 10]");
    }
    if (!(minDeliveryRatio > 0 && minDeliveryRatio <= 1)) {
      throw new RoutingException("minDeliveryRatio " + minDeliveryRatio + " is outside (0, 1]");
    }
    this.hysteresis = hysteresis;
    this.minDeliveryRatio = minDeliveryRatio;
    this.reportedCost = baseCost;
  }

  /**
   * Adds one RTT measurement.
   *
   * @return the new reported cost if it changed, else empty
   */
  public OptionalLong onRttSample(long rttNanos, long nowNanos) {
    if (rttNanos < 0) {
      throw new RoutingException("RTT sample " + rttNanos + " ns is negative");
    }
    if (!haveRtt) {
      srttNanos = rttNanos;
      haveRtt = true;
    } else {
      srttNanos += weight(nowNanos - lastRttSampleNanos) * (rttNanos - srttNanos);
    }
    lastRttSampleNanos = nowNanos;
    return report();
  }

  /**
   * Adds a delivery measurement: of {@code sent} probes (heartbeats) in a window, {@code
   * delivered} were answered.
   *
   * @return the new reported cost if it changed, else empty
   */
  public OptionalLong onDeliverySample(long sent, long delivered, long nowNanos) {
    if (sent <= 0 || delivered < 0 || delivered > sent) {
      throw new RoutingException(
          "delivery sample " + delivered + "/" + sent + " is invalid; expected 0 <= delivered <="
              + " sent and sent > 0");
    }
    double ratio = (double) delivered / sent;
    if (!haveDelivery) {
      deliveryRatio = ratio;
      haveDelivery = true;
    } else {
      deliveryRatio += weight(nowNanos - lastDeliverySampleNanos) * (ratio - deliveryRatio);
    }
    lastDeliverySampleNanos = nowNanos;
    return report();
  }

  /** The cost last reported (the base cost before any change). */
  public long reportedCost() {
    return reportedCost;
  }

  /** The cost from the current smoothed inputs, before hysteresis. */
  public long currentCost() {
    double rttFactor = haveRtt ? Math.max(srttNanos, rttFloorNanos) / rttFloorNanos : 1.0;
    double ratio = Math.max(deliveryRatio, minDeliveryRatio);
    double cost = baseCost * rttFactor / (ratio * ratio);
    return Math.max(LinkStateAdvert.MIN_COST, Math.min(LinkStateAdvert.MAX_COST, Math.round(cost)));
  }

  /** The smoothed RTT in nanoseconds (0 before the first sample). */
  public double smoothedRttNanos() {
    return srttNanos;
  }

  /** The smoothed delivery ratio (1 before the first sample). */
  public double deliveryRatio() {
    return deliveryRatio;
  }

  private OptionalLong report() {
    long cost = currentCost();
    if (Math.abs(cost - reportedCost) > hysteresis * reportedCost) {
      reportedCost = cost;
      return OptionalLong.of(cost);
    }
    return OptionalLong.empty();
  }

  private double weight(long dtNanos) {
    if (dtNanos <= 0) {
      return 0;
    }
    return -Math.expm1(-dtNanos / smoothingNanos);
  }

  private static double positiveNanos(Duration value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new RoutingException(name + " " + value + " must be positive");
    }
    return value.toNanos();
  }
}
