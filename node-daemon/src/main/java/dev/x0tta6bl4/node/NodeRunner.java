package dev.x0tta6bl4.node;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.x0tta6bl4.node.cli.ExitCodes;
import dev.x0tta6bl4.node.config.ConfigException;
import dev.x0tta6bl4.node.config.NodeConfig;
import dev.x0tta6bl4.node.wiring.Container;
import dev.x0tta6bl4.node.wiring.WiringException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one node in the foreground: builds and starts the composition, waits for a
 * shutdown signal, then closes everything in reverse order within
 * {@code node.shutdown-timeout}. If closing takes longer, the process halts with exit code
 * 1 rather than hanging under systemd.
 */
public final class NodeRunner {
  private static final Logger log = LoggerFactory.getLogger(NodeRunner.class);

  private NodeRunner() {}

  /**
   * Runs until SIGTERM/SIGINT; returns the process exit code.
   *
   * @throws dev.x0tta6bl4.node.config.ConfigException if the state directory or node id
   *     cannot be resolved (the CLI maps it to exit code 78)
   */
  public static int run(NodeConfig config, Map<String, String> env) {
    ShutdownSignal shutdown = ShutdownSignal.install();
    long startNanos = System.nanoTime();
    LocalNode local = LocalNode.resolve(config, env);
    Container container = NodeComposition.bindings(config, local).build();
    try {
      container.start();
    } catch (WiringException e) {
      Throwable configProblem = e;
      while (configProblem != null && !(configProblem instanceof ConfigException)) {
        configProblem = configProblem.getCause();
      }
      if (configProblem != null) {
        throw (ConfigException) configProblem; // exit code 78: fix the configuration first
      }
      log.error("meshd failed to start: {}", e.getMessage(), e);
      return ExitCodes.FAILURE;
    }
    log.info(
        "meshd started: {} {} {}",
        kv("node_id", local.nodeId()),
        kv("state_dir", local.stateDir().toString()),
        kv("startup_ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos)));

    String reason = shutdown.await();
    log.info("meshd stopping: {}", kv("reason", reason));
    long stopNanos = System.nanoTime();
    closeWithin(container, config.node().shutdownTimeout());
    log.info(
        "meshd stopped: {} {}",
        kv("reason", reason),
        kv("shutdown_ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopNanos)));
    return ExitCodes.OK;
  }

  private static void closeWithin(Container container, Duration timeout) {
    CountDownLatch closed = new CountDownLatch(1);
    Thread watchdog =
        new Thread(
            () -> {
              try {
                if (!closed.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                  log.error(
                      "meshd shutdown did not finish within {}; halting",
                      kv("shutdown_timeout_ms", timeout.toMillis()));
                  Runtime.getRuntime().halt(ExitCodes.FAILURE);
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "meshd-shutdown-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    try {
      container.close();
    } catch (WiringException e) {
      log.error("meshd shutdown finished with errors: {}", e.getMessage(), e);
    } finally {
      closed.countDown();
    }
  }
}
