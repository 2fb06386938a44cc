package dev.x0tta6bl4.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LeaderLossWatch}: which follower stands for election when, after its leader's
 * connection dropped (on a fake member and clock), and on a real three-voter group that the
 * leader's successor wins at once when the leader's server closes.
 */
class LeaderLossWatchTest {
  private static final Duration MIN = Duration.ofMillis(150);
  private static final Duration STEP = Duration.ofMillis(75);
  private static final List<String> VOTERS = List.of("n1", "n2", "n3");

  /** A follower of {@code leader} whose state the test sets; records its stand calls. */
  static final class FakeMember implements LeaderLossWatch.Member {
    String leader = "n1";
    List<String> voters = VOTERS;
    boolean connected = true;
    long silence;
    boolean accept = true;
    final List<String> stands = new ArrayList<>();

    @Override public String followedLeader() { return leader; }
    @Override public List<String> stableVoters() { return voters; }
    @Override public boolean connectedTo(String l) { return connected; }
    @Override public long silenceMillis() { return silence; }

    @Override
    public boolean stand(String l, long minSilenceMillis) {
      if (!accept || silence < minSilenceMillis) {
        return false;
      }
      stands.add(l);
      leader = null; // a candidate follows no one
      return true;
    }
  }

  private final FakeMember member = new FakeMember();
  private final Counter stood = new SimpleMeterRegistry().counter("stood");

  private LeaderLossWatch watch(String self) {
    return new LeaderLossWatch(self, member, MIN, STEP, stood);
  }

  /** Lets {@code millis} of silence pass, checking every 10 ms. */
  private void run(LeaderLossWatch w, long millis) {
    for (long t = 0; t < millis; t += 10) {
      member.silence += 10;
      w.check();
    }
  }

  @Test
  void rank_countsTheVotersAfterTheLeaderByIdWrappingAround() {
    assertThat(LeaderLossWatch.rank(VOTERS, "n1", "n2")).isZero();
    assertThat(LeaderLossWatch.rank(VOTERS, "n1", "n3")).isEqualTo(1);
    assertThat(LeaderLossWatch.rank(VOTERS, "n3", "n1")).isZero();
    assertThat(LeaderLossWatch.rank(VOTERS, "n3", "n2")).isEqualTo(1);
    assertThat(LeaderLossWatch.rank(List.of("e", "a", "d", "b", "c"), "c", "b")).isEqualTo(3);
    assertThat(LeaderLossWatch.rank(VOTERS, "n1", "n1")).as("the leader itself").isEqualTo(-1);
    assertThat(LeaderLossWatch.rank(VOTERS, "n1", "n4")).as("not a voter").isEqualTo(-1);
    assertThat(LeaderLossWatch.rank(VOTERS, "n9", "n2")).as("leader not a voter")
        .isEqualTo(-1);
    assertThat(LeaderLossWatch.rank(List.of(), "n1", "n2")).as("configuration changing")
        .isEqualTo(-1);
  }

  @Test
  void step_isHalfTheSpreadOfTheElectionTimeouts() {
    assertThat(LeaderLossWatch.step(Duration.ofMillis(150), Duration.ofMillis(300)))
        .isEqualTo(Duration.ofMillis(75));
  }

  @Test
  void successor_standsOnceSilentForTheMinimumTimeoutPlusMargin_onlyWithTheConnectionDown() {
    LeaderLossWatch w = watch("n2");
    run(w, 1_000);
    assertThat(member.stands).as("connection up: the leader lives, however silent").isEmpty();

    member.connected = false;
    member.silence = 0;
    long due = MIN.plus(LeaderLossWatch.MARGIN).toMillis(); // 170 ms
    run(w, due - 10);
    assertThat(member.stands).as("before its turn").isEmpty();
    run(w, 10);
    assertThat(member.stands).containsExactly("n1");
    assertThat(stood.count()).isEqualTo(1.0);

    run(w, 1_000);
    assertThat(member.stands).as("a candidate follows no one: stands once").hasSize(1);
  }

