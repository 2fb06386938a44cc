package dev.x0tta6bl4.node.sim;

import dev.x0tta6bl4.node.delivery.BroadcastId;
import dev.x0tta6bl4.node.delivery.MessageId;
import dev.x0tta6bl4.node.delivery.SendResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A seeded churn run over a {@link MeshSimulator}: rounds of random link failures and repairs
 * (optionally node crashes and restarts, and partitions), each round's faults spread over a
 * fault window, then a quiet period with no faults, then the checks:
 *
 * <ol>
 *   <li>{@link MeshInvariants#converged}: connections, reachability, loop freedom and cost
 *       consistency over every pair of nodes;
 *   <li>unicast probes between random connected pairs: each accepted, acknowledged, and
 *       delivered exactly once;
 *   <li>one broadcast: delivered exactly once on every node of the origin's component and on no
 *       other (at most once when the plan drops data frames: flooding does not retransmit);
 *   <li>throughout, the {@link SimLedger}'s contract (no duplicate delivery, one outcome per
 *       send, nothing acknowledged that was not delivered), also for background traffic sent
 *       while the faults happen.
 * </ol>
 *
 * The checks start once no route table has changed for 300 ms (at most 10 s more): costs that
 * loss drove up keep decaying for seconds after the faults stop. Loss applies during the fault
 * windows only: it is a fault like the others.
 *
 * <p>The first {@link Plan#singleFailureRounds()} rounds have exactly one failure and nothing else;
 * later rounds draw their failure count between the plan's bounds and repair each down link
 * with {@link Plan#repairProbability()}. A violation throws {@link AssertionError} naming the
 * seed, the round and the virtual time. Single-threaded.
 */
final class ChurnScenario {

  /**
   * @param nodes node count
   * @param kind topology shape
   * @param averageDegree wanted average degree
   * @param failures link failures in the whole run (partition cuts included)
   * @param singleFailureRounds leading rounds with exactly one failure
   * @param minFailuresPerRound least failures in a later round
   * @param maxFailuresPerRound most failures in a later round
   * @param repairProbability chance that a down link is repaired in a later round
   * @param maxDownFraction at most this share of links down at once (repairs are forced first)
   * @param resetFraction share of failures reported to both ends (reset) instead of silent
   * @param crashProbability chance per round that a random node crashes (restarted next round)
   * @param partitionEvery every this many rounds a partition cuts a random half off (0: never);
   *     it heals in the next round
   * @param faultWindowNanos faults of a round happen at random times within this window
   * @param quietNanos quiet period after the window, before the checks
   * @param probesPerRound unicast probes after each quiet period
   * @param backgroundPerSecond unicast messages sent between random nodes during fault windows
   * @param config the simulated mesh's settings
   */
  record Plan(
      int nodes,
      Topology.Kind kind,
      double averageDegree,
      int failures,
      int singleFailureRounds,
      int minFailuresPerRound,
      int maxFailuresPerRound,
      double repairProbability,
      double maxDownFraction,
      double resetFraction,
      double crashProbability,
      int partitionEvery,
      long faultWindowNanos,
      long quietNanos,
      int probesPerRound,
      int backgroundPerSecond,
      SimConfig config) {

    /** A builder starting from the acceptance plan: 200 nodes, 1,000 failures (see the fields). */
    static Builder builder() {
      return new Builder();
    }

    /** Mutable builder of {@link Plan}; one thread. */
    static final class Builder {
      private int nodes = 200;
      private Topology.Kind kind = Topology.Kind.GEOMETRIC;
      private double averageDegree = 5.0;
      private int failures = 1_000;
      private int singleFailureRounds = 10;
      private int minFailuresPerRound = 20;
      private int maxFailuresPerRound = 40;
      private double repairProbability = 0.5;
      private double maxDownFraction = 0.15;
      private double resetFraction = 0.3;
      private double crashProbability = 0;
      private int partitionEvery = 0;
      private long faultWindowNanos = 1_000 * MS;
      private long quietNanos = 4_000 * MS;
      private int probesPerRound = 20;
      private int backgroundPerSecond = 20;
      private SimConfig config = SimConfig.defaults();

      Builder nodes(int value) {
        nodes = value;
        return this;
      }

      Builder kind(Topology.Kind value) {
        kind = value;
        return this;
      }

      Builder averageDegree(double value) {
        averageDegree = value;
        return this;
      }

      Builder failures(int value) {
        failures = value;
        return this;
      }

      Builder singleFailureRounds(int value) {
        singleFailureRounds = value;
        return this;
      }

      Builder minFailuresPerRound(int value) {
        minFailuresPerRound = value;
        return this;
      }

      Builder maxFailuresPerRound(int value) {
        maxFailuresPerRound = value;
        return this;
      }

      Builder repairProbability(double value) {
        repairProbability = value;
        return this;
      }

      Builder maxDownFraction(double value) {
        maxDownFraction = value;
        return this;
      }

      Builder resetFraction(double value) {
        resetFraction = value;
        return this;
      }

      Builder crashProbability(double value) {
        crashProbability = value;
        return this;
      }

      Builder partitionEvery(int value) {
        partitionEvery = value;
        return this;
      }

      Builder faultWindowNanos(long value) {
        faultWindowNanos = value;
        return this;
      }

      Builder quietNanos(long value) {
        quietNanos = value;
        return this;
      }

      Builder probesPerRound(int value) {
        probesPerRound = value;
        return this;
      }

      Builder backgroundPerSecond(int value) {
        backgroundPerSecond = value;
        return this;
      }

      Builder config(SimConfig value) {
        config = value;
        return this;
      }

      Plan build() {
        return new Plan(nodes, kind, averageDegree, failures, singleFailureRounds, minFailuresPerRound, maxFailuresPerRound, repairProbability, maxDownFraction, resetFraction, crashProbability, partitionEvery, faultWindowNanos, quietNanos, probesPerRound, backgroundPerSecond, config);
      }
    }
  }

  /** What one run did and saw. */
  record Report(
      long seed,
      String topology,
      int rounds,
      int failures,
      int repairs,
      int crashes,
      int partitions,
      int probes,
      int broadcasts,
      int backgroundSent,
      long backgroundDelivered,
      long redeliveredAfterRestart,
      long maxSettleNanos,
      long events,
      long framesSent,
      long framesLost,
      long routeComputations,
      long virtualNanos,
      long wallNanos,
      long cpuNanos,
      long traceHash) {

    double speedup() {
      return (double) virtualNanos / Math.max(1, wallNanos);
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT,
          "seed=%d %s rounds=%d failures=%d repairs=%d crashes=%d partitions=%d probes=%d"
              + " broadcasts=%d background=%d/%d redelivered-after-restart=%d max-settle=%dms"
              + " events=%d"
              + " frames=%d lost=%d spf-runs=%d virtual=%.1fs wall=%.2fs cpu=%.2fs speedup=%.1fx"
              + " trace=%016x",
          seed, topology, rounds, failures, repairs, crashes, partitions, probes, broadcasts,
          backgroundDelivered, backgroundSent, redeliveredAfterRestart, maxSettleNanos / MS,
          events, framesSent,
          framesLost, routeComputations, virtualNanos / 1e9, wallNanos / 1e9, cpuNanos / 1e9,
          speedup(), traceHash);
    }
  }

  private static final long MS = MeshSimulator.MS;
  private static final long SETTLED_NANOS = 300 * MS;
  private static final long MAX_SETTLE_NANOS = 10_000 * MS;

  private final long seed;
  private final Plan plan;
  private final MeshSimulator sim;
  private final SplittableRandom random;
  private final List<MeshSimulator.Link> partitionCut = new ArrayList<>();
  private final List<Integer> crashed = new ArrayList<>();
  private final List<MessageId> background = new ArrayList<>();
  private int round;
  private int failures;
  private int repairs;
  private int crashes;
  private int partitions;
  private int probes;
  private int broadcasts;
  private long payloadCounter;
  private long maxSettleNanos;

  ChurnScenario(long seed, Plan plan) {
    this.seed = seed;
    this.plan = plan;
    SplittableRandom root = new SplittableRandom(seed);
    Topology topology = Topology.generate(plan.kind(), plan.nodes(), plan.averageDegree(), root.split());
    this.random = root.split();
    this.sim = new MeshSimulator(root.nextLong(), topology, plan.config());
    sim.setLoss(0, 0); // loss is a fault of the fault windows
  }

  MeshSimulator simulator() {
    return sim;
  }

  /** Runs the whole plan; throws {@link AssertionError} naming the seed on the first violation. */
  Report run() {
    long wallStart = System.nanoTime();
    long cpuStart = threadCpuNanos();
    sim.runFor(plan.quietNanos());
    check();
    while (failures < plan.failures()) {
      round++;
      long start = sim.now();
      scheduleRound(start);
      sim.runUntil(start + plan.faultWindowNanos() + plan.quietNanos());
      check();
    }
    round++;
    healEverything(sim.now());
    sim.runFor(plan.quietNanos());
    check();
    // Let every background message reach its outcome (at most the delivery time bound), then
    // check that each got exactly one.
    sim.runUntil(() -> background.stream().allMatch(this::settledOrOrphaned),
        plan.config().delivery().maxDeliveryTime().toNanos() + 1_000 * MS);
    long backgroundDelivered = checkBackground();
    long wall = System.nanoTime() - wallStart;
    long cpu = threadCpuNanos() - cpuStart;
    return new Report(seed, sim.topology().toString(), round, failures, repairs, crashes,
        partitions, probes, broadcasts, background.size(), backgroundDelivered,
        sim.ledger().redeliveredAfterRestart(), maxSettleNanos, sim.eventsRun(), sim.framesSent(),
        sim.framesLost(), sim.routeComputations(), sim.now(), wall, cpu, sim.traceHash());
  }

  /** CPU time of the calling thread (a whole run stays on one thread), or 0 if unsupported. */
  private static long threadCpuNanos() {
    java.lang.management.ThreadMXBean threads =
        java.lang.management.ManagementFactory.getThreadMXBean();
    return threads.isCurrentThreadCpuTimeSupported() ? threads.getCurrentThreadCpuTime() : 0;
  }

  private void scheduleRound(long start) {
    long window = plan.faultWindowNanos();
    SimConfig config = plan.config();
    sim.at(start, () -> sim.setLoss(config.segmentLoss(), config.dataDrop()));
    sim.at(start + window, () -> sim.setLoss(0, 0));
    boolean single = round <= plan.singleFailureRounds();
    List<MeshSimulator.Link> up = new ArrayList<>();
    List<MeshSimulator.Link> down = new ArrayList<>();
    for (MeshSimulator.Link link : sim.links()) {
      (link.up ? up : down).add(link);
    }
    down.removeAll(partitionCut);
    int wanted = single ? 1 : plan.minFailuresPerRound()
        + random.nextInt(plan.maxFailuresPerRound() - plan.minFailuresPerRound() + 1);
    wanted = Math.min(wanted, plan.failures() - failures);
    int maxDown = Math.max(1, (int) (plan.maxDownFraction() * sim.links().length));
    wanted = Math.min(wanted, maxDown);
    List<MeshSimulator.Link> toRepair = new ArrayList<>();
    if (!single) {
      for (MeshSimulator.Link link : down) {
        if (random.nextDouble() < plan.repairProbability()) {
          toRepair.add(link);
        }
      }
    }
    // Forced repairs keep the share of down links bounded.
    for (int i = 0; down.size() - toRepair.size() + wanted > maxDown && i < down.size(); i++) {
      if (!toRepair.contains(down.get(i))) {
        toRepair.add(down.get(i));
      }
    }
    for (MeshSimulator.Link link : toRepair) {
      repairs++;
      sim.at(start + random.nextLong(window), () -> sim.repair(link));
    }
    if (!partitionCut.isEmpty()) {
      List<MeshSimulator.Link> heal = new ArrayList<>(partitionCut);
      partitionCut.clear();
      repairs += heal.size();
      sim.at(start + random.nextLong(window), () -> heal.forEach(sim::repair));
    }
    for (int i = 0; i < wanted && !up.isEmpty(); i++) {
      MeshSimulator.Link link = up.remove(random.nextInt(up.size()));
      MeshSimulator.CutKind kind = random.nextDouble() < plan.resetFraction()
          ? MeshSimulator.CutKind.RESET : MeshSimulator.CutKind.SILENT;
      failures++;
      sim.at(start + random.nextLong(window), () -> sim.cut(link, kind));
    }
    if (!single) {
      schedulePartition(start, window, up);
      scheduleCrashes(start, window);
    }
    scheduleBackground(start, window);
  }

  private void schedulePartition(long start, long window, List<MeshSimulator.Link> up) {
    if (plan.partitionEvery() <= 0 || round % plan.partitionEvery() != 0
        || failures >= plan.failures()) {
      return;
    }
    // A breadth-first ball around a random node, up to half the nodes, is cut off.
    int n = sim.size();
    boolean[] inside = new boolean[n];
    java.util.ArrayDeque<Integer> queue = new java.util.ArrayDeque<>();
    int first = random.nextInt(n);
    inside[first] = true;
    queue.add(first);
    int count = 1;
    while (!queue.isEmpty() && count < n / 2) {
      int u = queue.poll();
      for (MeshSimulator.Link link : sim.linksOf(u)) {
        int v = link.other(u);
        if (!inside[v] && count < n / 2) {
          inside[v] = true;
          count++;
          queue.add(v);
        }
      }
    }
    for (MeshSimulator.Link link : up) {
      if (inside[link.edge.a()] != inside[link.edge.b()]) {
        partitionCut.add(link);
      }
    }
    failures += partitionCut.size();
    partitions++;
    List<MeshSimulator.Link> cut = new ArrayList<>(partitionCut);
    sim.at(start + random.nextLong(window), () -> cut.forEach(l -> sim.cut(l, MeshSimulator.CutKind.SILENT)));
  }

  private void scheduleCrashes(long start, long window) {
    List<Integer> restarting = new ArrayList<>(crashed);
    for (int index : restarting) {
      sim.at(start + random.nextLong(window), () -> sim.restart(index));
    }
    crashed.clear();
    if (plan.crashProbability() > 0 && random.nextDouble() < plan.crashProbability()) {
      int index = random.nextInt(sim.size());
      if (restarting.contains(index)) {
        return; // it is down until its restart in this window
      }
      crashed.add(index);
      crashes++;
      sim.at(start + random.nextLong(window), () -> sim.crash(index));
    }
  }

  private void scheduleBackground(long start, long window) {
    int count = (int) (plan.backgroundPerSecond() * window / 1_000_000_000L);
    for (int i = 0; i < count; i++) {
      int s = random.nextInt(sim.size());
      int d = random.nextInt(sim.size());
      if (s == d) {
        continue;
      }
      sim.at(start + random.nextLong(window), () -> {
        SimNode node = sim.node(s);
        if (node != null) {
          SendResult<MessageId> r = node.send(Topology.nodeId(d), payload(), sim.now());
          if (r instanceof SendResult.Accepted<MessageId> a) {
            background.add(a.id());
          }
        }
      });
    }
  }

  private void healEverything(long at) {
    sim.at(at, () -> {
      for (MeshSimulator.Link link : sim.links()) {
        if (!link.up) {
          repairs++;
          sim.repair(link);
        }
      }
      partitionCut.clear();
      for (int index : crashed) {
        sim.restart(index);
      }
      crashed.clear();
    });
  }

  // ---- checks

  private void check() {
    settle();
    List<String> problems = MeshInvariants.converged(sim, 20);
    if (!problems.isEmpty()) {
      problems = new ArrayList<>(problems);
      problems.addAll(diagnose(problems.get(0)));
      fail("not converged after the quiet period", problems);
    }
    failIfViolations();
    probeUnicast();
    probeBroadcast();
    failIfViolations();
  }

  /**
   * Waits (at most {@link #MAX_SETTLE_NANOS}) until no route table has changed for {@link
   * #SETTLED_NANOS}: after the faults stop, link costs that loss drove up decay back over a few
   * seconds (the cost estimator smooths RTT over 2 s), each decay step a new advert. Checking
   * while such an advert is still being flooded would report the transient disagreement that
   * link-state routing has by nature, not a failure to converge.
   */
  private void settle() {
    long start = sim.now();
    sim.runUntil(() -> sim.now() - sim.lastRoutesChangedAt() >= SETTLED_NANOS, MAX_SETTLE_NANOS);
    maxSettleNanos = Math.max(maxSettleNanos, sim.now() - start);
  }

  /** Database differences between the first node named in a report and its neighbours. */
  private List<String> diagnose(String problem) {
    List<String> out = new ArrayList<>();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("n\\d{3}").matcher(problem);
    if (!m.find() || !sim.alive(sim.index(m.group()))) {
      return out;
    }
    SimNode node = sim.node(sim.index(m.group()));
    out.add(node.id + " links " + node.router().localLinks() + ", connections " + node.connections());
    for (String peer : node.connections().keySet()) {
      int p = sim.index(peer);
      if (sim.alive(p)) {
        out.add("database " + node.id + " vs " + peer + ": "
            + MeshInvariants.databaseDifferences(sim, node.index, p, sim.now(), 5));
      }
    }
    return out;
  }

  private void probeUnicast() {
    int[] component = sim.components();
    List<MessageId> ids = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < plan.probesPerRound(); i++) {
      int s = random.nextInt(sim.size());
      int d = random.nextInt(sim.size());
      if (s == d || !sim.alive(s) || component[s] != component[d]) {
        continue;
      }
      SendResult<MessageId> r = sim.node(s).send(Topology.nodeId(d), payload(), sim.now());
      if (r instanceof SendResult.Rejected<MessageId> rejected) {
        problems.add(Topology.nodeId(s) + " -> " + Topology.nodeId(d) + " rejected: "
            + rejected.reason() + " " + rejected.detail());
      } else {
        ids.add(((SendResult.Accepted<MessageId>) r).id());
      }
    }
    sim.runUntil(() -> ids.stream().allMatch(id -> sim.ledger().get(id).outcome != null),
        plan.config().delivery().maxDeliveryTime().toNanos() + 100 * MS);
    for (MessageId id : ids) {
      SimLedger.Sent s = sim.ledger().get(id);
      probes++;
      if (!s.acknowledged() || s.deliveredInLives.size() != 1) {
        problems.add(id + ": outcome " + s.outcome + (s.failure == null ? "" : " " + s.failure)
            + " after " + s.attempts + " attempts, delivered " + s.deliveredInLives.size()
            + " times");
      }
    }
    if (!problems.isEmpty()) {
      fail("unicast probes between connected nodes failed", problems);
    }
  }

  private void probeBroadcast() {
    int origin = random.nextInt(sim.size());
    if (!sim.alive(origin)) {
      return;
    }
    int[] component = sim.components();
    SendResult<BroadcastId> r = sim.node(origin).broadcast(payload(), sim.now());
    if (!(r instanceof SendResult.Accepted<BroadcastId> accepted)) {
      fail("broadcast refused", List.of(r.toString()));
      return;
    }
    BroadcastId id = accepted.id();
    broadcasts++;
    sim.runFor(500 * MS);
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < sim.size() && problems.size() < 20; i++) {
      SimNode node = sim.node(i);
      if (node == null) {
        continue;
      }
      int got = sim.ledger().broadcastDeliveries(id, i, node.incarnation);
      boolean member = component[i] == component[origin];
      boolean lossy = plan.config().dataDrop() > 0;
      if (member && (got > 1 || (got == 0 && !lossy))) {
        problems.add(node.id + " delivered broadcast " + id + " " + got + " times");
      } else if (!member && got != 0) {
        problems.add(node.id + " outside the origin's component delivered " + id);
      }
    }
    if (!problems.isEmpty()) {
      fail("broadcast probe failed", problems);
    }
  }

  /** The message has its outcome, or its source's process life ended (nobody is waiting). */
  private boolean settledOrOrphaned(MessageId id) {
    SimLedger.Sent s = sim.ledger().get(id);
    SimNode source = sim.node(sim.index(id.source()));
    return s.outcome != null || source == null || source.incarnation != s.sourceIncarnation;
  }

  private long checkBackground() {
    List<String> problems = new ArrayList<>();
    long delivered = 0;
    for (MessageId id : background) {
      SimLedger.Sent s = sim.ledger().get(id);
      SimNode source = sim.node(sim.index(id.source()));
      boolean sourceLives = source != null && source.incarnation == s.sourceIncarnation;
      if (s.outcome == null && sourceLives && problems.size() < 20) {
        problems.add(id + " sent at " + s.sentAt / MS + " ms never got an outcome");
      }
      if (s.acknowledged()) {
        delivered++;
      }
    }
    if (!problems.isEmpty()) {
      fail("background messages ended in silence", problems);
    }
    failIfViolations();
    return delivered;
  }

  private void failIfViolations() {
    if (!sim.ledger().violations().isEmpty()) {
      fail("delivery contract violated", sim.ledger().violations());
    }
  }

  private void fail(String what, List<String> problems) {
    throw new AssertionError(String.format(Locale.ROOT,
        "seed %d, round %d, virtual time %.3f s: %s (rerun with -D%s=%d):%n  %s", seed, round,
        sim.now() / 1e9, what, SimSeeds.PROPERTY, seed,
        String.join(System.lineSeparator() + "  ", problems)));
  }

  private byte[] payload() {
    long v = ++payloadCounter;
    return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
  }
}
