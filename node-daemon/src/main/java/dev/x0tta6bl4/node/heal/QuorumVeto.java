package dev.x0tta6bl4.node.heal;

import dev.x0tta6bl4.mapek.Action;
import dev.x0tta6bl4.mapek.ActionVeto;
import dev.x0tta6bl4.mapek.Snapshot;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The quorum invariant as a veto: an action that takes a Raft voter out of service (rebuilding
 * its server, moving leadership away from it, quarantining it) is refused unless, counting every
 * voter-affecting action already in flight and the candidate itself, a majority of the voters
 * would still be known to be healthy. Unknown is unhealthy: a voter without a
 * {@value #VOTER_HEALTHY} reading of exactly 1 does not count, and without a voter set
 * ({@value #VOTER} readings) every voter-affecting action is refused. A leadership transfer
 * additionally needs a target ({@value #TARGET_PARAM} parameter) that is a voter, known healthy
 * and not itself affected by an action in flight.
 *
 * <p>Stateless; called on the loop thread. The voter-affecting kinds are configurable so that
 * another area's actions on a peer (a quarantine, say) are counted too.
 */
public final class QuorumVeto implements ActionVeto {
  /** One reading per voter of the current configuration (value 1), subject the voter id. */
  public static final String VOTER = "raft.voter";
  /** 1 when the voter is known to be replicating, 0 when known not to be; absent = unknown. */
  public static final String VOTER_HEALTHY = "raft.voter_healthy";
  /** The action parameter naming the voter a leadership transfer moves to. */
  public static final String TARGET_PARAM = "to";

  private final Set<String> voterAffectingKinds;
  private final String transferKind;

  /**
   * @param voterAffectingKinds action kinds whose subject is a voter taken out while they run
   * @param transferKind the kind that moves leadership (its target is checked as well)
   */
  public QuorumVeto(Set<String> voterAffectingKinds, String transferKind) {
    this.voterAffectingKinds = Set.copyOf(voterAffectingKinds);
    this.transferKind = Objects.requireNonNull(transferKind, "transferKind");
  }

  @Override
  public Optional<String> veto(Action action, Snapshot snapshot, List<Action> inFlight) {
    if (!voterAffectingKinds.contains(action.kind())) {
      return Optional.empty();
    }
    Set<String> voters = new TreeSet<>();
    snapshot.metric(VOTER).forEach((id, v) -> {
      if (v != null && v == 1.0) {
        voters.add(id);
      }
    });
    if (voters.isEmpty()) {
      return Optional.of("quorum: the Raft voter set is unknown, so " + action.key()
          + " cannot be shown to keep a majority");
    }
    Map<String, Double> health = snapshot.metric(VOTER_HEALTHY);
    Set<String> out = new HashSet<>();
    for (Action a : inFlight) {
      if (voterAffectingKinds.contains(a.kind())) {
        out.add(a.subject());
      }
    }
    out.add(action.subject());
    if (action.kind().equals(transferKind)) {
      String to = action.params().get(TARGET_PARAM);
      if (to == null || !voters.contains(to)) {
        return Optional.of("quorum: " + action.key() + " names no voter to move leadership to"
            + " (to=" + to + ", voters " + voters + ")");
      }
      if (!healthy(health, to)) {
        return Optional.of("quorum: the transfer target " + to + " is not known to be healthy");
      }
      if (out.contains(to)) {
        return Optional.of("quorum: the transfer target " + to
            + " is itself affected by an action in flight");
      }
    }
    int majority = voters.size() / 2 + 1;
    List<String> remaining = voters.stream()
        .filter(v -> !out.contains(v) && healthy(health, v)).toList();
    if (remaining.size() < majority) {
      return Optional.of("quorum: with " + action.key() + " and " + (out.size() - 1)
          + " other voter(s) affected by actions in flight, only " + remaining.size() + " of "
          + voters.size() + " voters would remain known healthy " + remaining + ", fewer than the"
          + " majority of " + majority);
    }
    return Optional.empty();
  }

  private static boolean healthy(Map<String, Double> health, String voter) {
    Double h = health.get(voter);
    return h != null && h == 1.0;
  }
}
