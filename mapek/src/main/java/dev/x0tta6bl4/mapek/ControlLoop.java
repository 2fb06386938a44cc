package dev.x0tta6bl4.mapek;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The MAPE-K control loop. Each {@link #tick()} settles finished actions, reads every sensor into
 * one {@link Snapshot} (Monitor), turns it into symptoms, diagnoses and incidents (Analyze),
 * ranks candidate actions and applies the guard rails (Plan), starts the approved actions or, in
 * {@link Mode#ADVISE}, only logs them (Execute), and writes outcomes to the
 * {@link KnowledgeBase} (Knowledge). A sensor, detector, correlator, policy, encoder, action or
 * journal write that fails is counted and logged; the tick goes on.
 *
 * <p>Threading: {@link #tick()} is called periodically by one thread the node owns (e.g. a
 * single-threaded scheduler every 250 ms); incident state belongs to that thread. Actions run on
 * the injected executor and report back through a queue read at the next tick. {@link #mode},
 * {@link #incidents()} and {@link #lastPlan()} may be called from any thread. The node closes the
 * loop (which cancels running actions) and, separately, the knowledge base.
 */
public final class ControlLoop implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ControlLoop.class);

  private final Clock clock;
  private final LongSupplier nanoTime;
  private final List<Sensor> sensors;
  private final List<Detector> detectors;
  private final Correlator correlator;
  private final List<Policy> policies;
  private final Map<String, Actuator> actuators;
  private final FeatureEncoder encoder;
  private final KnowledgeBase knowledge;
  private final Planner planner;
  private final ActionRunner runner;
  private final MapekMetrics metrics;
  private final int maxAttempts;
  private final int clearTicks;
  private final int recentCapacity;

  private final Map<String, Incident> open = new LinkedHashMap<>();
  private final Map<String, Instant> symptomOnsets = new HashMap<>();
  private final ArrayDeque<IncidentView> recent = new ArrayDeque<>();
  private final List<JournalRecord> pending = new ArrayList<>();
  private volatile Mode mode;
  private volatile List<IncidentView> published = List.of();
  private volatile Plan lastPlan;
  private long ticks;
  private long lastIncidentId;
  private boolean closed;

  ControlLoop(ControlLoopBuilder b) {
    this.clock = b.clock;
    this.nanoTime = b.nanoTime;
    this.sensors = List.copyOf(b.sensors);
    this.detectors = List.copyOf(b.detectors);
    this.correlator = b.correlator;
    this.policies = List.copyOf(b.policies);
    this.actuators = Map.copyOf(b.actuators);
    this.encoder = b.encoder != null ? b.encoder : new HashingFeatureEncoder(b.knowledge.dimensions());
    this.knowledge = b.knowledge;
    this.planner = new Planner(b.knowledge, actuators, b.veto, b.maxConcurrent, b.rateLimit,
        b.rateWindow, b.statsWeight, b.recallWeight, b.recallK);
    this.runner = new ActionRunner(b.executor);
    this.metrics = new MapekMetrics(b.registry);
    this.maxAttempts = b.maxAttempts;
    this.clearTicks = b.clearTicks;
    this.recentCapacity = b.recentCapacity;
    this.mode = b.mode;
    this.lastIncidentId = b.knowledge.maxIncidentId();
    planner.restore(b.knowledge.lastStarts(), b.knowledge.recentStarts(), clock.instant());
    if (encoder.dimensions() != knowledge.dimensions()) {
      throw new MapekException("feature encoder has " + encoder.dimensions()
          + " dimensions but knowledge expects " + knowledge.dimensions());
    }
    knowledge.bindTo(b.registry);
  }

  public static ControlLoopBuilder builder() {
    return new ControlLoopBuilder();
  }

  public Mode mode() {
    return mode;
  }

  /** Switches mode; takes effect at the next tick. Running actions finish and are still verified. */
  public void mode(Mode newMode) {
    Mode old = this.mode;
    this.mode = Objects.requireNonNull(newMode, "mode");
    if (old != newMode) {
      log.info("mapek mode changed from {} to {}", old.label(), newMode.label());
    }
  }

  /** Open incidents, then those resolved since start (newest last), as of the last tick. */
  public List<IncidentView> incidents() {
    return published;
  }

  /** The plan of the last tick that planned. */
  public Optional<Plan> lastPlan() {
    return Optional.ofNullable(lastPlan);
  }

  /** Runs one Monitor-Analyze-Plan-Execute-Knowledge round. */
  public synchronized TickReport tick() {
    if (closed) {
      throw new MapekException("control loop is closed");
    }
    long tick = ++ticks;
    Mode current = mode;
    metrics.tick(current);
    if (current == Mode.OFF) {
      return new TickReport(tick, current, null, List.of(), null);
    }
    Instant now = clock.instant();
    long t0 = nanoTime.getAsLong();
    settleActions(now);
    long t1 = nanoTime.getAsLong();
    Snapshot snapshot = monitor(tick, now);
    long t2 = nanoTime.getAsLong();
    List<Diagnosis> diagnoses = analyze(snapshot, now);
    long t3 = nanoTime.getAsLong();
    Plan plan = plan(tick, now, current, snapshot);
    long t4 = nanoTime.getAsLong();
    if (current == Mode.AUTO) {
      execute(plan, now);
    } else {
      advise(plan, now);
    }
    long t5 = nanoTime.getAsLong();
    flushKnowledge();
    long t6 = nanoTime.getAsLong();
    metrics.phase(MapekMetrics.Phase.MONITOR, t2 - t1);
    metrics.phase(MapekMetrics.Phase.ANALYZE, t3 - t2);
    metrics.phase(MapekMetrics.Phase.PLAN, t4 - t3);
    metrics.phase(MapekMetrics.Phase.EXECUTE, (t1 - t0) + (t5 - t4));
    metrics.phase(MapekMetrics.Phase.KNOWLEDGE, t6 - t5);
    publish();
    return new TickReport(tick, current, snapshot, diagnoses, plan);
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    runner.cancelAll();
    flushKnowledge();
  }

  // ---- Monitor ----

  private Snapshot monitor(long tick, Instant now) {
    List<Reading> readings = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    for (Sensor sensor : sensors) {
      try {
        List<Reading> r = sensor.read();
        if (r != null) {
          readings.addAll(r);
        }
      } catch (RuntimeException e) {
        failed.add(sensor.name());
        componentFailed("sensor", sensor.name(), e);
      }
    }
    return Snapshot.of(tick, now, readings, new LinkedHashSet<>(failed));
  }

  // ---- Analyze ----

  private List<Diagnosis> analyze(Snapshot snapshot, Instant now) {
    List<Symptom> symptoms = symptoms(snapshot, now);
    List<Diagnosis> diagnoses = correlate(symptoms, snapshot);
    Map<String, Diagnosis> byKey = new LinkedHashMap<>();
    for (Diagnosis d : diagnoses) {
      byKey.merge(d.key(), d, (a, b) -> {
        List<Symptom> all = new ArrayList<>(a.symptoms());
        all.addAll(b.symptoms());
        return new Diagnosis(a.kind(), a.subject(), all, a.reason());
      });
    }
    for (Diagnosis d : byKey.values()) {
      Incident incident = open.get(d.key());
      if (incident == null) {
        openIncident(d, snapshot, now);
      } else {
        incident.update(d);
      }
    }
    Set<String> explained = new HashSet<>();
    for (Symptom s : symptoms) {
      explained.add(s.key());
    }
    for (Incident incident : new ArrayList<>(open.values())) {
      if (!byKey.containsKey(incident.key())) {
        incident.absentTicks++;
      }
      if (incident.absentTicks == 0) {
        if (incident.state == IncidentState.VERIFYING && !now.isBefore(incident.verifyDeadline)) {
          Action a = incident.currentAction;
          outcome(incident, a, Outcome.NOT_VERIFIED, now);
          metrics.action(a.kind(), "not_verified");
          failAttempt(incident, a, now, TimelineEvent.Type.VERIFICATION_FAILED,
              a.key() + " succeeded but " + incident.diagnosis.symptoms().size()
                  + " symptom(s) persist after " + actuators.get(a.kind()).verifyWindow());
        }
      } else if (incident.absentTicks >= clearTicks && incident.state != IncidentState.ACTING) {
        clear(incident, explained, now);
      }
    }
    return List.copyOf(byKey.values());
  }

  private List<Symptom> symptoms(Snapshot snapshot, Instant now) {
    Map<String, Detection> detections = new LinkedHashMap<>();
    for (Detector detector : detectors) {
      List<Detection> found;
      try {
        found = detector.detect(snapshot);
      } catch (RuntimeException e) {
        componentFailed("detector", detector.name(), e);
        continue;
      }
      if (found == null) {
        continue;
      }
      for (Detection d : found) {
        detections.merge(d.kind() + '/' + d.subject(), d,
            (a, b) -> b.severity().compareTo(a.severity()) > 0 ? b : a);
      }
    }
    List<Symptom> symptoms = new ArrayList<>(detections.size());
    Map<String, Instant> onsets = new HashMap<>();
    for (Map.Entry<String, Detection> e : detections.entrySet()) {
      Detection d = e.getValue();
      Instant first = symptomOnsets.get(e.getKey());
      if (first == null) {
        first = d.onset().filter(since -> since.isBefore(now)).orElse(now);
      }
      onsets.put(e.getKey(), first);
      symptoms.add(new Symptom(d.kind(), d.subject(), d.severity(), d.evidence(), first));
    }
    symptomOnsets.clear();
    symptomOnsets.putAll(onsets);
    return symptoms;
  }

  private List<Diagnosis> correlate(List<Symptom> symptoms, Snapshot snapshot) {
    if (symptoms.isEmpty()) {
      return List.of();
    }
    List<Diagnosis> out;
    try {
      out = new ArrayList<>(correlator.correlate(symptoms, snapshot));
    } catch (RuntimeException e) {
      componentFailed("correlator", correlator.getClass().getSimpleName(), e);
      return symptoms.stream().map(Diagnosis::of).toList();
    }
    Set<String> covered = new HashSet<>();
    for (Diagnosis d : out) {
      for (Symptom s : d.symptoms()) {
        covered.add(s.key());
      }
    }
    for (Symptom s : symptoms) {
      if (!covered.contains(s.key())) {
        out.add(Diagnosis.of(s));
      }
    }
    return out;
  }

  private void openIncident(Diagnosis d, Snapshot snapshot, Instant now) {
    Incident incident = new Incident(++lastIncidentId, d, now);
    incident.features = encode(d, snapshot);
    open.put(incident.key(), incident);
    metrics.open.set(open.size());
    metrics.timeToDetect(incident.kind, Duration.between(incident.firstSeen, now));
    event(incident, now, TimelineEvent.Type.DETECTED, d.severity() + ", " + d.reason() + ": "
        + evidence(d), IncidentState.OPEN);
  }

  private void clear(Incident incident, Set<String> presentSymptoms, Instant now) {
    if (incident.state == IncidentState.VERIFYING) {
      Action a = incident.currentAction;
      outcome(incident, a, Outcome.VERIFIED, now);
      metrics.action(a.kind(), "verified");
      event(incident, now, TimelineEvent.Type.VERIFIED, a.key() + " cleared the symptoms",
          IncidentState.VERIFYING);
      resolve(incident, now, "resolved by " + a.key(), true);
      return;
    }
    boolean superseded = incident.diagnosis.symptoms().stream()
        .anyMatch(s -> presentSymptoms.contains(s.key()));
    if (superseded) {
      resolve(incident, now, "superseded: its symptoms now belong to another diagnosis", false);
    } else if (incident.state == IncidentState.ESCALATED) {
      resolve(incident, now, "cleared after escalation", true);
    } else {
      resolve(incident, now, "cleared without action", true);
    }
  }

  private void resolve(Incident incident, Instant now, String resolution, boolean recovered) {
    incident.resolvedAt = now;
    incident.resolution = resolution;
    open.remove(incident.key());
    metrics.open.set(open.size());
    if (recovered) {
      metrics.timeToRecover(incident.kind, Duration.between(incident.firstSeen, now));
    }
    event(incident, now, TimelineEvent.Type.RESOLVED, resolution, IncidentState.RESOLVED);
    pending.add(new JournalRecord.IncidentClosed(incident.id, incident.kind, incident.subject,
        incident.firstSeen, incident.detectedAt, now, resolution, incident.timeline));
    if (recentCapacity > 0) {
      if (recent.size() >= recentCapacity) {
        recent.pollFirst();
      }
      recent.addLast(incident.view());
    }
  }

  // ---- Plan ----

  private Plan plan(long tick, Instant now, Mode current, Snapshot snapshot) {
    List<Incident> needing = new ArrayList<>();
    for (Incident i : open.values()) {
      if (i.state == IncidentState.OPEN) {
        needing.add(i);
      }
    }
    needing.sort(Comparator.comparing((Incident i) -> i.diagnosis.severity()).reversed()
        .thenComparingLong(i -> i.id));
    Map<Incident, List<Planner.Scored>> ranked = new LinkedHashMap<>();
    for (Incident incident : needing) {
      incident.features = encode(incident.diagnosis, snapshot);
      ranked.put(incident, planner.rank(incident, candidates(incident, snapshot)));
    }
    Plan plan = planner.plan(tick, now, current, ranked, snapshot, runner.runningActions());
    for (Plan.Rejection r : plan.rejected()) {
      metrics.refusal(r.rule());
    }
    noteBlocked(ranked, plan, now);
    lastPlan = plan;
    return plan;
  }

  private List<Candidate> candidates(Incident incident, Snapshot snapshot) {
    List<Candidate> out = new ArrayList<>();
    for (Policy policy : policies) {
      try {
        List<Candidate> proposed = policy.propose(incident.diagnosis, snapshot);
        if (proposed != null) {
          out.addAll(proposed);
        }
      } catch (RuntimeException e) {
        componentFailed("policy", policy.name(), e);
      }
    }
    return out;
  }

  private void noteBlocked(Map<Incident, List<Planner.Scored>> ranked, Plan plan, Instant now) {
    Set<Long> approved = new HashSet<>();
    for (Plan.Step s : plan.approved()) {
      approved.add(s.incidentId());
    }
    for (Map.Entry<Incident, List<Planner.Scored>> e : ranked.entrySet()) {
      Incident incident = e.getKey();
      if (approved.contains(incident.id)) {
        continue;
      }
      StringBuilder why = new StringBuilder();
      if (e.getValue().isEmpty()) {
        why.append("no policy proposes an action");
      }
      for (Plan.Rejection r : plan.rejected()) {
        if (r.incidentId() == incident.id) {
          why.append(why.length() == 0 ? "" : "; ").append(r.candidate().action().key())
              .append(": ").append(r.rule());
        }
      }
      note(incident, now, TimelineEvent.Type.BLOCKED, "blocked: " + why);
    }
  }

  // ---- Execute ----

  private void execute(Plan plan, Instant now) {
    for (Plan.Step step : plan.approved()) {
      Incident incident = byId(step.incidentId());
      Action action = step.candidate().action();
      Actuator actuator = actuators.get(action.kind());
      event(incident, now, TimelineEvent.Type.PLANNED, action.key() + " score "
          + String.format(Locale.ROOT, "%.3f", step.score()) + ": "
          + step.candidate().rationale(), incident.state);
      incident.currentAction = action;
      incident.lastNote = null;
      planner.started(action, now);
      try { // before it runs, so a crash during the action still leaves its cooldown behind
        knowledge.record(new JournalRecord.ActionStarted(incident.id, action.kind(),
            action.subject(), now));
      } catch (RuntimeException e) {
        componentFailed("knowledge", "journal", e);
      }
      metrics.action(action.kind(), "started");
      event(incident, now, TimelineEvent.Type.ACTION_STARTED, action.key() + " timeout "
          + actuator.timeout(), IncidentState.ACTING);
      runner.start(incident, action, actuator, now);
    }
  }

  private void advise(Plan plan, Instant now) {
    for (Plan.Step step : plan.approved()) {
      Incident incident = byId(step.incidentId());
      Action action = step.candidate().action();
      // Once per distinct action: the score and a rationale with live figures change every tick.
      if (note(incident, now, TimelineEvent.Type.ADVISED, "advise " + action.key() + " "
          + action.params(), "advise " + action.key() + " score "
          + String.format(Locale.ROOT, "%.3f", step.score()) + ": "
          + step.candidate().rationale())) {
        metrics.action(action.kind(), "advised");
      }
    }
  }

  private void settleActions(Instant now) {
    for (ActionRunner.Finished f : runner.drainFinished()) {
      Incident incident = f.run().incident();
      Action action = f.run().action();
      if (f.error() == null) {
        metrics.action(action.kind(), "succeeded");
        incident.verifyDeadline = now.plus(f.run().actuator().verifyWindow());
        event(incident, now, TimelineEvent.Type.ACTION_SUCCEEDED, action.key()
            + " done; verifying within " + f.run().actuator().verifyWindow(), IncidentState.VERIFYING);
      } else {
        metrics.action(action.kind(), "failed");
        outcome(incident, action, Outcome.FAILED, now);
        failAttempt(incident, action, now, TimelineEvent.Type.ACTION_FAILED,
            action.key() + " failed: " + f.error());
      }
    }
    for (ActionRunner.Running run : runner.expire(now)) {
      metrics.action(run.action().kind(), "timed_out");
      outcome(run.incident(), run.action(), Outcome.TIMED_OUT, now);
      failAttempt(run.incident(), run.action(), now, TimelineEvent.Type.ACTION_TIMED_OUT,
          run.action().key() + " did not finish within " + run.actuator().timeout());
    }
  }

  private void failAttempt(Incident incident, Action action, Instant now, TimelineEvent.Type type,
      String detail) {
    incident.failedActions.add(action.key());
    incident.failedAttempts++;
    incident.currentAction = null;
    incident.verifyDeadline = null;
    boolean escalate = incident.failedAttempts >= maxAttempts;
    event(incident, now, type, detail, escalate ? incident.state : IncidentState.OPEN);
    if (escalate) {
      event(incident, now, TimelineEvent.Type.ESCALATED, incident.failedAttempts
          + " attempts did not resolve it; no further automatic action", IncidentState.ESCALATED);
    }
  }

  // ---- Knowledge ----

  private void outcome(Incident incident, Action action, Outcome outcome, Instant now) {
    pending.add(new JournalRecord.ActionOutcome(incident.id, incident.kind, incident.subject,
        action.kind(), action.subject(), outcome, now, incident.features));
  }

  private void flushKnowledge() {
    for (JournalRecord r : pending) {
      try {
        knowledge.record(r);
      } catch (RuntimeException e) {
        componentFailed("knowledge", "journal", e);
      }
    }
    pending.clear();
  }

  // ---- helpers ----

  private float[] encode(Diagnosis d, Snapshot snapshot) {
    try {
      float[] v = encoder.encode(d, snapshot);
      if (v.length == knowledge.dimensions()) {
        return v;
      }
      throw new MapekException("encoder returned " + v.length + " dimensions, expected "
          + knowledge.dimensions());
    } catch (RuntimeException e) {
      componentFailed("encoder", encoder.getClass().getSimpleName(), e);
      return new float[knowledge.dimensions()];
    }
  }

  private Incident byId(long id) {
    for (Incident i : open.values()) {
      if (i.id == id) {
        return i;
      }
    }
    throw new MapekException("planned incident " + id + " is not open");
  }

  /** Records an event unless it repeats the incident's last note; returns whether it did. */
  private boolean note(Incident incident, Instant now, TimelineEvent.Type type, String detail) {
    return note(incident, now, type, detail, detail);
  }

  /** Records {@code detail} unless the incident's last note had the same {@code key}. */
  private boolean note(Incident incident, Instant now, TimelineEvent.Type type, String key,
      String detail) {
    if (key.equals(incident.lastNote)) {
      return false;
    }
    incident.lastNote = key;
    event(incident, now, type, detail, incident.state);
    return true;
  }

  private void event(Incident incident, Instant now, TimelineEvent.Type type, String detail,
      IncidentState newState) {
    incident.timeline.add(new TimelineEvent(now, type, detail));
    boolean changed = incident.state != newState || type == TimelineEvent.Type.DETECTED;
    incident.state = newState;
    if (changed) {
      metrics.transition(incident.kind, newState);
    }
    Level level = switch (type) {
      case ACTION_FAILED, ACTION_TIMED_OUT, VERIFICATION_FAILED, ESCALATED -> Level.WARN;
      default -> Level.INFO;
    };
    log.atLevel(level)
        .addKeyValue("incident_id", incident.id)
        .addKeyValue("incident_kind", incident.kind)
        .addKeyValue("incident_subject", incident.subject)
        .addKeyValue("event", type.name().toLowerCase(Locale.ROOT))
        .addKeyValue("state", newState.label())
        .log("incident {} {}/{} {}: {}", incident.id, incident.kind, incident.subject,
            type.name().toLowerCase(Locale.ROOT), detail);
  }

  private void componentFailed(String component, String name, RuntimeException e) {
    metrics.componentFailure(component, name);
    log.atWarn()
        .addKeyValue("component", component)
        .addKeyValue("name", name)
        .setCause(e)
        .log("mapek {} {} failed; the loop goes on", component, name);
  }

  private static String evidence(Diagnosis d) {
    StringBuilder sb = new StringBuilder();
    for (Symptom s : d.symptoms()) {
      if (sb.length() > 300) {
        sb.append(" ...");
        break;
      }
      sb.append(sb.length() == 0 ? "" : "; ").append(s.key()).append(' ').append(s.evidence());
    }
    return sb.toString();
  }

  private void publish() {
    List<IncidentView> views = new ArrayList<>(open.size() + recent.size());
    for (Incident i : open.values()) {
      views.add(i.view());
    }
    views.addAll(recent);
    published = List.copyOf(views);
  }
}
