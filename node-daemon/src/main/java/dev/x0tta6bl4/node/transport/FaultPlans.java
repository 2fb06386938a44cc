package dev.x0tta6bl4.node.transport;

import dev.x0tta6bl4.node.transport.FaultPlan.Direction;
import java.util.Objects;

/**
 * The fault plans of one link end: one for the messages it reads ({@link #inbound}) and one for
 * the messages it writes ({@link #outbound}).
 *
 * <p>An immutable value, safe to share between threads; handed to a {@link FaultInjector} or a
 * {@link FaultController}.
 *
 * @param inbound the plan for messages read from the peer
 * @param outbound the plan for messages written to the peer
 */
public record FaultPlans(FaultPlan inbound, FaultPlan outbound) {

  /** No faults in either direction. */
  public static final FaultPlans NONE = new FaultPlans(FaultPlan.NONE, FaultPlan.NONE);

  private static final FaultPlans PARTITION =
      new FaultPlans(FaultPlan.BLOCKED, FaultPlan.BLOCKED);

  public FaultPlans {
    Objects.requireNonNull(inbound, "inbound");
    Objects.requireNonNull(outbound, "outbound");
  }

  /** The given plans. */
  public static FaultPlans of(FaultPlan inbound, FaultPlan outbound) {
    return new FaultPlans(inbound, outbound);
  }

  /** The same plan in both directions. */
  public static FaultPlans both(FaultPlan plan) {
    return new FaultPlans(plan, plan);
  }

  /** A full partition: everything dropped in both directions. */
  public static FaultPlans partition() {
    return PARTITION;
  }

  /**
   * A one-way partition: everything dropped in {@code blockedDirection}, nothing in the other.
   * {@code oneWay(OUTBOUND)} on node A's end of the link to B means B no longer hears A while A
   * still hears B.
   */
  public static FaultPlans oneWay(Direction blockedDirection) {
    Objects.requireNonNull(blockedDirection, "blockedDirection");
    return blockedDirection == Direction.INBOUND
        ? new FaultPlans(FaultPlan.BLOCKED, FaultPlan.NONE)
        : new FaultPlans(FaultPlan.NONE, FaultPlan.BLOCKED);
  }

  /** The plan for {@code direction}. */
  public FaultPlan plan(Direction direction) {
    return direction == Direction.INBOUND ? inbound : outbound;
  }

  /** A copy with {@code plan} for {@code direction} and this pair's plan for the other. */
  public FaultPlans with(Direction direction, FaultPlan plan) {
    Objects.requireNonNull(direction, "direction");
    return direction == Direction.INBOUND
        ? new FaultPlans(plan, outbound)
        : new FaultPlans(inbound, plan);
  }
}
