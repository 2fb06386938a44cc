package dev.x0tta6bl4.node.heal;

import dev.x0tta6bl4.node.LocalNode;
import dev.x0tta6bl4.node.config.NodeConfig;
import dev.x0tta6bl4.node.wiring.Container;
import java.util.ArrayList;
import java.util.List;

/** The self-healing areas of a node, one line each; see {@link HealingModule}. */
public final class HealingModules {
  private HealingModules() {}

  /**
   * Every area's module for a node, built from components the container has already started
   * (the healing component is bound after the mesh, the consensus store and the API's
   * dependencies).
   */
  public static List<HealingModule> forNode(NodeConfig config, LocalNode local, Container c) {
    List<HealingModule> modules = new ArrayList<>();
    modules.add(MeshHealing.forNode(local.nodeId(), c));
    modules.add(NodeHealing.forNode(config, local, c));
    modules.add(RaftHealing.forNode(config, local, c));
    modules.add(LoadHealing.forNode(config, local, c));
    return List.copyOf(modules);
  }
}
