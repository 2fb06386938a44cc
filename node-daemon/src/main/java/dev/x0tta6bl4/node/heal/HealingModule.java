package dev.x0tta6bl4.node.heal;

import dev.x0tta6bl4.mapek.ActionVeto;
import dev.x0tta6bl4.mapek.Actuator;
import dev.x0tta6bl4.mapek.Detector;
import dev.x0tta6bl4.mapek.Policy;
import dev.x0tta6bl4.mapek.Sensor;
import java.util.List;
import java.util.Set;

/**
 * One area of the node's self-healing (mesh links, Raft, the node itself, load): what it senses,
 * what it detects, what it proposes and what it can do. {@link HealingComponent} gathers every
 * module into one control loop; modules never see each other, only the shared snapshot.
 *
 * <p>Naming: readings are {@code area.metric} (e.g. {@code link.rtt_seconds}) about a subject (a
 * peer id, or {@link #LOCAL} for the node itself); symptom and action kinds are kebab-case
 * ({@code link-down}, {@code drop-link}). Sensors must not block: read values another thread
 * already published. Actuators complete their stage when the action is done, or exceptionally
 * with a message an operator can act on.
 */
public interface HealingModule {
  /** The subject of readings and symptoms about the node itself. */
  String LOCAL = "local";

  /** A short name for logs. */
  String name();

  default List<Sensor> sensors() {
    return List.of();
  }

  default List<Detector> detectors() {
    return List.of();
  }

  default List<Policy> policies() {
    return List.of();
  }

  default List<Actuator> actuators() {
    return List.of();
  }

  /**
   * Symptom kinds that describe one link (subject: the peer id, or {@code a~b} for a link
   * between two other nodes). The loop's {@link dev.x0tta6bl4.mapek.NeighbourhoodCorrelator}
   * names a node touched by several of them as the root cause ({@code node-suspect/<id>}, or
   * {@code local-node-suspect/<self>} when most of this node's own links fail at once).
   */
  default Set<String> linkSymptomKinds() {
    return Set.of();
  }

  /**
   * Incident kinds this area may propose the node's {@code alert} action for (see {@link
   * Alerts}): the values of {@code meshd_heal_alerts_total{kind}}, present at 0 from the start.
   * An alert for an undeclared kind is counted as {@code other}.
   */
  default Set<String> alertKinds() {
    return Set.of();
  }

  /**
   * Refusals this area owns (e.g. never drop the last usable link; never cost the Raft quorum).
   * The loop combines every module's veto: the first refusal wins.
   */
  default ActionVeto veto() {
    return ActionVeto.allowAll();
  }
}
