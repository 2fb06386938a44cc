package dev.x0tta6bl4.consensus;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Group commit for single operations, up to {@code maxOps} per Raft entry. An operation leaves at
 * once when no batch is being replicated, so batching costs no latency without contention. While
 * a batch is in flight, new operations gather and leave together when it completes; only a full
 * batch ({@code maxOps} waiting) may leave earlier, with at most {@code maxInFlight} batches in
 * flight. Under load one Raft entry (one log append, one fsync, one round of AppendEntries, one
 * apply per replica) then carries the operations of every caller that waited.
 *
 * <p>Why partial batches do not overlap: callers that wait for each write before the next
 * (closed loop) keep a fixed number of operations outstanding, so sending a second partial batch
 * only splits them over more entries without adding throughput. With up to four partial batches
 * in flight, 16 such callers over three members shared about 1.5 operations per entry; waiting
 * for the batch in flight doubled that (load-tests {@code ConsensusLoad}, docs/benchmarks.md).
 *
 * <p>Thread-safe: callers from any thread; the queue is guarded by this object's monitor and
 * batches are sent outside it.
 */
final class CommandBatcher {
  private final int maxOps;
  private final int maxInFlight;
  private final Function<List<KvOp>, CompletableFuture<List<OpResult>>> sender;
  private final Runnable onShared;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private int inFlight;

  private record Pending(KvOp op, CompletableFuture<OpResult> result) {}

  CommandBatcher(int maxOps, int maxInFlight,
      Function<List<KvOp>, CompletableFuture<List<OpResult>>> sender, Runnable onShared) {
    this.maxOps = maxOps;
    this.maxInFlight = maxInFlight;
    this.sender = sender;
    this.onShared = onShared;
  }

  CompletableFuture<OpResult> submit(KvOp op) {
    CompletableFuture<OpResult> f = new CompletableFuture<>();
    synchronized (this) {
      queue.add(new Pending(op, f));
    }
    drain();
    return f;
  }

  private void drain() {
    while (true) {
      List<Pending> batch;
      synchronized (this) {
        if (!mayLeave()) {
          return;
        }
        int n = Math.min(maxOps, queue.size());
        batch = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          batch.add(queue.poll());
        }
        inFlight++;
      }
      send(batch);
    }
  }

  /** Whether the head of the queue may leave now; the caller holds the monitor. */
  private boolean mayLeave() {
    if (queue.isEmpty() || inFlight >= maxInFlight) {
      return false;
    }
    return inFlight == 0 || queue.size() >= maxOps;
  }

  private void send(List<Pending> batch) {
    List<KvOp> ops = new ArrayList<>(batch.size());
    for (Pending p : batch) {
      ops.add(p.op());
    }
    if (batch.size() > 1) {
      for (int i = 0; i < batch.size(); i++) {
        onShared.run();
      }
    }
    CompletableFuture<List<OpResult>> sent;
    try {
      sent = sender.apply(ops);
    } catch (RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    sent.whenComplete((results, error) -> {
      // Complete the callers first and only then let the next batch leave: a caller that
      // submits again as soon as its write completes would otherwise leave alone in a batch of
      // one, ahead of the others it woke with it.
      for (int i = 0; i < batch.size(); i++) {
        if (error != null) {
          batch.get(i).result().completeExceptionally(error);
        } else {
          batch.get(i).result().complete(results.get(i));
        }
      }
      synchronized (this) {
        inFlight--;
      }
      drain();
    });
  }
}
