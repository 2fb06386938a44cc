package dev.x0tta6bl4.node.transport;

/**
 * Rewrites the frames one link end writes, for tests and demos that play a misbehaving node: a
 * relay that alters what it forwards, or one that replays an old frame in place of a new one.
 * Installed with {@link FaultController#rewrite}; a {@link FaultInjector} applies it to every
 * decoded {@link Frame} its channel writes, before any other outbound fault.
 *
 * <p>Called on the channel's event loop, one frame at a time, so an implementation that keeps
 * state (frames seen, a frame to replay) needs no locking for that state unless a test thread
 * reads it; counters a test reads should be atomic.
 */
@FunctionalInterface
public interface FrameRewriter {
  /** Leaves every frame as it is. */
  FrameRewriter NONE = frame -> frame;

  /**
   * The frame to write in place of {@code frame}: {@code frame} itself to pass it unchanged, or
   * another frame (an altered copy, an older frame) to send instead. Never null.
   */
  Frame rewrite(Frame frame);
}
