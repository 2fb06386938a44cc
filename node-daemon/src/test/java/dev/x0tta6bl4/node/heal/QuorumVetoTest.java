package dev.x0tta6bl4.node.heal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.x0tta6bl4.mapek.Action;
import dev.x0tta6bl4.mapek.Reading;
import dev.x0tta6bl4.mapek.Snapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * The quorum invariant, checked against a reference model written independently of the veto:
 * exhaustively for groups of 1 to 5 voters (every health assignment healthy / unhealthy /
 * unknown, every in-flight set of up to two actions, every candidate), and by jqwik over larger
 * random worlds.
 */
class QuorumVetoTest {
  private static final String TRANSFER = RaftHealing.TRANSFER_LEADERSHIP;
  private static final String REBUILD = RaftHealing.REBUILD_RAFT;
  private static final String QUARANTINE = "quarantine-peer";
  private static final Set<String> AFFECTING = Set.of(TRANSFER, REBUILD, QUARANTINE);
  private final QuorumVeto veto = new QuorumVeto(AFFECTING, TRANSFER);

  /** 1 healthy, 0 unhealthy, -1 unknown (no reading). */
  private static Snapshot world(List<String> voters, int[] health) {
    List<Reading> r = new ArrayList<>();
    for (int i = 0; i < voters.size(); i++) {
      r.add(new Reading(QuorumVeto.VOTER, voters.get(i), 1));
      if (health[i] >= 0) {
        r.add(new Reading(QuorumVeto.VOTER_HEALTHY, voters.get(i), health[i]));
      }
    }
    return Snapshot.of(1, Instant.EPOCH, r, Set.of());
  }

  /** The rule, stated directly: what must hold for the veto to allow {@code candidate}. */
  private static boolean modelAllows(List<String> voters, int[] health, Action candidate,
      List<Action> inFlight) {
    if (!AFFECTING.contains(candidate.kind())) {
      return true;
    }
    Set<String> out = new HashSet<>();
    out.add(candidate.subject());
    inFlight.stream().filter(a -> AFFECTING.contains(a.kind())).forEach(a -> out.add(a.subject()));
    if (candidate.kind().equals(TRANSFER)) {
      String to = candidate.params().get("to");
      int t = to == null ? -1 : voters.indexOf(to);
      if (t < 0 || health[t] != 1 || out.contains(to)) {
        return false;
      }
    }
    int healthyLeft = 0;
    for (int i = 0; i < voters.size(); i++) {
      if (health[i] == 1 && !out.contains(voters.get(i))) {
        healthyLeft++;
      }
    }
    return healthyLeft >= voters.size() / 2 + 1;
  }

  private static List<Action> actionsOver(List<String> subjects) {
    List<Action> all = new ArrayList<>();
    for (String s : subjects) {
      all.add(Action.of(REBUILD, s));
      all.add(Action.of(QUARANTINE, s));
      all.add(Action.of(RaftHealing.SNAPSHOT_AND_PURGE, s));
      for (String to : subjects) {
        all.add(new Action(TRANSFER, s, Map.of("to", to)));
      }
      all.add(Action.of(TRANSFER, s)); // no target
    }
    return all;
  }

