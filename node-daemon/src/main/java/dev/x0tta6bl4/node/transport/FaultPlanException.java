package dev.x0tta6bl4.node.transport;

/**
 * An invalid fault-injection argument: a {@link FaultPlan} value out of range, or a node id the
 * {@link FaultController} cannot use. The message names the argument, the bad value and what is
 * allowed.
 *
 * <p>Thrown on the thread that builds the plan or calls the controller. It extends {@link
 * IllegalArgumentException} so generic argument checks still recognise it.
 */
public final class FaultPlanException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /** An exception whose message names the argument, its value and what is allowed. */
  public FaultPlanException(String message) {
    super(message);
  }
}
