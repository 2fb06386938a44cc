package dev.x0tta6bl4.node.transport;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The fault switchboard of a set of nodes: which faults apply to which link, by node id. The
 * multi-node test harness and {@code meshd demo} set faults here; the link layer asks it for a
 * {@link FaultInjector} when it builds a channel pipeline ({@link #forLink}).
 *
 * <p>A link is seen from one end: {@code (localNode, peerNode)} is the channel end on {@code
 * localNode} talking to {@code peerNode}; its inbound plan applies to what {@code localNode}
 * reads, its outbound plan to what it writes. Every injector returned by {@link #forLink} reads a
 * live per-link plan, so later calls to {@link #set}, {@link #partition}, {@link #heal} and {@link
 * #clear} also change channels that already exist (from their next message on). A partition of a
 * node overrides the plans set for its links until the node is healed; healing restores them.
 *
 * <p>Thread-safe: any thread may change or read it. It holds no resources and needs no closing. It
 * knows nothing about links themselves, only node id strings; it remembers every link it was
 * asked about, which suits the bounded node counts of tests and demos.
 */
public final class FaultController {
  private record Link(String local, String peer) {}

  private final long seed;
  private final Map<Link, FaultPlans> configured = new HashMap<>();
  private final Set<String> partitioned = new HashSet<>();
  private final Map<Link, AtomicReference<FaultPlans>> live = new HashMap<>();
  private final Map<Link, AtomicReference<FrameRewriter>> rewriters = new HashMap<>();
  private final Map<Link, Long> injectorsCreated = new HashMap<>();

  /**
   * A controller without faults.
   *
   * @param seed the seed from which every injector's random generator is derived (from the seed,
   *     the link and how many injectors the link had before), so a run can be reproduced
   */
  public FaultController(long seed) {
    this.seed = seed;
  }

  /**
   * A new handler for the channel end on {@code localNode} talking to {@code peerNode}, bound to
   * the link's live plans. Call once per channel; every channel of the same link shares the live
   * plans, so {@link FaultInjector#setPlans} on one of them changes the link until the controller
   * next changes it.
   */
  public synchronized FaultInjector forLink(String localNode, String peerNode) {
    Link link = link(localNode, peerNode);
    long generation = injectorsCreated.merge(link, 1L, Long::sum);
    long linkSeed = seed;
    linkSeed = 31 * linkSeed + link.local().hashCode();
    linkSeed = 31 * linkSeed + link.peer().hashCode();
    linkSeed = 31 * linkSeed + generation;
    return new FaultInjector(liveRef(link), rewriterRef(link), new SplittableRandom(linkSeed));
  }

  /**
   * Makes the channel end on {@code localNode} talking to {@code peerNode} write what {@code
   * rewriter} returns in place of each frame, on existing and future channels of that link, until
   * replaced or {@link #clear}; {@link FrameRewriter#NONE} restores honest writes.
   */
  public synchronized void rewrite(String localNode, String peerNode, FrameRewriter rewriter) {
    Objects.requireNonNull(rewriter, "rewriter");
    rewriterRef(link(localNode, peerNode)).set(rewriter);
  }

  /** Sets the plans of the channel end on {@code localNode} talking to {@code peerNode}. */
  public synchronized void set(String localNode, String peerNode, FaultPlans plans) {
    Objects.requireNonNull(plans, "plans");
    Link link = link(localNode, peerNode);
    configured.put(link, plans);
    refresh(link);
  }

  /** Removes the plans set for the channel end on {@code localNode} talking to {@code peerNode}. */
  public synchronized void reset(String localNode, String peerNode) {
    Link link = link(localNode, peerNode);
    configured.remove(link);
    refresh(link);
  }

  /**
   * Cuts {@code node} off: every link from or to it drops everything in both directions, at both
   * ends, including links created later, until {@link #heal(String)}.
   */
  public synchronized void partition(String node) {
    partitioned.add(checkNode("node", node));
    refreshAll();
  }

  /** Ends the partition of {@code node}; its links return to the plans set for them. */
  public synchronized void heal(String node) {
    partitioned.remove(checkNode("node", node));
    refreshAll();
  }

  /** Removes every partition, plan and rewriter: all links fault-free. */
  public synchronized void clear() {
    partitioned.clear();
    configured.clear();
    rewriters.values().forEach(ref -> ref.set(FrameRewriter.NONE));
    refreshAll();
  }

  /** The plans in force now for the channel end on {@code localNode} talking to {@code peerNode}. */
  public synchronized FaultPlans plans(String localNode, String peerNode) {
    return effective(link(localNode, peerNode));
  }

  /** The nodes partitioned now. */
  public synchronized Set<String> partitionedNodes() {
    return Set.copyOf(partitioned);
  }

  private AtomicReference<FaultPlans> liveRef(Link link) {
    return live.computeIfAbsent(link, l -> new AtomicReference<>(effective(l)));
  }

  private AtomicReference<FrameRewriter> rewriterRef(Link link) {
    return rewriters.computeIfAbsent(link, l -> new AtomicReference<>(FrameRewriter.NONE));
  }

  private FaultPlans effective(Link link) {
    if (partitioned.contains(link.local()) || partitioned.contains(link.peer())) {
      return FaultPlans.partition();
    }
    return configured.getOrDefault(link, FaultPlans.NONE);
  }

  private void refresh(Link link) {
    AtomicReference<FaultPlans> ref = live.get(link);
    if (ref != null) {
      ref.set(effective(link));
    }
  }

  private void refreshAll() {
    live.forEach((link, ref) -> ref.set(effective(link)));
  }

  private static Link link(String localNode, String peerNode) {
    return new Link(checkNode("localNode", localNode), checkNode("peerNode", peerNode));
  }

  private static String checkNode(String name, String node) {
    if (node == null || node.isBlank()) {
      throw new FaultPlanException(
          name + " is " + (node == null ? "null" : "'" + node + "'") + "; expected a node id");
    }
    return node;
  }
}
