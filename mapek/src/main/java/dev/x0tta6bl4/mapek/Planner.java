package dev.x0tta6bl4.mapek;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Ranks candidate actions with knowledge and applies the guard rails. Owned by the loop thread.
 *
 * <p>Score = priority / 100 + statsWeight * confidence * (2 * successRate - 1) + recallWeight *
 * recallVote, where the statistics are those of (incident kind, action kind) and the vote comes
 * from the outcomes of the most similar past incidents ({@link KnowledgeBase#recall}). Incidents
 * are planned worst severity first; for each, candidates are tried best score first, and the first
 * one that passes every rule is approved: not failed before for this incident, an actuator
 * exists, its subject is not busy with another action, its cooldown (per action kind and subject)
 * has passed, fewer than {@code maxConcurrent} actions would run, fewer than {@code rateLimit}
 * actions started in the last {@code rateWindow}, and the node's veto allows it.
 */
final class Planner {
  private final KnowledgeBase knowledge;
  private final Map<String, Actuator> actuators;
  private final ActionVeto veto;
  private final int maxConcurrent;
  private final int rateLimit;
  private final Duration rateWindow;
  private final double statsWeight;
  private final double recallWeight;
  private final int recallK;
  /** Action key to the time its cooldown ends. */
  private final Map<String, Instant> coolUntil = new HashMap<>();
  private final ArrayDeque<Instant> starts = new ArrayDeque<>();

  Planner(KnowledgeBase knowledge, Map<String, Actuator> actuators, ActionVeto veto,
      int maxConcurrent, int rateLimit, Duration rateWindow, double statsWeight,
      double recallWeight, int recallK) {
    this.knowledge = knowledge;
    this.actuators = Map.copyOf(actuators);
    this.veto = veto;
    this.maxConcurrent = maxConcurrent;
    this.rateLimit = rateLimit;
    this.rateWindow = rateWindow;
    this.statsWeight = statsWeight;
    this.recallWeight = recallWeight;
    this.recallK = recallK;
  }

  record Scored(Candidate candidate, double score) {}

  /** Candidates best first, with their knowledge-adjusted scores; duplicates keep the highest priority. */
  List<Scored> rank(Incident incident, List<Candidate> candidates) {
    Map<String, Candidate> unique = new LinkedHashMap<>();
    for (Candidate c : candidates) {
      unique.merge(c.action().key(), c, (a, b) -> a.priority() >= b.priority() ? a : b);
    }
    Map<String, Double> votes = unique.isEmpty() || recallWeight == 0 || knowledge.index().size() == 0
        ? Map.of() : recall(incident);
    List<Scored> out = new ArrayList<>(unique.size());
    for (Candidate c : unique.values()) {
      ActionStats s = knowledge.stats(incident.kind, c.action().kind());
      double score = c.priority() / 100.0
          + statsWeight * s.confidence() * (2 * s.successRate() - 1)
          + recallWeight * votes.getOrDefault(c.action().kind(), 0.0);
      out.add(new Scored(c, score));
    }
    out.sort(Comparator.comparingDouble(Scored::score).reversed()
        .thenComparing(sc -> sc.candidate().action().key()));
    return out;
  }

  /** Recall votes, reused while neither the incident's features nor knowledge have changed. */
  private Map<String, Double> recall(Incident incident) {
    long version = knowledge.version();
    if (incident.recallVotes == null || incident.recallVersion != version
        || !Arrays.equals(incident.recallFeatures, incident.features)) {
      incident.recallVotes = knowledge.recall(incident.features, recallK);
      incident.recallFeatures = incident.features;
      incident.recallVersion = version;
    }
    return incident.recallVotes;
  }

  /**
   * Chooses at most one action per incident under the guard rails.
   *
   * @param ranked candidates per incident, best first, in the order incidents are to be served
   * @param running the actions running now
   */
  Plan plan(long tick, Instant now, Mode mode, Map<Incident, List<Scored>> ranked,
      Snapshot snapshot, List<Action> running) {
    expireStarts(now);
    List<Plan.Step> approved = new ArrayList<>();
    List<Plan.Rejection> rejected = new ArrayList<>();
    List<Action> inFlight = new ArrayList<>(running);
    Set<String> busy = new HashSet<>();
    for (Action a : running) {
      busy.add(a.subject());
    }
    for (Map.Entry<Incident, List<Scored>> e : ranked.entrySet()) {
      Incident incident = e.getKey();
      for (Scored sc : e.getValue()) {
        Optional<String[]> refusal = check(incident, sc.candidate().action(), now, snapshot, busy,
            inFlight, starts.size() + approved.size());
        if (refusal.isPresent()) {
          rejected.add(new Plan.Rejection(incident.id, sc.candidate(), sc.score(),
              refusal.get()[0], refusal.get()[1]));
          continue;
        }
        approved.add(new Plan.Step(incident.id, sc.candidate(), sc.score()));
        busy.add(sc.candidate().action().subject());
        inFlight.add(sc.candidate().action());
        break;
      }
    }
    return new Plan(tick, now, mode, approved, rejected);
  }

  /**
   * Restores the guard rails from the journal after a restart: each action's cooldown runs from
   * its last start, and starts within the rate window still count.
   */
  void restore(List<JournalRecord.ActionStarted> lastStarts, List<Instant> recentStarts,
      Instant now) {
    for (JournalRecord.ActionStarted a : lastStarts) {
      Actuator actuator = actuators.get(a.actionKind());
      if (actuator != null && now.isBefore(a.at().plus(actuator.cooldown()))) {
        coolUntil.merge(a.actionKey(), a.at().plus(actuator.cooldown()),
            (x, y) -> x.isAfter(y) ? x : y);
      }
    }
    Instant horizon = now.minus(rateWindow);
    for (Instant at : recentStarts) {
      if (at.isAfter(horizon)) {
        starts.addLast(at);
      }
    }
  }

  /** Records that an action started, for its cooldown and the rate limit. */
  void started(Action action, Instant now) {
    Actuator actuator = actuators.get(action.kind());
    if (actuator != null) {
      coolUntil.put(action.key(), now.plus(actuator.cooldown()));
    }
    starts.addLast(now);
  }

  private Optional<String[]> check(Incident incident, Action action, Instant now, Snapshot snapshot,
      Set<String> busy, List<Action> inFlight, int startedInWindow) {
    int wouldRun = inFlight.size();
    if (incident.failedActions.contains(action.key())) {
      return refuse(Plan.FAILED_BEFORE, "did not resolve this incident before");
    }
    Actuator actuator = actuators.get(action.kind());
    if (actuator == null) {
      return refuse(Plan.NO_ACTUATOR, "no actuator for " + action.kind());
    }
    if (busy.contains(action.subject())) {
      return refuse(Plan.BUSY, "another action on " + action.subject() + " is running or planned");
    }
    Instant until = coolUntil.get(action.key());
    if (until != null && now.isBefore(until)) {
      return refuse(Plan.COOLDOWN, "cooling down until " + until);
    }
    if (wouldRun >= maxConcurrent) {
      return refuse(Plan.MAX_CONCURRENT, wouldRun + " actions running or planned, limit " + maxConcurrent);
    }
    if (startedInWindow >= rateLimit) {
      return refuse(Plan.RATE_LIMIT, startedInWindow + " started within " + rateWindow + ", limit " + rateLimit);
    }
    Optional<String> vetoed;
    try {
      vetoed = veto.veto(action, snapshot, List.copyOf(inFlight));
    } catch (RuntimeException e) {
      vetoed = Optional.of("veto failed: " + e);
    }
    if (vetoed.isPresent()) {
      return refuse(Plan.VETO, vetoed.get());
    }
    return Optional.empty();
  }

  private void expireStarts(Instant now) {
    Instant horizon = now.minus(rateWindow);
    while (!starts.isEmpty() && !starts.peekFirst().isAfter(horizon)) {
      starts.pollFirst();
    }
    coolUntil.values().removeIf(until -> !now.isBefore(until));
  }

  private static Optional<String[]> refuse(String rule, String detail) {
    return Optional.of(new String[] {rule, detail});
  }
}
