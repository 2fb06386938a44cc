package dev.x0tta6bl4.node.wiring;

/**
 * A part of the node with a lifecycle: built by the {@link Container}, started in build
 * order, closed in reverse order.
 *
 * <p>{@link #start()} runs on the thread that starts the container, after every component
 * this one depends on has started. {@link #close()} must be idempotent; the container calls
 * it once, but tests and error paths may call it again.
 */
public interface Component extends AutoCloseable {

  /** Starts the component: binds ports, starts threads. Called once, after construction. */
  default void start() throws Exception {}

  /** A short name for logs and health reports; by default the simple class name. */
  default String componentName() {
    return getClass().getSimpleName();
  }
}
