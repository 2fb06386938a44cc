package dev.x0tta6bl4.node.heal;

import dev.x0tta6bl4.node.mesh.MeshRouter;
import dev.x0tta6bl4.node.transport.GoodbyeReason;
import dev.x0tta6bl4.node.transport.MeshLinks;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * What the mesh area of self-healing reads and does to the node's mesh: published views that
 * never wait for the mesh event loop, and the few operations its actuators need. {@link
 * #of(MeshLinks, MeshRouter)} is the node's own; tests supply fakes.
 */
public interface MeshControl {
  /** The links with their failure-detector state, as last published. */
  MeshLinks.LinkView links();

  /** Routing and delivery counters, as last published. */
  MeshRouter.HealthView health();

  /** The peers linked right now (the links' published map): ground truth for guards and tests. */
  Set<String> linkedPeers();

  /** Closes the link to {@code peer} and refuses it for {@code period}; true if a link closed. */
  CompletionStage<Boolean> refuse(String peer, Duration period, GoodbyeReason reason, String detail);

  /** Ends a refusal early and dials the peer again; true if one was in force. */
  CompletionStage<Boolean> lift(String peer);

  /** Makes the peer's known addresses due for a dial now; how many. */
  CompletionStage<Integer> redial(String peer);

  /** Dials a node not linked, not refused and not excluded; its id, if any. */
  CompletionStage<Optional<String>> dialAlternate(Set<String> excluding);

  /** Multiplies a link's advertised cost (1 restores it); the cost now advertised, if linked. */
  CompletionStage<OptionalLong> setLinkCostFactor(String peer, double factor);

  /** Times each peer was cut off for sending malformed data, since start. */
  Map<String, Integer> malformedStrikes();

  /** The node's own mesh. */
  static MeshControl of(MeshLinks links, MeshRouter router) {
    return new MeshControl() {
      @Override
      public MeshLinks.LinkView links() {
        return links.view();
      }

      @Override
      public MeshRouter.HealthView health() {
        return router.health();
      }

      @Override
      public Set<String> linkedPeers() {
        return links.currentLinks().keySet();
      }

      @Override
      public Map<String, Integer> malformedStrikes() {
        return links.malformedStrikes();
      }

      @Override
      public CompletionStage<Boolean> refuse(
          String peer, Duration period, GoodbyeReason reason, String detail) {
        return links.refuse(peer, period, reason, detail);
      }

      @Override
      public CompletionStage<Boolean> lift(String peer) {
        return links.lift(peer);
      }

      @Override
      public CompletionStage<Integer> redial(String peer) {
        return links.redial(peer);
      }

      @Override
      public CompletionStage<Optional<String>> dialAlternate(Set<String> excluding) {
        return links.dialAlternate(excluding);
      }

      @Override
      public CompletionStage<OptionalLong> setLinkCostFactor(String peer, double factor) {
        return router.setLinkCostFactor(peer, factor);
      }
    };
  }
}
