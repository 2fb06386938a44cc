package dev.x0tta6bl4.consensus;

import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * One replicated command: a batch of operations from one client session. {@code (clientId, seq)}
 * identifies it, so a retried request is applied at most once; {@code firstOutstanding} is the
 * lowest sequence number the client still waits for, which lets the state machine forget older
 * results.
 */
record Request(UUID clientId, long seq, long firstOutstanding, List<KvOp> ops) {
  Request {
    Objects.requireNonNull(clientId, "clientId");
    if (seq < 1) {
      throw new IllegalArgumentException("seq must be >= 1, got " + seq);
    }
    if (firstOutstanding < 1 || firstOutstanding > seq) {
      throw new IllegalArgumentException(
          "firstOutstanding must be in [1, seq=" + seq + "], got " + firstOutstanding);
    }
    ops = List.copyOf(ops);
    if (ops.isEmpty() || ops.size() > Limits.MAX_OPS_PER_REQUEST) {
      throw new IllegalArgumentException("a request holds 1.." + Limits.MAX_OPS_PER_REQUEST
          + " operations, got " + ops.size());
    }
  }
}