  @Test
  void nextRank_standsOneStepOfSilenceLater() {
    LeaderLossWatch w = watch("n3");
    member.connected = false;
    member.silence = 0;
    run(w, MIN.plus(LeaderLossWatch.MARGIN).plus(STEP).toMillis() - 10);
    assertThat(member.stands).as("rank 1 before its turn").isEmpty();
    run(w, 10);
    assertThat(member.stands).containsExactly("n1");
  }

  @Test
  void follower_thatHeardFromSomeoneSince_doesNotStand() {
    LeaderLossWatch w = watch("n3"); // rank 1
    member.connected = false;
    for (int i = 0; i < 100; i++) {
      run(w, 10);
      member.silence = 0; // keeps granting the successor's votes, say
    }
    assertThat(member.stands).isEmpty();
    assertThat(stood.count()).isZero();
  }

  @Test
  void anotherLeader_changesTheRank() {
    LeaderLossWatch w = watch("n2");
    member.connected = false;
    member.leader = "n3"; // n2 is rank 1 after n3
    run(w, 240);
    assertThat(member.stands).isEmpty();
    run(w, 10);
    assertThat(member.stands).containsExactly("n3");
  }

  @Test
  void noStand_whileTheConfigurationChanges_orForTheLeaderItself_orWhenRefused() {
    LeaderLossWatch w = watch("n2");
    member.connected = false;
    member.voters = List.of();
    run(w, 1_000);
    member.voters = VOTERS;
    member.leader = "n2";
    run(w, 1_000);
    member.leader = "n1";
    member.accept = false; // no longer a follower of n1 when it came to it
    run(w, 1_000);
    assertThat(member.stands).isEmpty();
    assertThat(stood.count()).isZero();
  }

  @Test
  void ratisCandidateMethod_isFound() {
    assertThat(DivisionMember.SUPPORTED)
        .as("RaftServerImpl.changeToCandidate(boolean) and the channel fields").isTrue();
  }

  @Test
  void leaderServerCloses_itsSuccessorStandsAtOnceAndWins(@TempDir Path dir) throws Exception {
    // Later elections slow (2-30 s): Ratis' own timer would take seconds and pick either
    // survivor; the watch makes the successor stand after 2.02 s without its leader.
    try (TestCluster c = new TestCluster(dir, 3, b -> b
        .electionTimeout(Duration.ofSeconds(2), Duration.ofSeconds(30))
        .firstElectionTimeout(Duration.ofMillis(150), Duration.ofMillis(300)))) {
      c.startAll();
      String leader = c.awaitLeader(Duration.ofSeconds(30));
      List<String> ids = c.voters.stream().map(Voter::id).toList();
      String successor = ids.stream()
          .filter(id -> LeaderLossWatch.rank(ids, leader, id) == 0).findFirst().orElseThrow();
      String other = ids.stream()
          .filter(id -> LeaderLossWatch.rank(ids, leader, id) == 1).findFirst().orElseThrow();
      // Both survivors connected to the leader, as the supervisor keeps them in a node.
      for (String id : List.of(successor, other)) {
        TestCluster.await(Duration.ofSeconds(30), () -> c.node(id).keepPeerConnections() == 2,
            id + " connected to both other voters");
      }

      // A write just before the leader goes: both followers last hear from it at the same
      // time, as under load (idle, its heartbeats reach them up to 1 s apart here, and the
      // other follower would refuse the successor's pre-vote: see LeaderLossWatch).
      c.node(leader).put("k", new byte[] {1}).get(30, TimeUnit.SECONDS);
      c.stop(leader);
      String next = c.awaitLeader(Duration.ofSeconds(20));

      assertThat(next).as("new leader after " + leader).isEqualTo(successor);
      assertThat(fastElections(c, successor)).isEqualTo(1.0);
      assertThat(fastElections(c, other)).isZero();
      assertThat(c.node(other).put("k", new byte[] {2}).get(30, TimeUnit.SECONDS))
          .as("version of the write after the failover").isEqualTo(2L);
    }
  }

  private static double fastElections(TestCluster c, String id) {
    return c.registries.get(id).get("meshd.raft.elections.fast").counter().count();
  }
}
