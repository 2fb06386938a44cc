package dev.x0tta6bl4.mapek;

import java.util.List;
import java.util.Optional;

/**
 * The node's last word on an action before it starts: returns a reason to refuse it (for
 * example, it would cost the Raft quorum or leave the node without a link), or empty to allow
 * it. Called on the loop thread at plan time with the tick's snapshot and the actions that will be
 * in flight with it: those still running and those already approved earlier in the same plan (so
 * two restarts that are each harmless alone cannot together cost the quorum). A veto that throws
 * counts as a refusal: an action is never started unless the veto allowed it.
 */
@FunctionalInterface
public interface ActionVeto {
  Optional<String> veto(Action action, Snapshot snapshot, List<Action> inFlight);

  static ActionVeto allowAll() {
    return (action, snapshot, inFlight) -> Optional.empty();
  }
}
