package dev.x0tta6bl4.node.routing;

import java.util.Objects;

/**
 * The outcome of a failed advert check: a reason for counting and a detail for logs.
 *
 * @param reason what kind of failure
 * @param detail human-readable specifics (origin, sequence, what did not match)
 */
public record AdvertRejection(RejectReason reason, String detail) {
  public AdvertRejection {
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(detail, "detail");
  }
}
