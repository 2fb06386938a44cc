package dev.x0tta6bl4.node.heal;

import dev.x0tta6bl4.node.LocalNode;
import dev.x0tta6bl4.node.config.NodeConfig;
import dev.x0tta6bl4.node.mesh.MeshRouter;
import dev.x0tta6bl4.node.transport.MeshLinks;
import dev.x0tta6bl4.node.wiring.Container;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.List;

/**
 * The self-healing areas of a node, one line each; see {@link HealingModule}. Each area's
 * thresholds and timings come from its configuration section ({@code mapek.mesh}, {@code
 * mapek.node}, {@code mapek.raft}, {@code mapek.load}) through its settings record's {@code of}.
 */
public final class HealingModules {
  private HealingModules() {}

  /**
   * Every area's module for a node, built from components the container has already started
   * (the healing component is bound after the mesh, the consensus store and the API's
   * dependencies).
   */
  public static List<HealingModule> forNode(NodeConfig config, LocalNode local, Container c) {
    return List.of(
        MeshHealing.forNode(local.nodeId(), c.get(MeshLinks.class), c.get(MeshRouter.class),
            MeshHealingSettings.of(config.mapek().mesh()), c.get(Clock.class),
            c.get(PrometheusMeterRegistry.class), QuarantineNotices.forNode(local.nodeId(), c)),
        NodeHealing.forNode(config, local, c),
        RaftHealing.forNode(config, local, c),
        LoadHealing.forNode(config, local, c));
  }
}
