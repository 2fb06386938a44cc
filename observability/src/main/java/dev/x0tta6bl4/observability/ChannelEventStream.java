package dev.x0tta6bl4.observability;

import io.micrometer.core.instrument.Counter;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link EventStream} of one HTTP connection whose response head has been written.
 *
 * <p>Producers on any thread encode events and put them on a lock-free queue bounded by a
 * counter; one drain task at a time runs on the channel's event loop and writes queued events as
 * HTTP chunks while the channel is writable, then flushes once. When the channel becomes writable
 * again the request handler calls {@link #drain()}. The event loop owns the heartbeat timer and
 * the channel writes; the queue, counters and the closed flag are thread-safe.
 */
final class ChannelEventStream implements EventStream {
  private static final Logger LOG = LoggerFactory.getLogger(ChannelEventStream.class);
  private static final byte[] HEARTBEAT = ":\n\n".getBytes(StandardCharsets.UTF_8);
  /** Queue marker: write a {@code dropped} notice here. Compared by identity. */
  private static final byte[] DROP_NOTICE = new byte[0];

  private final Channel channel;
  private final int capacity;
  private final Counter sentCounter;
  private final Counter droppedCounter;
  private final HttpServerMetrics metrics;
  private final ConcurrentLinkedQueue<byte[]> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private final AtomicBoolean noticeQueued = new AtomicBoolean();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong droppedUnreported = new AtomicLong();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final List<Runnable> closeActions = new ArrayList<>(); // guarded by itself
  private ScheduledFuture<?> heartbeat; // event loop only

  ChannelEventStream(Channel channel, int capacity, HttpServerMetrics metrics, String route) {
    this.channel = channel;
    this.capacity = capacity;
    this.metrics = metrics;
    this.sentCounter = metrics.streamEvents(route, "sent");
    this.droppedCounter = metrics.streamEvents(route, "dropped");
    metrics.streamOpened();
  }

  /** Starts the heartbeat; event loop only. */
  void startHeartbeat(long intervalMillis) {
    heartbeat =
        channel.eventLoop().scheduleAtFixedRate(this::writeHeartbeat, intervalMillis,
            intervalMillis, TimeUnit.MILLISECONDS);
  }

  @Override
  public boolean send(ServerSentEvent event) {
    if (closed.get()) {
      return false;
    }
    if (queued.incrementAndGet() > capacity) {
      queued.decrementAndGet();
      dropped.incrementAndGet();
      droppedUnreported.incrementAndGet();
      droppedCounter.increment();
      if (noticeQueued.compareAndSet(false, true)) {
        queue.add(DROP_NOTICE); // not counted against capacity; at most one is queued
      }
      return false;
    }
    queue.add(event.encode());
    scheduleDrain();
    return true;
  }

  private void scheduleDrain() {
    if (!drainScheduled.compareAndSet(false, true)) {
      return;
    }
    try {
      channel.eventLoop().execute(this::drain);
    } catch (RejectedExecutionException e) {
      abort(); // the event loop is shutting down: nothing can be written any more
    }
  }

  /** Writes queued events while the channel is writable; event loop only. */
  void drain() {
    drainScheduled.set(false);
    if (closed.get()) {
      return;
    }
    boolean wrote = false;
    while (channel.isWritable()) {
      byte[] next = queue.poll();
      if (next == null) {
        break;
      }
      if (next == DROP_NOTICE) {
        noticeQueued.set(false);
        long lost = droppedUnreported.getAndSet(0);
        if (lost > 0) {
          write(ServerSentEvent.of("dropped", "{\"dropped\":" + lost + "}").encode());
          wrote = true;
        }
        continue;
      }
      queued.decrementAndGet();
      write(next);
      sentCounter.increment();
      wrote = true;
    }
    if (wrote) {
      channel.flush();
    }
  }

  private void write(byte[] bytes) {
    channel.write(new DefaultHttpContent(Unpooled.wrappedBuffer(bytes)), channel.voidPromise());
  }

  private void writeHeartbeat() {
    if (!closed.get() && channel.isWritable()) {
      channel.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(HEARTBEAT)),
          channel.voidPromise());
    }
  }

  /**
   * Ends the stream cleanly: the final chunk, then the connection closes (the response said
   * {@code Connection: close}). Events still queued are discarded. Any thread; idempotent.
   *
   * @return completes when the connection is closed
   */
  ChannelFuture end() {
    if (!closed.compareAndSet(false, true)) {
      return channel.closeFuture();
    }
    try {
      channel.eventLoop().execute(() -> {
        stopWriting();
        channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT)
            .addListener(ChannelFutureListener.CLOSE);
      });
    } catch (RejectedExecutionException e) {
      channel.close();
    }
    runCloseActions();
    return channel.closeFuture();
  }

  /** The connection went away (client disconnect, error): nothing more is written. */
  void abort() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (channel.eventLoop().inEventLoop()) {
      stopWriting();
    } else {
      try {
        channel.eventLoop().execute(this::stopWriting);
      } catch (RejectedExecutionException e) {
        queue.clear();
      }
    }
    runCloseActions();
  }

  private void stopWriting() {
    if (heartbeat != null) {
      heartbeat.cancel(false);
    }
    queue.clear();
  }

  private void runCloseActions() {
    metrics.streamClosed();
    List<Runnable> actions;
    synchronized (closeActions) {
      actions = new ArrayList<>(closeActions);
      closeActions.clear();
    }
    actions.forEach(ChannelEventStream::runSafely);
  }

  private static void runSafely(Runnable action) {
    try {
      action.run();
    } catch (RuntimeException e) {
      LOG.warn("event stream close action failed", e);
    }
  }

  @Override
  public void close() {
    end();
  }

  @Override
  public boolean isOpen() {
    return !closed.get();
  }

  @Override
  public void onClose(Runnable action) {
    synchronized (closeActions) {
      if (!closed.get()) {
        closeActions.add(action);
        return;
      }
    }
    runSafely(action);
  }

  @Override
  public long droppedEvents() {
    return dropped.get();
  }
}
