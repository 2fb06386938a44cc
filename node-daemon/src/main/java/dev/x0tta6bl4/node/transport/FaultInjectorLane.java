package dev.x0tta6bl4.node.transport;

import dev.x0tta6bl4.node.transport.FaultPlan.Direction;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * The fault pipeline of one direction of a {@link FaultInjector}: drop, corrupt, duplicate,
 * reorder, delay and pace messages, then hand them to the next handler.
 *
 * <p>All state except the counters is owned by the channel's event loop; every method except
 * {@link #counters()} runs on it. The counters are written only there and may be read anywhere.
 */
final class FaultInjectorLane {
  private static final long NANOS_PER_SECOND = 1_000_000_000L;
  // Ceiling of the bucket while messages wait for tokens, in byte-nanoseconds; far from overflow.
  private static final long BACKLOG_TOKEN_LIMIT = 4_000_000_000_000_000_000L;

  /** Where released messages go: the next inbound or outbound handler. */
  interface Output {
    void emit(Object msg, ChannelPromise promise, boolean flushAfter);

    /** Called after a timer released at least one message (inbound: fire read-complete). */
    void afterTimerBatch();
  }

  private static final class Entry {
    final Object msg;
    final ChannelPromise promise;
    long due;
    boolean flushAfter;
    boolean throttled;

    Entry(Object msg, ChannelPromise promise) {
      this.msg = msg;
      this.promise = promise;
    }
  }

  private final Direction direction;
  private final Supplier<FaultPlan> plan;
  private final RandomGenerator random;
  private final Output output;

  private final AtomicLong passed = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong duplicated = new AtomicLong();
  private final AtomicLong reordered = new AtomicLong();
  private final AtomicLong corrupted = new AtomicLong();
  private final AtomicLong delayed = new AtomicLong();
  private final AtomicLong throttled = new AtomicLong();
  private final AtomicLong overflowed = new AtomicLong();

  private final ArrayDeque<Entry> pending = new ArrayDeque<>();
  private ChannelHandlerContext ctx;
  private Entry held;
  private ScheduledFuture<?> heldTimeout;
  private ScheduledFuture<?> drainTask;
  private long drainAt;
  private long lastDue = Long.MIN_VALUE;
  private boolean draining;

  // Token bucket in byte-nanoseconds (bytes * 1e9), so refills are exact integer arithmetic.
  // While messages wait for tokens the bucket is not capped at the burst, so a pacing task that
  // runs late releases what it would have released on time; it is capped again once idle.
  private boolean bucketStarted;
  private boolean backlogged;
  private long tokens;
  private long lastRefill;

  FaultInjectorLane(
      Direction direction, Supplier<FaultPlan> plan, RandomGenerator random, Output output) {
    this.direction = direction;
    this.plan = plan;
    this.random = random;
    this.output = output;
  }

  void attach(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  FaultInjector.Counters counters() {
    return new FaultInjector.Counters(
        passed.get(),
        dropped.get(),
        duplicated.get(),
        reordered.get(),
        corrupted.get(),
        delayed.get(),
        throttled.get(),
        overflowed.get());
  }

  /** Takes ownership of {@code msg} (and completes {@code promise}, outbound only). */
  void accept(Object msg, ChannelPromise promise) {
    FaultPlan p = plan.get();
    if (p.blocked() || chance(p.lossProbability())) {
      drop(msg, promise);
      return;
    }
    Object message = msg;
    if (message instanceof ByteBuf buf && buf.isReadable() && chance(p.corruptProbability())) {
      message = corruptCopy(buf);
    }
    Entry first = new Entry(message, promise);
    Entry second = null;
    if (chance(p.duplicateProbability())) {
      second = new Entry(duplicate(message), promise == null ? null : ctx.newPromise());
      duplicated.incrementAndGet();
    }
    offer(p, first);
    if (second != null) {
      offer(p, second);
    }
    drain(false);
  }

  /** Marks the messages still held back so that a flush follows their delayed write. */
  void markFlush() {
    if (!pending.isEmpty()) {
      pending.peekLast().flushAfter = true;
    }
    if (held != null) {
      held.flushAfter = true;
    }
  }

  /** Drops every held or queued message and cancels the timers; the lane stays usable. */
  void discardAll() {
    cancel(heldTimeout);
    cancel(drainTask);
    heldTimeout = null;
    drainTask = null;
    if (held != null) {
      Entry h = held;
      held = null;
      discard(h);
    }
    Entry e;
    while ((e = pending.pollFirst()) != null) {
      discard(e);
    }
  }

  private void offer(FaultPlan p, Entry entry) {
    if (held != null) {
      Entry overtaken = held;
      held = null;
      cancel(heldTimeout);
      heldTimeout = null;
      enqueue(p, entry);
      enqueue(p, overtaken);
      reordered.incrementAndGet();
    } else if (chance(p.reorderProbability())) {
      held = entry;
      heldTimeout =
          ctx.executor()
              .schedule(this::releaseHeld, p.reorderWindow().toNanos(), TimeUnit.NANOSECONDS);
    } else {
      enqueue(p, entry);
    }
  }

  private void releaseHeld() {
    heldTimeout = null;
    if (held != null) {
      Entry h = held;
      held = null;
      enqueue(plan.get(), h);
      drain(true);
    }
  }

  private void enqueue(FaultPlan p, Entry entry) {
    long now = now();
    long extra = p.delay().toNanos();
    long jitter = p.jitter().toNanos();
    if (jitter > 0) {
      extra += random.nextLong(jitter + 1);
    }
    // Never earlier than the message before it: jitter does not reorder.
    long due = Math.max(now + extra, lastDue);
    if (pending.size() >= p.queueLimit()) {
      overflowed.incrementAndGet();
      drop(entry.msg, entry.promise);
      return;
    }
    if (extra > 0) {
      delayed.incrementAndGet();
    }
    lastDue = due;
    entry.due = due;
    pending.addLast(entry);
  }

  private void drain(boolean fromTimer) {
    if (draining) {
      return; // an emit re-entered the lane; the outer loop picks up what was added
    }
    draining = true;
    boolean emitted = false;
    try {
      Entry head;
      while ((head = pending.peekFirst()) != null) {
        long now = now();
        if (head.due > now) {
          scheduleDrain(now, head.due - now);
          break;
        }
        FaultPlan p = plan.get();
        long wait = acquireTokens(p, head.msg, now);
        backlogged = wait > 0;
        if (wait > 0) {
          if (!head.throttled) {
            head.throttled = true;
            throttled.incrementAndGet();
          }
          scheduleDrain(now, wait);
          break;
        }
        pending.pollFirst();
        passed.incrementAndGet();
        emitted = true;
        output.emit(head.msg, head.promise, head.flushAfter);
      }
    } finally {
      draining = false;
    }
    FaultPlan current = plan.get();
    if (!backlogged && bucketStarted && current.capsBandwidth()) {
      tokens = Math.min(tokens, current.burstBytes() * NANOS_PER_SECOND);
    }
    if (emitted && fromTimer) {
      output.afterTimerBatch();
    }
  }

  /** Takes tokens for {@code msg} and returns 0, or returns the nanoseconds until it may pass. */
  private long acquireTokens(FaultPlan p, Object msg, long now) {
    if (!p.capsBandwidth()) {
      bucketStarted = false;
      return 0;
    }
    long size = wireSize(msg);
    if (size == 0) {
      return 0;
    }
    long rate = p.bandwidthBytesPerSecond();
    if (!bucketStarted) {
      bucketStarted = true;
      tokens = p.burstBytes() * NANOS_PER_SECOND;
    } else {
      long limit = backlogged ? BACKLOG_TOKEN_LIMIT : p.burstBytes() * NANOS_PER_SECOND;
      long elapsed = now - lastRefill;
      if (elapsed > 0 && tokens < limit) {
        tokens = elapsed >= ceilDiv(limit - tokens, rate) ? limit : tokens + elapsed * rate;
      }
    }
    lastRefill = now;
    long needed = Math.min(size, p.burstBytes()) * NANOS_PER_SECOND;
    if (tokens >= needed) {
      tokens -= size * NANOS_PER_SECOND;
      return 0;
    }
    return ceilDiv(needed - tokens, rate);
  }

  /**
   * Bytes {@code msg} takes on the wire: a buffer's readable bytes, a decoded frame's encoded
   * length (mesh links carry frame objects at this point of the pipeline), else 0 (passes free).
   */
  private static long wireSize(Object msg) {
    if (msg instanceof ByteBuf buf) {
      return buf.readableBytes();
    }
    if (msg instanceof Frame frame) {
      return FrameEncoder.encodedLength(frame);
    }
    return 0;
  }

  private void scheduleDrain(long now, long delayNanos) {
    long at = now + delayNanos;
    if (drainTask != null) {
      if (drainAt <= at) {
        return; // an earlier drain will run and reschedule
      }
      drainTask.cancel(false);
    }
    drainAt = at;
    drainTask =
        ctx.executor()
            .schedule(
                () -> {
                  drainTask = null;
                  drain(true);
                },
                delayNanos,
                TimeUnit.NANOSECONDS);
  }

  private ByteBuf corruptCopy(ByteBuf original) {
    int length = original.readableBytes();
    ByteBuf copy = ctx.alloc().buffer(length, length);
    copy.writeBytes(original, original.readerIndex(), length);
    original.release();
    long bit = random.nextLong(length * 8L);
    int index = (int) (bit >>> 3);
    copy.setByte(index, copy.getByte(index) ^ (1 << (bit & 7)));
    corrupted.incrementAndGet();
    return copy;
  }

  private static Object duplicate(Object msg) {
    if (msg instanceof ByteBuf buf) {
      return buf.retainedDuplicate();
    }
    return ReferenceCountUtil.retain(msg);
  }

  /** A lossy network does not tell the sender: the write promise succeeds. */
  private void drop(Object msg, ChannelPromise promise) {
    dropped.incrementAndGet();
    ReferenceCountUtil.release(msg);
    if (promise != null) {
      promise.trySuccess();
    }
  }

  /** The channel went away with the message still in flight: its write fails as Netty's would. */
  private void discard(Entry entry) {
    dropped.incrementAndGet();
    ReferenceCountUtil.release(entry.msg);
    if (entry.promise != null) {
      entry.promise.tryFailure(new ClosedChannelException());
    }
  }

  private boolean chance(double probability) {
    return probability > 0.0 && (probability >= 1.0 || random.nextDouble() < probability);
  }

  private long now() {
    return ctx.executor().ticker().nanoTime();
  }

  private static void cancel(ScheduledFuture<?> future) {
    if (future != null) {
      future.cancel(false);
    }
  }

  private static long ceilDiv(long dividend, long divisor) {
    return dividend <= 0 ? 0 : (dividend + divisor - 1) / divisor;
  }

  @Override
  public String toString() {
    return "FaultInjectorLane[" + direction + "]";
  }
}
