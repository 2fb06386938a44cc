package dev.x0tta6bl4.mapek;

import java.time.Instant;
import java.util.List;

/**
 * What the planner decided in one tick: the approved steps (at most one per incident; started in
 * {@link Mode#AUTO}, only logged in {@link Mode#ADVISE}) and the candidates the guard rails
 * refused, each with the rule that refused it.
 */
public record Plan(long tick, Instant at, Mode mode, List<Step> approved, List<Rejection> rejected) {
  /** Guard-rail rules, as reported in {@link Rejection#rule()} and in metrics. */
  public static final String FAILED_BEFORE = "failed-before";
  public static final String NO_ACTUATOR = "no-actuator";
  public static final String BUSY = "busy";
  public static final String COOLDOWN = "cooldown";
  public static final String MAX_CONCURRENT = "max-concurrent";
  public static final String RATE_LIMIT = "rate-limit";
  public static final String VETO = "veto";

  public Plan {
    approved = List.copyOf(approved);
    rejected = List.copyOf(rejected);
  }

  /** An action approved for an incident, with the score that ranked it first. */
  public record Step(long incidentId, Candidate candidate, double score) {}

  /** A candidate a guard rail refused. */
  public record Rejection(long incidentId, Candidate candidate, double score, String rule,
      String detail) {}
}
