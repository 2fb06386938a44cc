package dev.x0tta6bl4.node.sim;

import dev.x0tta6bl4.node.delivery.BroadcastId;
import dev.x0tta6bl4.node.delivery.DeliveryAction;
import dev.x0tta6bl4.node.delivery.FailureReason;
import dev.x0tta6bl4.node.delivery.MessageId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the applications of the simulated nodes saw, checked as it happens against the delivery
 * contract:
 *
 * <ul>
 *   <li>a unicast message reaches the application of its destination at most once per process
 *       life of the destination ({@code duplicate delivery} otherwise);
 *   <li>every accepted send ends with exactly one outcome, and an acknowledged message was
 *       delivered before its ack ({@code acknowledged but never delivered} otherwise);
 *   <li>a broadcast reaches each node's application at most once per process life.
 * </ul>
 *
 * A restarted destination has lost its dedup window, so a retransmission of a message its
 * previous life already delivered is delivered again; those are counted separately ({@link
 * #redeliveredAfterRestart()}), not as violations. Single-threaded.
 */
final class SimLedger {
  /** One accepted unicast send. */
  static final class Sent {
    final MessageId id;
    final int sourceIncarnation;
    final long sentAt;
    final List<Integer> deliveredInLives = new ArrayList<>(1);
    String outcome;
    FailureReason failure;
    long outcomeAt;
    int attempts;

    Sent(MessageId id, int sourceIncarnation, long sentAt) {
      this.id = id;
      this.sourceIncarnation = sourceIncarnation;
      this.sentAt = sentAt;
    }

    boolean delivered() {
      return !deliveredInLives.isEmpty();
    }

    boolean acknowledged() {
      return "delivered".equals(outcome);
    }
  }

  private final Map<MessageId, Sent> sent = new LinkedHashMap<>();
  /** Broadcast id to (node index * 2^20 + incarnation) to deliveries. */
  private final Map<BroadcastId, Map<Long, Integer>> broadcasts = new HashMap<>();
  private final List<String> violations = new ArrayList<>();
  private long deliveries;
  private long redeliveredAfterRestart;
  private long broadcastDeliveries;
  private long now;

  void sent(SimNode source, MessageId id, long at) {
    sent.put(id, new Sent(id, source.incarnation, at));
  }

  void record(SimNode node, DeliveryAction action) {
    if (action instanceof DeliveryAction.Deliver deliver) {
      delivered(node, deliver.message().id());
    } else if (action instanceof DeliveryAction.Delivered done) {
      outcome(node, done.id(), "delivered", null, done.attempts());
    } else if (action instanceof DeliveryAction.DeliveryFailed failed) {
      outcome(node, failed.id(), "failed", failed.reason(), failed.attempts());
    } else if (action instanceof DeliveryAction.DeliverBroadcast deliver) {
      broadcastDelivered(node, deliver.message().id());
    }
  }

  private void delivered(SimNode node, MessageId id) {
    deliveries++;
    Sent s = sent.get(id);
    if (s == null) {
      // A send to the node itself is delivered inside send(), before the ledger hears of it.
      if (!id.source().equals(node.id) || !id.destination().equals(node.id)) {
        violation(node.id + " delivered " + id + ", which was never sent");
      }
      return;
    }
    if (!id.destination().equals(node.id)) {
      violation(node.id + " delivered " + id + ", addressed to " + id.destination());
    }
    if (s.deliveredInLives.contains(node.incarnation)) {
      violation("duplicate delivery of " + id + " at " + node.id + " (life " + node.incarnation + ")");
    } else if (!s.deliveredInLives.isEmpty()) {
      redeliveredAfterRestart++;
    }
    s.deliveredInLives.add(node.incarnation);
  }

  private void outcome(SimNode node, MessageId id, String outcome, FailureReason reason, int attempts) {
    Sent s = sent.get(id);
    if (s == null) {
      if (!id.destination().equals(node.id)) { // sends to self complete inside send()
        violation(node.id + " got outcome " + outcome + " for unknown message " + id);
      }
      return;
    }
    if (s.outcome != null) {
      violation(id + " ended twice: " + s.outcome + " then " + outcome);
      return;
    }
    if (node.incarnation != s.sourceIncarnation) {
      violation(id + " got outcome " + outcome + " in a later life of its source");
    }
    if ("delivered".equals(outcome) && !s.delivered()) {
      violation(id + " was acknowledged but never delivered");
    }
    s.outcome = outcome;
    s.failure = reason;
    s.outcomeAt = now;
    s.attempts = attempts;
  }

  private void broadcastDelivered(SimNode node, BroadcastId id) {
    broadcastDeliveries++;
    long key = ((long) node.index << 20) + node.incarnation;
    int count = broadcasts.computeIfAbsent(id, k -> new HashMap<>()).merge(key, 1, Integer::sum);
    if (count > 1) {
      violation("duplicate delivery of broadcast " + id + " at " + node.id + " (life "
          + node.incarnation + ")");
    }
  }

  private void violation(String what) {
    if (violations.size() < 100) {
      violations.add(what);
    }
  }

  /** Sets the time stamped on outcomes. */
  void now(long value) {
    now = value;
  }

  Sent get(MessageId id) {
    return sent.get(id);
  }

  /** Deliveries of broadcast {@code id} to node {@code index} in life {@code incarnation}. */
  int broadcastDeliveries(BroadcastId id, int index, int incarnation) {
    Map<Long, Integer> m = broadcasts.get(id);
    return m == null ? 0 : m.getOrDefault(((long) index << 20) + incarnation, 0);
  }

  /** The accepted unicast sends, in order. */
  Iterable<Sent> sends() {
    return sent.values();
  }

  int sendCount() {
    return sent.size();
  }

  List<String> violations() {
    return violations;
  }

  long deliveries() {
    return deliveries;
  }

  long broadcastDeliveries() {
    return broadcastDeliveries;
  }

  long redeliveredAfterRestart() {
    return redeliveredAfterRestart;
  }
}
