package dev.x0tta6bl4.node;

import dev.x0tta6bl4.node.wiring.Component;
import dev.x0tta6bl4.observability.MeshdMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's Netty event loops, shared by every server and client of the node (metrics,
 * local API, mesh links), so the process has one I/O thread pool sized to the machine.
 *
 * <p>Built and closed by the {@link dev.x0tta6bl4.node.wiring.Container}; closed after every
 * component that uses it, because those were built later. Close waits a bounded time for
 * in-flight tasks.
 */
public final class EventLoops implements Component {
  private static final Logger log = LoggerFactory.getLogger(EventLoops.class);
  private static final Duration QUIET_PERIOD = Duration.ofMillis(50);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(3);

  private final EventLoopGroup group;
  private boolean closed;

  public EventLoops(int threads, MeterRegistry registry) {
    if (threads < 1) {
      throw new IllegalArgumentException("event loop threads must be >= 1, got " + threads);
    }
    this.group =
        new MultiThreadIoEventLoopGroup(
            threads, new DefaultThreadFactory("meshd-io", true), NioIoHandler.newFactory());
    MeshdMetrics.bindEventLoopGroup(registry, group, "io");
  }

  /** The group; servers and clients register their channels here. */
  public EventLoopGroup group() {
    return group;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    boolean terminated =
        group
            .shutdownGracefully(
                QUIET_PERIOD.toMillis(), CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
            .awaitUninterruptibly(CLOSE_TIMEOUT.toMillis() + 1_000);
    if (!terminated) {
      log.warn("event loops did not terminate within {}", CLOSE_TIMEOUT);
    }
  }
}
