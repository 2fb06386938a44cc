package dev.x0tta6bl4.node.cli;

/**
 * Process exit codes of {@code meshd}. They follow sysexits(3) where one fits, so that
 * systemd and scripts can tell a bad configuration (no point restarting) from a crash.
 */
public final class ExitCodes {
  /** Success, including a clean shutdown after SIGTERM or SIGINT. */
  public static final int OK = 0;
  /**
   * Any other failure: a component failed to start, the crypto self-test failed, I/O, the local
   * API answered with an error, a message was not delivered.
   */
  public static final int FAILURE = 1;
  /** The command line was wrong: unknown option or command, missing argument. */
  public static final int USAGE = 2;
  /**
   * A command that talks to a running node could not reach its local API: nothing listens there,
   * so the node is not running or {@code --api} is wrong (sysexits EX_UNAVAILABLE).
   */
  public static final int UNAVAILABLE = 69;
  /** The configuration is invalid or unreadable (sysexits EX_CONFIG). */
  public static final int CONFIG = 78;

  private ExitCodes() {}
}
