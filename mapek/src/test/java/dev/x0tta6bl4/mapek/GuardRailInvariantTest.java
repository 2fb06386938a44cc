package dev.x0tta6bl4.mapek;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seeded fault injection against a toy node (8 links, 5 Raft voters): link faults and degraded
 * voters arrive at random, actions take random time, sometimes fail or do not help, and faults
 * sometimes heal by themselves. Checked at every action start, against the world's ground truth
 * rather than the loop's view: no restart ever leaves fewer than a quorum of other voters
 * available, at most K actions run at once, no (action, subject) restarts within its cooldown,
 * and no more than R actions start within the rate window.
 */
class GuardRailInvariantTest {
  private static final int VOTERS = 5;
  private static final int QUORUM = 3;
  private static final int MAX_CONCURRENT = 3;
  private static final int RATE = 6;
  private static final Duration WINDOW = Duration.ofSeconds(10);
  private static final Duration COOLDOWN = Duration.ofSeconds(3);
  private static final Duration TICK = Duration.ofMillis(250);

  private final FakeClock clock = new FakeClock();
  private final FakeLinks links = new FakeLinks(8);
  private final boolean[] faulted = new boolean[VOTERS];
  private final boolean[] restarting = new boolean[VOTERS];
  private final List<Pending> pending = new ArrayList<>();
  private final Map<String, Instant> lastStart = new HashMap<>();
  private final ArrayDeque<Instant> starts = new ArrayDeque<>();
  private final List<String> violations = new ArrayList<>();
  private int inFlight;
  private int started;
  private Random random;

  private record Pending(Action action, CompletableFuture<Void> future, int dueTick) {}