  @Test
  void veto_everyWorldOfUpToFiveVoters_matchesTheModel() {
    long checked = 0;
    long allowedAffecting = 0;
    for (int n = 1; n <= 5; n++) {
      List<String> voters = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        voters.add("n" + i);
      }
      List<String> subjects = new ArrayList<>(voters);
      subjects.add("stranger"); // an action about a non-voter
      List<Action> actions = actionsOver(subjects);
      List<Action> affecting = actions.stream().filter(a -> a.kind().equals(REBUILD)
          || a.kind().equals(QUARANTINE)).toList();
      int[] health = new int[n];
      for (int code = 0; code < Math.pow(3, n); code++) {
        int c = code;
        for (int i = 0; i < n; i++) {
          health[i] = c % 3 - 1;
          c /= 3;
        }
        Snapshot s = world(voters, health);
        List<List<Action>> inFlightSets = new ArrayList<>();
        inFlightSets.add(List.of());
        for (int i = 0; i < affecting.size(); i++) { // order does not matter: unordered pairs
          inFlightSets.add(List.of(affecting.get(i)));
          for (int j = i; j < affecting.size(); j++) {
            inFlightSets.add(List.of(affecting.get(i), affecting.get(j)));
          }
        }
        for (List<Action> inFlight : inFlightSets) {
          for (Action candidate : actions) {
            Optional<String> refusal = veto.veto(candidate, s, inFlight);
            boolean expected = modelAllows(voters, health, candidate, inFlight);
            if (refusal.isEmpty() != expected) { // assertThat per case would dominate the run
              fail("n=%d health=%s inFlight=%s candidate=%s: veto %s, model %s", n,
                  java.util.Arrays.toString(health), inFlight, candidate, refusal,
                  expected ? "allows" : "refuses");
            }
            checked++;
            if (expected && AFFECTING.contains(candidate.kind())) {
              allowedAffecting++;
            }
          }
        }
      }
    }
    System.out.printf("QuorumVetoTest: %d worlds x actions checked, %d voter-affecting allowed%n",
        checked, allowedAffecting);
    assertThat(allowedAffecting).as("the veto is not simply refusing everything").isPositive();
  }

  @Test
  void veto_threeVotersOneDown_refusesRebuildOfAHealthyOneAllowsRebuildOfTheDownOne() {
    Snapshot s = world(List.of("a", "b", "c"), new int[] {1, 1, 0});
    assertThat(veto.veto(Action.of(REBUILD, "a"), s, List.of())).isPresent()
        .get().asString().contains("only 1 of 3");
    assertThat(veto.veto(Action.of(REBUILD, "c"), s, List.of())).isEmpty();
  }

  @Test
  void veto_twoRebuildsEachHarmlessAlone_secondRefusedWhileFirstInFlight() {
    Snapshot s = world(List.of("a", "b", "c", "d", "e"), new int[] {1, 1, 1, 1, 1});
    assertThat(veto.veto(Action.of(REBUILD, "a"), s, List.of())).isEmpty();
    assertThat(veto.veto(Action.of(REBUILD, "b"), s, List.of(Action.of(REBUILD, "a"))))
        .isEmpty();
    assertThat(veto.veto(Action.of(REBUILD, "c"), s,
        List.of(Action.of(REBUILD, "a"), Action.of(QUARANTINE, "b")))).isPresent();
  }

  @Test
  void veto_unknownHealthOrVoterSet_refuses() {
    Snapshot unknown = world(List.of("a", "b", "c"), new int[] {1, -1, -1});
    assertThat(veto.veto(Action.of(REBUILD, "a"), unknown, List.of())).isPresent();
    Snapshot empty = Snapshot.of(1, Instant.EPOCH, List.of(), Set.of());
    assertThat(veto.veto(Action.of(REBUILD, "a"), empty, List.of())).get().asString()
        .contains("voter set is unknown");
    assertThat(veto.veto(Action.of(RaftHealing.SNAPSHOT_AND_PURGE, "local"), empty, List.of()))
        .isEmpty();
  }

  @Test
  void veto_transferToUnhealthyOrBusyTarget_refused() {
    Snapshot s = world(List.of("a", "b", "c"), new int[] {1, 1, 0});
    assertThat(veto.veto(new Action(TRANSFER, "a", Map.of("to", "c")), s, List.of()))
        .get().asString().contains("not known to be healthy");
    Snapshot all = world(List.of("a", "b", "c"), new int[] {1, 1, 1});
    assertThat(veto.veto(new Action(TRANSFER, "a", Map.of("to", "b")), all, List.of()))
        .isEmpty();
    assertThat(veto.veto(new Action(TRANSFER, "a", Map.of("to", "b")), all,
        List.of(Action.of(QUARANTINE, "b")))).get().asString().contains("affected");
  }

  @Property(tries = 2000)
  void veto_randomWorlds_neverAllowsWhatTheModelForbids(
      @ForAll @Size(min = 1, max = 9) List<@IntRange(min = -1, max = 1) Integer> healthList,
      @ForAll @Size(max = 4) List<@IntRange(min = 0, max = 40) Integer> inFlightCodes,
      @ForAll @IntRange(min = 0, max = 40) int candidateCode) {
    int n = healthList.size();
    List<String> voters = new ArrayList<>();
    int[] health = new int[n];
    for (int i = 0; i < n; i++) {
      voters.add("v" + i);
      health[i] = healthList.get(i);
    }
    List<String> subjects = new ArrayList<>(voters);
    subjects.add("stranger");
    List<Action> actions = actionsOver(subjects);
    List<Action> inFlight = inFlightCodes.stream().map(c -> actions.get(c % actions.size()))
        .toList();
    Action candidate = actions.get(candidateCode % actions.size());
    assertThat(veto.veto(candidate, world(voters, health), inFlight).isEmpty())
        .as("health=%s inFlight=%s candidate=%s", healthList, inFlight, candidate)
        .isEqualTo(modelAllows(voters, health, candidate, inFlight));
  }
}
