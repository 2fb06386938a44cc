package dev.x0tta6bl4.node.heal;

import dev.x0tta6bl4.mapek.ControlLoop;
import dev.x0tta6bl4.mapek.IncidentView;
import dev.x0tta6bl4.node.cluster.LocalCluster.ClusterNode;
import java.util.Optional;

/** The self-healing loop a cluster node hosts, and its incidents, for the cluster tests. */
final class HostedLoops {
  private HostedLoops() {}

  /** The loop {@code node} hosts (its configuration must enable one). */
  static ControlLoop loop(ClusterNode node) {
    return node.container().get(HealingComponent.class).loop().orElseThrow();
  }

  /** The incident of {@code kind} about {@code subject} on {@code node}'s loop, if any. */
  static Optional<IncidentView> incident(ClusterNode node, String kind, String subject) {
    return loop(node).incidents().stream()
        .filter(i -> i.kind().equals(kind) && i.subject().equals(subject)).findFirst();
  }
}
