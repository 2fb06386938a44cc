package dev.x0tta6bl4.node;

import dev.x0tta6bl4.node.wiring.Component;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's one thread for slow periodic housekeeping (identity reload and renewal, later
 * snapshots and the control loop's timers) — work that may touch the disk and so must never
 * run on a Netty event loop. Closed by the container after every component that uses it.
 */
public final class Scheduler implements Component {
  private static final Logger log = LoggerFactory.getLogger(Scheduler.class);

  private final ScheduledExecutorService executor =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread thread = new Thread(r, "meshd-scheduler");
            thread.setDaemon(true);
            return thread;
          });

  /** The executor; tasks must catch their own exceptions or they stop repeating. */
  public ScheduledExecutorService executor() {
    return executor;
  }

  @Override
  public void close() throws InterruptedException {
    executor.shutdownNow();
    if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
      log.warn("scheduler thread did not stop within 5 s");
    }
  }
}
