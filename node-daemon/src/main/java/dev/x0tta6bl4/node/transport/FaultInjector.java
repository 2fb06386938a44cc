package dev.x0tta6bl4.node.transport;

import dev.x0tta6bl4.node.transport.FaultPlan.Direction;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.random.RandomGenerator;

/**
 * A Netty handler that injects network faults into one link for tests and demos: delay and
 * jitter, loss, duplication, reordering, corruption, a bandwidth cap, a full partition and a
 * one-way partition (see {@link FaultPlan}), and a {@link FrameRewriter} that alters or replaces
 * written frames (a misbehaving relay). Inbound messages ({@code channelRead}) follow {@link
 * FaultPlans#inbound()}, outbound messages ({@code write}) follow {@link FaultPlans#outbound()}.
 *
 * <h2>Placement</h2>
 *
 * <p>It sits between the TLS handler and the frame codec, so it acts on whole plaintext frames:
 *
 * <pre>
 *   socket | SslHandler | FaultInjector | FrameDecoder / FrameEncoder | link handlers
 * </pre>
 *
 * It handles both kinds of message found there: {@link io.netty.buffer.ByteBuf}s holding one
 * frame each and decoded frame objects. Corruption applies to {@code ByteBuf}s only; the
 * bandwidth cap counts a {@code ByteBuf}'s readable bytes and a frame's encoded length; the other
 * faults apply to any message. Duplicated {@code ByteBuf}s are {@link
 * io.netty.buffer.ByteBuf#retainedDuplicate() retained duplicates}; duplicated other messages are
 * the same object delivered twice (retained once more when reference counted), so they should be
 * immutable. Corruption flips one bit of a copy and releases the original, never mutating a
 * buffer the sender may still hold.
 *
 * <h2>Semantics</h2>
 *
 * <ul>
 *   <li>A write dropped by loss, a partition or a full queue has its promise completed
 *       <em>successfully</em>: a lossy network does not tell the sender.
 *   <li>Messages still held back (delayed, throttled or waiting to be overtaken) when the channel
 *       becomes inactive or the handler is removed are released and counted as dropped; their
 *       write promises fail with {@link java.nio.channels.ClosedChannelException}, as Netty's own
 *       outbound buffer does. A {@code close()} is not delayed.
 *   <li>A {@code flush()} that arrives while writes are held back is repeated after the last of
 *       them is written. Inbound messages released by a timer are followed by a {@code
 *       channelReadComplete}.
 *   <li>Delay never reorders: a message is released no earlier than the one before it.
 * </ul>
 *
 * <h2>Threads</h2>
 *
 * <p>Message handling runs on the channel's event loop; delays and pacing are scheduled there
 * with {@code ctx.executor().schedule} and time is read from the executor's ticker, so tests
 * drive it with {@code EmbeddedChannel.advanceTimeBy} and {@code runScheduledPendingTasks}. The
 * plans may be replaced from any thread ({@link #setPlans}); the change applies to the next
 * message. Counters may be read from any thread. The random generator is used only on the event
 * loop, so it need not be thread-safe, but it must not be shared with another channel.
 *
 * <p>One instance per channel (not sharable). Nothing to close: the channel's pipeline releases
 * it.
 */
public final class FaultInjector extends ChannelDuplexHandler {

  /**
   * What happened to the messages of one direction so far. {@code passed} counts messages handed
   * to the next handler (duplicates included); {@code dropped} counts messages discarded for any
   * reason (loss, partition, a full queue, the channel closing); {@code overflowed} the part of
   * {@code dropped} caused by a full queue; {@code delayed} messages released later than they
   * arrived because of delay or jitter; {@code throttled} messages that had to wait for
   * bandwidth tokens.
   */
  public record Counters(
      long passed,
      long dropped,
      long duplicated,
      long reordered,
      long corrupted,
      long delayed,
      long throttled,
      long overflowed) {}

  private final AtomicReference<FaultPlans> plans;
  private final AtomicReference<FrameRewriter> rewriter;
  private final FaultInjectorLane inbound;
  private final FaultInjectorLane outbound;
  private ChannelHandlerContext ctx;

  /**
   * An injector starting with {@code plans}.
   *
   * @param random the source of every random decision; seed it to reproduce a run
   */
  public FaultInjector(FaultPlans plans, RandomGenerator random) {
    this(new AtomicReference<>(Objects.requireNonNull(plans, "plans")),
        new AtomicReference<>(FrameRewriter.NONE), random);
  }

  /**
   * An injector reading its plans and its outbound {@link FrameRewriter} from live references
   * shared with a {@link FaultController}.
   */
  FaultInjector(AtomicReference<FaultPlans> livePlans,
      AtomicReference<FrameRewriter> liveRewriter, RandomGenerator random) {
    this.plans = Objects.requireNonNull(livePlans, "livePlans");
    this.rewriter = Objects.requireNonNull(liveRewriter, "liveRewriter");
    Objects.requireNonNull(random, "random");
    this.inbound =
        new FaultInjectorLane(
            Direction.INBOUND,
            () -> plans.get().inbound(),
            random,
            new FaultInjectorLane.Output() {
              @Override
              public void emit(Object msg, ChannelPromise promise, boolean flushAfter) {
                ctx.fireChannelRead(msg);
              }

              @Override
              public void afterTimerBatch() {
                ctx.fireChannelReadComplete();
              }
            });
    this.outbound =
        new FaultInjectorLane(
            Direction.OUTBOUND,
            () -> plans.get().outbound(),
            random,
            new FaultInjectorLane.Output() {
              @Override
              public void emit(Object msg, ChannelPromise promise, boolean flushAfter) {
                ctx.write(msg, promise);
                if (flushAfter) {
                  ctx.flush();
                }
              }

              @Override
              public void afterTimerBatch() {}
            });
  }

  /** The plans in force now. */
  public FaultPlans plans() {
    return plans.get();
  }

  /** Replaces both plans; any thread; applies from the next message on. */
  public void setPlans(FaultPlans newPlans) {
    plans.set(Objects.requireNonNull(newPlans, "newPlans"));
  }

  /** Replaces the plan of one direction, keeping the other; any thread. */
  public void setPlan(Direction direction, FaultPlan plan) {
    Objects.requireNonNull(direction, "direction");
    Objects.requireNonNull(plan, "plan");
    plans.updateAndGet(current -> current.with(direction, plan));
  }

  /** What happened to the messages of {@code direction} so far; any thread. */
  public Counters counters(Direction direction) {
    Objects.requireNonNull(direction, "direction");
    return direction == Direction.INBOUND ? inbound.counters() : outbound.counters();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    inbound.attach(ctx);
    outbound.attach(ctx);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    inbound.discardAll();
    outbound.discardAll();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    inbound.accept(msg, null);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    inbound.discardAll();
    outbound.discardAll();
    super.channelInactive(ctx);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof Frame frame) {
      msg = Objects.requireNonNull(rewriter.get().rewrite(frame), "rewritten frame");
    }
    outbound.accept(msg, promise);
  }

  @Override
  public void flush(ChannelHandlerContext ctx) {
    outbound.markFlush();
    ctx.flush();
  }
}
