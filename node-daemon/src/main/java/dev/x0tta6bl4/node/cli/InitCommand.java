package dev.x0tta6bl4.node.cli;

import dev.x0tta6bl4.node.LocalNode;
import dev.x0tta6bl4.node.config.NodeConfig;
import dev.x0tta6bl4.node.config.NodeConfig.IdentitySourceKind;
import dev.x0tta6bl4.node.identity.IdentityProvisioner;
import dev.x0tta6bl4.pqc.CryptoProviders;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code meshd init}: prepare a node's state directory and identity without starting it.
 * {@code meshd run} does the same on first start, so this is for operators who want the
 * files (and the local CA) in place before the service starts.
 */
@Command(
    name = "init",
    mixinStandardHelpOptions = true,
    description = {
      "Create the state directory, the node id and, with identity.source mesh-ca, a local",
      "mesh CA and this node's X.509-SVID. Does nothing that already exists."
    })
final class InitCommand implements Callable<Integer> {
  @ParentCommand MeshdCli root;
  @Spec picocli.CommandLine.Model.CommandSpec spec;
  @Mixin ConfigOption config;

  @Override
  public Integer call() {
    NodeConfig nodeConfig = config.load(root.env());
    LocalNode local = LocalNode.resolve(nodeConfig, root.env());
    PrintWriter out = spec.commandLine().getOut();
    out.println("node id    " + local.nodeId());
    out.println("state dir  " + local.stateDir());
    IdentityProvisioner provisioner =
        new IdentityProvisioner(
            nodeConfig.identity(), local.nodeId(), local.stateDir(), Clock.systemUTC());
    if (nodeConfig.identity().source() == IdentitySourceKind.FILES) {
      boolean present = IdentityProvisioner.hasNodeIdentity(provisioner.identityDir());
      out.println(
          "identity   "
              + provisioner.identityDir()
              + (present ? " (files present)" : " (MISSING: identity.source is files)"));
      out.flush();
      return present ? ExitCodes.OK : ExitCodes.CONFIG;
    }
    CryptoProviders.install();
    IdentityProvisioner.Outcome outcome = provisioner.ensure();
    out.println("identity   " + provisioner.identityDir() + " (" + describe(outcome) + ")");
    out.println("mesh CA    " + provisioner.caDir());
    out.flush();
    return ExitCodes.OK;
  }

  private static String describe(IdentityProvisioner.Outcome outcome) {
    switch (outcome) {
      case EXISTING:
        return "already present, left as is";
      case ISSUED:
        return "issued by the existing local CA";
      default:
        return "created a local CA and issued this node's SVID";
    }
  }
}
