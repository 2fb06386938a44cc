package dev.x0tta6bl4.node;

import dev.x0tta6bl4.node.config.NodeConfig;
import dev.x0tta6bl4.node.config.NodeIdResolver;
import dev.x0tta6bl4.node.config.StateDirectory;
import java.nio.file.Path;
import java.util.Map;

/**
 * Who this node is and where it keeps its state: the node id (configured, persisted, or
 * derived once from the host name) and the prepared state directory.
 */
public record LocalNode(String nodeId, Path stateDir) {

  /**
   * Resolves the state directory (creating it with mode 0700) and the node id.
   *
   * @throws dev.x0tta6bl4.node.config.ConfigException if the directory is unusable or a
   *     persisted id is invalid
   */
  public static LocalNode resolve(NodeConfig config, Map<String, String> env) {
    Path stateDir = StateDirectory.prepare(StateDirectory.resolve(config.node(), env));
    String nodeId = NodeIdResolver.forSystem().resolve(config.node(), stateDir);
    return new LocalNode(nodeId, stateDir);
  }
}
