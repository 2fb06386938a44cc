package dev.x0tta6bl4.mapek;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Starts actions on the injected executor and collects their outcomes. Owned by the loop thread;
 * completions arrive from any thread through a concurrent queue and are handed to the loop at its
 * next tick, so all incident state stays on the loop thread. Timeouts are checked against the
 * loop's clock at each tick (their resolution is the tick period).
 */
final class ActionRunner {
  record Running(long runId, Incident incident, Action action, Actuator actuator,
      Instant startedAt, Instant deadline, CompletableFuture<Void> future) {}

  /** A run that ended; {@code error} is null on success. */
  record Finished(Running run, Throwable error) {}

  private record Completion(long runId, Throwable error) {}

  private final Executor executor;
  private final Map<Long, Running> running = new LinkedHashMap<>();
  private final ConcurrentLinkedQueue<Completion> completions = new ConcurrentLinkedQueue<>();
  private long nextRunId;

  ActionRunner(Executor executor) {
    this.executor = executor;
  }

  Running start(Incident incident, Action action, Actuator actuator, Instant now) {
    long runId = nextRunId++;
    CompletableFuture<Void> future = new CompletableFuture<>();
    Running run = new Running(runId, incident, action, actuator, now, now.plus(actuator.timeout()),
        future);
    running.put(runId, run);
    future.whenComplete((v, error) -> completions.add(new Completion(runId, error)));
    try {
      executor.execute(() -> invoke(actuator, action, future));
    } catch (RejectedExecutionException e) {
      future.completeExceptionally(e);
    }
    return run;
  }

  /** Runs that completed since the last call, in completion order. */
  List<Finished> drainFinished() {
    List<Finished> out = new ArrayList<>();
    for (Completion c; (c = completions.poll()) != null; ) {
      Running run = running.remove(c.runId());
      if (run != null) {
        out.add(new Finished(run, unwrap(c.error())));
      }
    }
    return out;
  }

  /** Removes and cancels runs whose deadline has passed; a late completion is then ignored. */
  List<Running> expire(Instant now) {
    List<Running> out = new ArrayList<>();
    for (Iterator<Running> it = running.values().iterator(); it.hasNext(); ) {
      Running run = it.next();
      if (!now.isBefore(run.deadline())) {
        it.remove();
        run.future().cancel(true);
        out.add(run);
      }
    }
    return out;
  }

  List<Action> runningActions() {
    List<Action> out = new ArrayList<>(running.size());
    for (Running r : running.values()) {
      out.add(r.action());
    }
    return out;
  }

  int size() {
    return running.size();
  }

  void cancelAll() {
    for (Running r : running.values()) {
      r.future().cancel(true);
    }
    running.clear();
    completions.clear();
  }

  private static void invoke(Actuator actuator, Action action, CompletableFuture<Void> future) {
    try {
      CompletionStage<Void> stage = actuator.handler().execute(action);
      if (stage == null) {
        future.completeExceptionally(new MapekException(
            "actuator " + actuator.kind() + " returned no completion stage"));
        return;
      }
      future.whenComplete((v, error) -> {
        if (future.isCancelled()) {
          cancel(stage);
        }
      });
      stage.whenComplete((v, error) -> {
        if (error != null) {
          future.completeExceptionally(error);
        } else {
          future.complete(null);
        }
      });
    } catch (RuntimeException e) {
      future.completeExceptionally(e);
    }
  }

  /** Passes a timeout on to the actuator's own stage, so it can stop its work. */
  private static void cancel(CompletionStage<Void> stage) {
    try {
      stage.toCompletableFuture().cancel(true);
    } catch (UnsupportedOperationException e) {
      // a stage that cannot be cancelled simply runs on; its late completion is ignored
    }
  }

  private static Throwable unwrap(Throwable error) {
    if (error instanceof java.util.concurrent.CompletionException && error.getCause() != null) {
      return error.getCause();
    }
    return error;
  }
}
