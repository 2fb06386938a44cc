package dev.x0tta6bl4.node.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;

/**
 * A test allocator that remembers every buffer it hands out and the largest capacity asked
 * for, so a test can fail on a leak ({@link #assertAllReleased()}) deterministically instead of
 * waiting for Netty's GC-driven leak detector, and can check allocation bounds.
 */
final class TrackingAllocator extends AbstractByteBufAllocator {
  private final UnpooledByteBufAllocator delegate = new UnpooledByteBufAllocator(false);
  private final List<ByteBuf> allocated = new ArrayList<>();
  private int largestRequest;

  TrackingAllocator() {
    super(false);
  }

  @Override
  protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
    return track(delegate.heapBuffer(initialCapacity, maxCapacity), initialCapacity);
  }

  @Override
  protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
    return track(delegate.directBuffer(initialCapacity, maxCapacity), initialCapacity);
  }

  @Override
  public boolean isDirectBufferPooled() {
    return false;
  }

  /** The largest initial capacity any allocation asked for. */
  int largestRequest() {
    return largestRequest;
  }

  int allocations() {
    return allocated.size();
  }

  /** Fails if any buffer handed out still has a reference count above zero. */
  void assertAllReleased() {
    for (ByteBuf buf : allocated) {
      assertThat(buf.refCnt()).as("reference count of %s (a leaked buffer)", buf).isZero();
    }
  }

  private ByteBuf track(ByteBuf buf, int initialCapacity) {
    allocated.add(buf);
    largestRequest = Math.max(largestRequest, initialCapacity);
    return buf;
  }
}
