package dev.x0tta6bl4.node.membership;

/**
 * An invalid argument or setting given to the membership layer (failure detector, phi-accrual
 * detector, their settings). The message names the bad value and what was expected.
 *
 * <p>Immutable; thrown on the caller's thread.
 */
public final class MembershipException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public MembershipException(String message) {
    super(message);
  }
}
