package dev.x0tta6bl4.node.delivery;

/**
 * Outcome of {@link UnicastDelivery#send} or {@link BroadcastDelivery#broadcast}: accepted with
 * the id the outcome events will carry, or rejected at once with a reason.
 *
 * <p>Immutable; any thread.
 *
 * @param <I> the id type, {@link MessageId} or {@link BroadcastId}
 */
public sealed interface SendResult<I> permits SendResult.Accepted, SendResult.Rejected {

  /** Whether the message was accepted. */
  boolean accepted();

  /**
   * Accepted: for unicast exactly one {@link DeliveryAction.Delivered} or {@link
   * DeliveryAction.DeliveryFailed} with this id follows.
   *
   * @param <I> the id type
   * @param id the message's id
   */
  record Accepted<I>(I id) implements SendResult<I> {
    @Override
    public boolean accepted() {
      return true;
    }
  }

  /**
   * Refused; nothing was sent.
   *
   * @param <I> the id type
   * @param reason why
   * @param retryAfterNanos for {@link Rejection#QUEUE_FULL} an estimate of when a retry may
   *     succeed, else 0
   * @param detail one line naming the bad value or the full limit
   */
  record Rejected<I>(Rejection reason, long retryAfterNanos, String detail)
      implements SendResult<I> {
    @Override
    public boolean accepted() {
      return false;
    }
  }
}