  private int tickNo;

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1L, 42L, 20261205L})
  void seededFaultInjection_guardRailsNeverViolated(long seed) {
    System.out.println("GuardRailInvariantTest seed=" + seed);
    random = new Random(seed);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ControlLoop loop = ControlLoop.builder()
        .clock(clock).executor(Runnable::run).meterRegistry(registry)
        .knowledge(KnowledgeBase.inMemory(16, 10_000))
        .sensor(links.sensor()).sensor(Sensor.of("raft", this::raftReadings))
        .detector(FakeLinks.detector()).detector(Detector.of("raft-degraded", this::raftDetections))
        .policy(FakeLinks.policy()).policy(Policy.of("raft", this::raftPolicy))
        .actuator(actuator("reroute")).actuator(actuator("reconnect"))
        .actuator(actuator("restart-raft"))
        .veto(this::quorumVeto)
        .maxConcurrentActions(MAX_CONCURRENT).rateLimit(RATE, WINDOW).maxAttempts(3)
        .build();

    int injections = 0;
    while (injections < 60 || tickNo < 400) {
      if (injections < 60 && random.nextInt(6) == 0) {
        injections += inject();
      }
      healSpontaneously();
      loop.tick();
      completeDue();
      clock.advance(TICK);
      tickNo++;
      assertThat(tickNo).as("seed %d: run bounded", seed).isLessThan(5_000);
    }
    assertThat(violations).as("seed %d", seed).isEmpty();
    Map<String, Double> refusals = new java.util.TreeMap<>();
    registry.find("meshd.mapek.plan.refusals").counters()
        .forEach(c -> refusals.put(c.getId().getTag("rule"), c.count()));
    long resolved = loop.incidents().stream().filter(v -> !v.open()).count();
    System.out.printf("seed=%d injections=%d ticks=%d started=%d resolved=%d refusals per tick %s%n",
        seed, injections, tickNo, started, resolved, refusals);
    assertThat(injections).isGreaterThanOrEqualTo(50);
    assertThat(started).as("actions actually ran").isGreaterThan(20);
    assertThat(resolved).isPositive();
    // every guard rail was actually exercised, so an empty violation list means something
    assertThat(refusals).containsKeys(Plan.VETO, Plan.MAX_CONCURRENT, Plan.COOLDOWN, Plan.RATE_LIMIT);
  }

  /** Injects one voter fault, or a burst of one to four link faults; returns how many. */
  private int inject() {
    if (random.nextInt(3) == 0) {
      faulted[random.nextInt(VOTERS)] = true;
      return 1;
    }
    int burst = 1 + random.nextInt(4);
    for (int i = 0; i < burst; i++) {
      links.fault(FakeLinks.peer(random.nextInt(8)));
    }
    return burst;
  }

  private void healSpontaneously() {
    for (int i = 0; i < VOTERS; i++) {
      if (faulted[i] && !restarting[i] && random.nextInt(200) == 0) {
        faulted[i] = false;
      }
    }
    for (int i = 0; i < 8; i++) {
      if (links.loss.get(FakeLinks.peer(i)) > 0.5 && random.nextInt(200) == 0) {
        links.heal(FakeLinks.peer(i));
      }
    }
  }

  private static String voter(int i) {
    return "n" + i;
  }

  private boolean available(int i) {
    return !faulted[i] && !restarting[i];
  }

  private List<Reading> raftReadings() {
    List<Reading> out = new ArrayList<>();
    for (int i = 0; i < VOTERS; i++) {
      out.add(new Reading("raft.available", voter(i), available(i) ? 1 : 0));
      out.add(new Reading("raft.degraded", voter(i), faulted[i] ? 1 : 0));
    }
    return out;
  }

  private List<Detection> raftDetections(Snapshot s) {
    List<Detection> out = new ArrayList<>();
    s.metric("raft.degraded").forEach((voter, v) -> {
      if (v > 0) {
        out.add(Detection.of("raft-degraded", voter, Severity.CRITICAL, "voter degraded"));
      }
    });
    return out;
  }

  private List<Candidate> raftPolicy(Diagnosis d, Snapshot s) {
    return d.kind().equals("raft-degraded")
        ? List.of(new Candidate(Action.of("restart-raft", d.subject()), 70, "rebuild the server"))
        : List.of();
  }

  /** The node's veto: a restart must leave a quorum of other voters available. */
  private Optional<String> quorumVeto(Action action, Snapshot s, List<Action> inFlight) {
    if (!action.kind().equals("restart-raft")) {
      return Optional.empty();
    }
    int others = 0;
    for (Map.Entry<String, Double> e : s.metric("raft.available").entrySet()) {
      boolean target = e.getKey().equals(action.subject());
      boolean busy = inFlight.stream().anyMatch(a -> a.kind().equals("restart-raft")
          && a.subject().equals(e.getKey()));
      if (!target && !busy && e.getValue() > 0) {
        others++;
      }
    }
    return others < QUORUM
        ? Optional.of("would leave " + others + " voters available, quorum is " + QUORUM)
        : Optional.empty();
  }

  private Actuator actuator(String kind) {
    ActionHandler handler = action -> {
      Instant now = clock.instant();
      check(action, now);
      started++;
      inFlight++;
      lastStart.put(action.key(), now);
      starts.addLast(now);
      if (action.kind().equals("restart-raft")) {
        restarting[index(action.subject())] = true;
      }
      CompletableFuture<Void> f = new CompletableFuture<>();
      // the world stops the action the moment its future ends, including a timeout's cancel
      f.whenComplete((v, e) -> finish(action));
      pending.add(new Pending(action, f, tickNo + random.nextInt(6)));
      return f;
    };
    return Actuator.of(kind, handler).withTimeout(Duration.ofSeconds(1)).withCooldown(COOLDOWN)
        .withVerifyWindow(Duration.ofSeconds(1));
  }

  private void check(Action action, Instant now) {
    if (inFlight + 1 > MAX_CONCURRENT) {
      violations.add(now + " " + action.key() + ": " + (inFlight + 1) + " actions at once");
    }
    Instant last = lastStart.get(action.key());
    if (last != null && Duration.between(last, now).compareTo(COOLDOWN) < 0) {
      violations.add(now + " " + action.key() + ": restarted " + Duration.between(last, now)
          + " after the previous start");
    }
    while (!starts.isEmpty() && !starts.peekFirst().isAfter(now.minus(WINDOW))) {
      starts.pollFirst();
    }
    if (starts.size() + 1 > RATE) {
      violations.add(now + " " + action.key() + ": " + (starts.size() + 1) + " starts in " + WINDOW);
    }
    if (action.kind().equals("restart-raft")) {
      int target = index(action.subject());
      int others = 0;
      for (int i = 0; i < VOTERS; i++) {
        if (i != target && available(i)) {
          others++;
        }
      }
      if (others < QUORUM) {
        violations.add(now + " " + action.key() + ": only " + others + " other voters available");
      }
    }
  }

  /** Finishes actions whose time has come: most succeed, some fail, some do not help. */
  private void completeDue() {
    for (Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
      Pending p = it.next();
      if (p.future().isDone()) {
        it.remove();
      } else if (p.dueTick() <= tickNo) {
        it.remove();
        int roll = random.nextInt(10);
        if (roll == 0) {
          p.future().completeExceptionally(new IllegalStateException("injected action failure"));
        } else {
          if (roll > 2) {
            fix(p.action());
          }
          p.future().complete(null);
        }
      }
    }
  }

  /** The action is no longer running in the world (done, failed or cancelled by a timeout). */
  private void finish(Action action) {
    inFlight--;
    if (action.kind().equals("restart-raft")) {
      restarting[index(action.subject())] = false;
    }
  }

  private void fix(Action a) {
    if (a.kind().equals("restart-raft")) {
      faulted[index(a.subject())] = false;
    } else {
      links.heal(a.subject());
    }
  }

  private static int index(String voter) {
    return Integer.parseInt(voter.substring(1));
  }
}
