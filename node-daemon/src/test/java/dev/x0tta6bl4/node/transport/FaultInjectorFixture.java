package dev.x0tta6bl4.node.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.x0tta6bl4.node.transport.FaultPlan.Direction;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCounted;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * An {@link EmbeddedChannel} around one {@link FaultInjector} with frozen virtual time, sending
 * and receiving in either direction and tracking every buffer so a test can check that all of
 * them were released exactly.
 */
final class FaultInjectorFixture implements AutoCloseable {
  // Unpooled direct buffers are leak-tracked and never recycled, so a released buffer's refCnt
  // stays 0 and can be checked at the end of a test.
  private static final UnpooledByteBufAllocator ALLOC = new UnpooledByteBufAllocator(true, false);

  final FaultInjector injector;
  final EmbeddedChannel channel;
  final List<ChannelFuture> writes = new ArrayList<>();
  private final List<ReferenceCounted> tracked = new ArrayList<>();
  private int readCompletes;

  FaultInjectorFixture(FaultPlans plans, long seed) {
    this(new FaultInjector(plans, seedRandom(seed)));
  }

  FaultInjectorFixture(FaultInjector injector) {
    this.injector = injector;
    this.channel =
        new EmbeddedChannel(
            injector,
            new ChannelInboundHandlerAdapter() {
              @Override
              public void channelReadComplete(ChannelHandlerContext ctx) {
                readCompletes++;
                ctx.fireChannelReadComplete();
              }
            });
    channel.config().setAllocator(ALLOC);
    channel.freezeTime();
  }

  static SplittableRandom seedRandom(long seed) {
    System.out.println("FaultInjector test seed: " + seed);
    return new SplittableRandom(seed);
  }

  /**
   * A tracked buffer of {@code size} bytes (at least 4) starting with {@code id}.
   */
  ByteBuf buffer(int id, int size) {
    ByteBuf buf = ALLOC.directBuffer(size, size);
    buf.writeInt(id);
    for (int i = 4; i < size; i++) {
      buf.writeByte(id * 31 + i);
    }
    tracked.add(buf);
    return buf;
  }

  /** Sends {@code msg} in {@code direction} (outbound: write and flush; the future is kept). */
  void send(Direction direction, Object msg) {
    if (direction == Direction.INBOUND) {
      channel.writeInbound(msg);
    } else {
      writes.add(channel.writeOneOutbound(msg));
      channel.flushOutbound();
    }
  }

  /** The next message that came out in {@code direction}, or {@code null}; buffers tracked. */
  Object receive(Direction direction) {
    Object msg = direction == Direction.INBOUND ? channel.readInbound() : channel.readOutbound();
    if (msg instanceof ReferenceCounted counted) {
      tracked.add(counted);
    }
    return msg;
  }

  /** Reads every message out in {@code direction} and returns the ids of the buffers (released). */
  List<Integer> receiveIds(Direction direction) {
    List<Integer> ids = new ArrayList<>();
    Object msg;
    while ((msg = receive(direction)) != null) {
      ByteBuf buf = (ByteBuf) msg;
      ids.add(buf.getInt(buf.readerIndex()));
      buf.release();
    }
    return ids;
  }

  /** Reads every message out in {@code direction}. */
  List<Object> receiveAll(Direction direction) {
    List<Object> all = new ArrayList<>();
    Object msg;
    while ((msg = receive(direction)) != null) {
      all.add(msg);
    }
    return all;
  }

  /** Advances virtual time and runs the tasks that became due. */
  void advanceMillis(long millis) {
    advanceNanos(TimeUnit.MILLISECONDS.toNanos(millis));
  }

  void advanceNanos(long nanos) {
    channel.advanceTimeBy(nanos, TimeUnit.NANOSECONDS);
    channel.runScheduledPendingTasks();
  }

  int readCompletes() {
    return readCompletes;
  }

  FaultInjector.Counters counters(Direction direction) {
    return injector.counters(direction);
  }

  /** Finishes the channel, releasing what is left, and checks that nothing leaked. */
  @Override
  public void close() {
    channel.finishAndReleaseAll();
    for (ReferenceCounted counted : tracked) {
      assertThat(counted.refCnt()).as("refCnt of %s after the test", counted).isZero();
    }
  }
}
