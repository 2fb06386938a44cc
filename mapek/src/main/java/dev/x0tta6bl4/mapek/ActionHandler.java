package dev.x0tta6bl4.mapek;

import java.util.concurrent.CompletionStage;

/**
 * Carries out one action kind. Called on the loop's executor (so independent actions run in
 * parallel); it must not block that thread for long and reports the outcome through the returned
 * stage: normal completion is success, exceptional completion a failure. When the actuator's
 * timeout passes first, the loop cancels the stage and counts a timeout; a late completion is
 * ignored.
 */
@FunctionalInterface
public interface ActionHandler {
  CompletionStage<Void> execute(Action action);
}
