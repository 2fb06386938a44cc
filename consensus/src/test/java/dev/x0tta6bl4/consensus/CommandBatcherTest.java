package dev.x0tta6bl4.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.x0tta6bl4.consensus.ConsensusException.NoQuorumException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The batcher's policy, with a sender the test completes by hand (no Raft, no threads). */
class CommandBatcherTest {
  /** Records every batch sent and holds its reply until the test completes it. */
  private static final class FakeSender {
    final List<List<KvOp>> batches = new ArrayList<>();
    final List<CompletableFuture<List<OpResult>>> replies = new ArrayList<>();

    CompletableFuture<List<OpResult>> send(List<KvOp> ops) {
      CompletableFuture<List<OpResult>> reply = new CompletableFuture<>();
      batches.add(List.copyOf(ops));
      replies.add(reply);
      return reply;
    }

    /** Answers batch {@code i}: operation j of it gets version 100 * i + j. */
    void complete(int i) {
      List<OpResult> results = new ArrayList<>();
      for (int j = 0; j < batches.get(i).size(); j++) {
        results.add(new OpResult(OpResult.Code.OK, 100L * i + j));
      }
      replies.get(i).complete(results);
    }

    List<Integer> sizes() {
      return batches.stream().map(List::size).toList();
    }
  }

  private final FakeSender sender = new FakeSender();
  private final AtomicInteger shared = new AtomicInteger();

  private CommandBatcher batcher(int maxOps, int maxInFlight) {
    return new CommandBatcher(maxOps, maxInFlight, sender::send, shared::incrementAndGet);
  }

  /** Ten distinct operations; compared by identity (a Put's value is an array). */
  private final List<KvOp> ops = java.util.stream.IntStream.range(0, 10)
      .<KvOp>mapToObj(i -> new KvOp.Put("k" + i, new byte[] {(byte) i})).toList();

  private KvOp put(int i) {
    return ops.get(i);
  }

  @Test
  void submit_nothingInFlight_leavesAtOnceAlone() {
    CommandBatcher b = batcher(256, 4);

    CompletableFuture<OpResult> f = b.submit(put(0));

    assertThat(sender.sizes()).containsExactly(1);
    sender.complete(0);
    assertThat(f).isCompletedWithValue(new OpResult(OpResult.Code.OK, 0));
    assertThat(shared).hasValue(0);
  }

  @Test
  void submit_whileABatchIsInFlight_waitsAndLeavesWithTheOthersWhenItCompletes() {
    CommandBatcher b = batcher(256, 4);
    b.submit(put(0));
    List<CompletableFuture<OpResult>> waiting = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      waiting.add(b.submit(put(i)));
    }

    // Four batches may be in flight, but a partial one does not overlap the first.
    assertThat(sender.sizes()).containsExactly(1);
    sender.complete(0);

    assertThat(sender.sizes()).containsExactly(1, 5);
    assertThat(sender.batches.get(1)).containsExactly(put(1), put(2), put(3), put(4), put(5));
    assertThat(shared).hasValue(5);
    sender.complete(1);
    for (int j = 0; j < 5; j++) {
      assertThat(waiting.get(j)).isCompletedWithValue(new OpResult(OpResult.Code.OK, 100 + j));
    }
  }

  @Test
  void callersResubmittingAsTheirWritesComplete_leaveTogether_notTheFirstOneAlone() {
    CommandBatcher b = batcher(256, 4);
    // Closed-loop callers: each submits its next write from its completion, as a caller woken by
    // its acknowledgement does. Callers 0-2 share a batch behind a first write in flight.
    b.submit(put(9));
    for (int i = 0; i < 3; i++) {
      int next = i + 3;
      b.submit(put(i)).thenRun(() -> b.submit(put(next)));
    }
    sender.complete(0);
    assertThat(sender.sizes()).containsExactly(1, 3);

    sender.complete(1);

    // Their three next writes leave as one batch, not one alone followed by the other two.
    assertThat(sender.sizes()).containsExactly(1, 3, 3);
    assertThat(sender.batches.get(2)).containsExactly(put(3), put(4), put(5));
  }

  @Test
  void submit_fullBatchesWaiting_overlapUpToMaxInFlight() {
    CommandBatcher b = batcher(2, 2);
    b.submit(put(0));            // leaves alone
    b.submit(put(1));            // partial: waits
    b.submit(put(2));            // full batch of two: leaves, two in flight
    b.submit(put(3));
    b.submit(put(4));            // full again, but two are in flight already
    b.submit(put(5));

    assertThat(sender.sizes()).containsExactly(1, 2);
    sender.complete(0);          // one in flight: a full batch may leave, the rest waits
    assertThat(sender.sizes()).containsExactly(1, 2, 2);
    assertThat(sender.batches.get(2)).containsExactly(put(3), put(4));
    sender.complete(1);
    sender.complete(2);          // nothing in flight: the partial remainder leaves
    assertThat(sender.sizes()).containsExactly(1, 2, 2, 1);
    assertThat(sender.batches.get(3)).containsExactly(put(5));
  }

  @Test
  void failedBatch_failsEachOfItsOperations_andTheNextBatchStillLeaves() {
    CommandBatcher b = batcher(256, 1);
    CompletableFuture<OpResult> first = b.submit(put(0));
    CompletableFuture<OpResult> second = b.submit(put(1));
    CompletableFuture<OpResult> third = b.submit(put(2));

    sender.replies.get(0).completeExceptionally(new NoQuorumException("no leader", null));

    assertThat(first).isCompletedExceptionally();
    assertThat(sender.sizes()).containsExactly(1, 2);
    sender.replies.get(1).completeExceptionally(new NoQuorumException("still none", null));
    assertThat(second).isCompletedExceptionally();
    assertThat(third).isCompletedExceptionally();
  }

  @Test
  void senderThrowing_failsTheBatchWithoutBlockingTheQueue() {
    AtomicInteger calls = new AtomicInteger();
    CommandBatcher b = new CommandBatcher(256, 1, ops -> {
      if (calls.getAndIncrement() == 0) {
        throw new IllegalStateException("store is closed");
      }
      return sender.send(ops);
    }, shared::incrementAndGet);

    CompletableFuture<OpResult> failed = b.submit(put(0));
    b.submit(put(1));

    assertThat(failed).isCompletedExceptionally();
    assertThat(sender.sizes()).containsExactly(1);
  }
}
