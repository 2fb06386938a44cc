package dev.x0tta6bl4.node.heal;

import dev.x0tta6bl4.mapek.Action;
import dev.x0tta6bl4.mapek.Actuator;
import dev.x0tta6bl4.mapek.ControlLoop;
import dev.x0tta6bl4.mapek.IncidentView;
import dev.x0tta6bl4.mapek.KnowledgeBase;
import dev.x0tta6bl4.mapek.Mode;
import dev.x0tta6bl4.node.cluster.LocalCluster;
import dev.x0tta6bl4.node.cluster.LocalCluster.ClusterNode;
import dev.x0tta6bl4.node.transport.FaultPlans;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One control loop with {@link MeshHealing} per running node of a {@link LocalCluster}, ticked
 * every {@code tick} on one scheduler thread, actions on a small pool. Every link-removing action
 * is checked, as it starts, against the cluster's ground truth (the links as the node's {@code
 * MeshLinks} publishes them and the faults the test set): a violation is recorded, never hidden.
 * Closing stops the ticks and the pools; the cluster stays up.
 */
final class HealingLoops implements AutoCloseable {
  /** The loop of one node. */
  record NodeLoop(String id, MeshHealing module, ControlLoop loop) {
    List<IncidentView> incidents(String kind, String subject) {
      return loop.incidents().stream()
          .filter(i -> i.kind().equals(kind) && i.subject().equals(subject)).toList();
    }
  }

  private final LocalCluster cluster;
  private final Map<String, NodeLoop> loops = new LinkedHashMap<>();
  private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
  private final ExecutorService actions = Executors.newFixedThreadPool(2);
  private final List<String> violations = new CopyOnWriteArrayList<>();
  private final List<String> started = new CopyOnWriteArrayList<>();
  private final List<String> onCutOffNode = new CopyOnWriteArrayList<>();

  HealingLoops(LocalCluster cluster, Mode mode, MeshHealingSettings settings, Duration tick) {
    this.cluster = cluster;
    for (ClusterNode node : cluster.nodes()) {
      MeshHealing module = MeshHealing.forNode(node.id(), node.links(), node.mesh(), settings,
          Clock.systemUTC(), new SimpleMeterRegistry());
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      var b = ControlLoop.builder().clock(Clock.systemUTC()).executor(actions)
          .meterRegistry(registry).knowledge(KnowledgeBase.inMemory(16, 1000))
          .mode(mode).clearTicks(2);
      HealingComponent.assemble(b, List.of(module), node.id(), settings.correlateMinLinks(),
          registry, a -> new Actuator(a.kind(), action -> {
            check(node, action);
            return a.handler().execute(action);
          }, a.timeout(), a.cooldown(), a.verifyWindow()));
      loops.put(node.id(), new NodeLoop(node.id(), module, b.build()));
    }
    ticker.scheduleAtFixedRate(this::tickAll, tick.toNanos(), tick.toNanos(), TimeUnit.NANOSECONDS);
  }

  NodeLoop loop(String id) {
    return loops.get(id);
  }

  /** Link-removing actions that would have cut a node off, as found when they started. */
  List<String> violations() {
    return List.copyOf(violations);
  }

  /** Link-removing actions started on a node that the faults had already cut off entirely. */
  List<String> onCutOffNode() {
    return List.copyOf(onCutOffNode);
  }

  /** Every action started, as "node kind/subject". */
  List<String> started() {
    return List.copyOf(started);
  }

  private void tickAll() {
    for (NodeLoop l : loops.values()) {
      try {
        l.loop().tick();
      } catch (RuntimeException e) {
        violations.add(l.id() + ": tick threw " + e);
      }
    }
  }

  /**
   * Ground truth at action start: a link-removing action must not take the node's last link that
   * carries traffic (no fault blocks it), i.e. must not be what isolates the node. Actions on a
   * node the faults had cut off entirely already are listed apart ({@link #onCutOffNode}).
   */
  private void check(ClusterNode node, Action action) {
    started.add(node.id() + " " + action.key());
    if (!MeshActuators.LINK_REMOVING.contains(action.kind())) {
      return;
    }
    List<String> usable = new ArrayList<>();
    for (String peer : node.links().currentLinks().keySet()) {
      FaultPlans plans = cluster.faults().plans(node.id(), peer);
      if (!plans.inbound().blocked() && !plans.outbound().blocked()) {
        usable.add(peer);
      }
    }
    if (usable.isEmpty()) {
      onCutOffNode.add(node.id() + " " + action.key()); // the fault isolated it already
    } else if (usable.equals(List.of(action.subject()))) {
      violations.add(node.id() + " started " + action.key() + " on its last usable link (linked "
          + node.links().currentLinks().keySet() + ")");
    }
  }

  @Override
  public void close() {
    ticker.shutdownNow();
    try {
      ticker.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    actions.shutdownNow();
    loops.values().forEach(l -> l.loop().close());
  }

  static <T> T join(CompletableFuture<T> future) {
    try {
      return future.get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
