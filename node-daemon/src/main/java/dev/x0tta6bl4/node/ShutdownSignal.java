package dev.x0tta6bl4.node;

import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Turns SIGTERM and SIGINT into an orderly shutdown request.
 *
 * <p>The JVM's default handling runs shutdown hooks and exits with 143 or 130, which
 * systemd reports as a failure; handling the signals ourselves lets the node close its
 * components in order and exit 0. A second signal while shutting down exits at once, for
 * an operator who does not want to wait.
 */
final class ShutdownSignal {
  private static final Logger log = LoggerFactory.getLogger(ShutdownSignal.class);

  private final CompletableFuture<String> requested = new CompletableFuture<>();

  private ShutdownSignal() {}

  /** Installs handlers for TERM and INT. Call once per process. */
  static ShutdownSignal install() {
    ShutdownSignal shutdown = new ShutdownSignal();
    for (String name : new String[] {"TERM", "INT"}) {
      Signal.handle(new Signal(name), signal -> shutdown.request("SIG" + signal.getName()));
    }
    return shutdown;
  }

  /** Asks for shutdown; a second request while the first is being served halts the JVM. */
  void request(String reason) {
    if (!requested.complete(reason)) {
      log.warn("{} received again during shutdown; exiting immediately", reason);
      Runtime.getRuntime().halt(130);
    }
  }

  /** Blocks until a shutdown is requested and returns why. */
  String await() {
    return requested.join();
  }
}
