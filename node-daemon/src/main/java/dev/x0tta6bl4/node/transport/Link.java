package dev.x0tta6bl4.node.transport;

import io.netty.channel.Channel;
import java.net.SocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An established mesh link to one neighbour: TLS done, HELLO exchanged, registered with
 * {@link MeshLinks}. Sending is thread-safe; the link is closed by {@link MeshLinks}.
 *
 * <p>Backpressure is explicit: {@link #trySend} refuses a frame while the channel's outbound
 * buffer is above its high-water mark ({@code mesh.outbound-buffer}), instead of queueing
 * without bound.
 *
 * <p>Flushes are batched: {@link #trySend} writes without flushing and asks the channel's loop
 * for one flush after the work already queued there, so the frames sent during one turn of the
 * loop (a read burst, a batch of sends) leave in a few TLS records and write calls instead of
 * one of each per frame; at most {@value #FLUSH_AFTER_WRITES} frames wait for a flush.
 */
public final class Link {
  /** A flush at least every this many frames, even in the middle of one long task. */
  static final int FLUSH_AFTER_WRITES = 64;

  private final String peerId;
  private final String peerSpiffeId;
  private final String peerListenAddress;
  private final long peerCapabilities;
  private final Channel channel;
  private final boolean outbound;
  private final long establishedNanos;
  private final Runnable onBackpressure;
  private final AtomicBoolean flushRequested = new AtomicBoolean();
  private final Runnable flushTask = this::flushQueued;
  private int unflushed; // approximate when several threads send; only bounds a batch

  Link(
      String peerId,
      String peerSpiffeId,
      String peerListenAddress,
      Channel channel,
      boolean outbound,
      long establishedNanos,
      Runnable onBackpressure) {
    this(peerId, peerSpiffeId, peerListenAddress, 0L, channel, outbound, establishedNanos,
        onBackpressure);
  }

  Link(
      String peerId,
      String peerSpiffeId,
      String peerListenAddress,
      long peerCapabilities,
      Channel channel,
      boolean outbound,
      long establishedNanos,
      Runnable onBackpressure) {
    this.peerId = peerId;
    this.peerSpiffeId = peerSpiffeId;
    this.peerListenAddress = peerListenAddress;
    this.peerCapabilities = peerCapabilities;
    this.channel = channel;
    this.outbound = outbound;
    this.establishedNanos = establishedNanos;
    this.onBackpressure = onBackpressure;
  }

  /** The neighbour's node id. */
  public String peerId() {
    return peerId;
  }

  /** The neighbour's SPIFFE ID, verified during the TLS handshake. */
  public String peerSpiffeId() {
    return peerSpiffeId;
  }

  /** The address the neighbour listens on, from its HELLO. */
  public String peerListenAddress() {
    return peerListenAddress;
  }

  /**
   * Whether the neighbour's HELLO set every bit of {@code capability} (e.g. {@link
   * FrameFormat#CAPABILITY_QUARANTINE_NOTICES}).
   */
  public boolean peerSupports(long capability) {
    return (peerCapabilities & capability) == capability;
  }

  /** Whether this node dialled the link. */
  public boolean outbound() {
    return outbound;
  }

  /** When the link was registered, on the node's monotonic clock. */
  public long establishedNanos() {
    return establishedNanos;
  }

  /** The socket address of the other end. */
  public SocketAddress remoteAddress() {
    return channel.remoteAddress();
  }

  /** Whether the link can take more frames now. */
  public boolean isWritable() {
    return channel.isActive() && channel.isWritable();
  }

  /**
   * Sends {@code frame} unless the link is closed or above its outbound high-water mark.
   *
   * @return false if the frame was refused (counted as backpressure); the caller decides
   *     whether to retry later, reroute or report overload
   */
  public boolean trySend(Frame frame) {
    if (!channel.isActive()) {
      return false;
    }
    if (!channel.isWritable()) {
      onBackpressure.run();
      return false;
    }
    channel.write(frame, channel.voidPromise());
    if (++unflushed >= FLUSH_AFTER_WRITES && channel.eventLoop().inEventLoop()) {
      unflushed = 0; // the flush task requested by an earlier frame is still queued
      channel.flush();
    } else if (!flushRequested.get() && flushRequested.compareAndSet(false, true)) {
      // Queued behind the writes (a write from another thread is itself a task on the loop).
      channel.eventLoop().execute(flushTask);
    }
    return true;
  }

  private void flushQueued() {
    flushRequested.set(false);
    unflushed = 0;
    channel.flush();
  }

  /** Sends {@code frame} regardless of the high-water mark (small control frames only). */
  void sendControl(Frame frame) {
    if (channel.isActive()) {
      channel.writeAndFlush(frame, channel.voidPromise());
    }
  }

  Channel channel() {
    return channel;
  }

  @Override
  public String toString() {
    return "Link[" + peerId + (outbound ? " out " : " in ") + channel.remoteAddress() + "]";
  }
}
