package dev.x0tta6bl4.node;

import dev.x0tta6bl4.node.cli.MeshdCli;

/** The {@code meshd} entry point: runs the command line and exits with its code. */
public final class NodeMain {
  private NodeMain() {}

  public static void main(String[] args) {
    System.exit(MeshdCli.create(System.getenv()).execute(args));
  }
}
