package dev.x0tta6bl4.consensus;

import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts an election on the leader's successor as soon as the leader's connection is gone,
 * instead of waiting for Ratis' election timer.
 *
 * <p>Ratis' follower sleeps one random election timeout (150-300 ms by default) and only then
 * checks whether it heard from the leader within that timeout. A follower therefore notices a
 * dead leader 150-600 ms after the leader's last message, about 330 ms in LeaderKillIT's node
 * logs. And when both survivors of three notice within the few milliseconds a pre-vote takes to
 * travel, both stand, both vote for themselves, and a second round costs another timeout: one
 * trial in ten ({@code docs/benchmarks.md}).
 *
 * <p>A leader whose process dies closes its connections, and each follower sees its own
 * connection to the leader drop (35-115 ms after a {@code kill -9} of a node's JVM in
 * LeaderKillIT, the time the kernel takes to tear the process down; {@link PeerConnections} keeps
 * that connection open). The voters are ordered by id, starting after the leader. Once the connection is down, the
 * first of them (rank 0) stands as soon as it has heard nothing for the minimum election timeout
 * plus {@link #MARGIN}: the other followers grant a pre-vote only after that long without their
 * leader, and they last heard from it at about the same time (under writes the leader sends to
 * every follower every few milliseconds). Rank 1 stands one {@code step} of silence later, and
 * so on. The survivors thus stand one after another instead of at random, before their own
 * timers are likely to fire, and the election ends before the lower ranks' turn: a vote granted
 * or a new leader heard restarts their silence.
 *
 * <p>The watch only makes a member stand sooner; Ratis runs the election as always, pre-vote
 * first, so a live leader is never deposed by it, and a pre-vote refused by a follower that heard
 * from the leader later leaves the election to Ratis' timers. It stands only while the member is
 * a follower with its connection to the leader down, in a stable configuration that lists both
 * it and its leader as voters. A leader that goes silent with its connection open (a host that
 * lost power, a partition that drops packets, a long pause) is left to Ratis' timer.
 */
final class LeaderLossWatch {
  private static final Logger LOG = LoggerFactory.getLogger(LeaderLossWatch.class);

  /**
   * How far beyond the minimum election timeout the successor waits: room for the other
   * followers having heard the leader's last message a little later than it did.
   */
  static final Duration MARGIN = Duration.ofMillis(20);
  /** How often a member looks at its connection to the leader. */
  static final Duration PERIOD = Duration.ofMillis(10);

  /** What the watch reads of its Raft member, and the one thing it asks of it. */
  interface Member {
    /** The leader this member follows; null unless it is a follower that knows its leader. */
    String followedLeader();

    /** The voters' ids of the member's configuration; empty while the configuration changes. */
    List<String> stableVoters();

    /** Whether this member's connection to {@code leader} is up (true when unknown). */
    boolean connectedTo(String leader);

    /**
     * Milliseconds since this member last heard from a leader or granted a vote; -1 when it is
     * not a follower or has operations with the leader in progress.
     */
    long silenceMillis();

    /**
     * Makes this member a candidate if it still follows {@code leader} and
     * {@link #silenceMillis()} is at least {@code minSilenceMillis}, atomically; true if it did.
     */
    boolean stand(String leader, long minSilenceMillis);
  }

  private final String self;
  private final Member member;
  private final long minSilenceMillis;
  private final long stepMillis;
  private final Counter stood;

  /**
   * @param electionTimeoutMin the minimum election timeout of the group (followers grant
   *     pre-votes only after this long without their leader)
   * @param step how much more silence each further rank waits for
   */
  LeaderLossWatch(String self, Member member, Duration electionTimeoutMin, Duration step,
      Counter stood) {
    this.self = self;
    this.member = member;
    this.minSilenceMillis = electionTimeoutMin.plus(MARGIN).toMillis();
    this.stepMillis = step.toMillis();
    this.stood = stood;
  }

  /** The step between ranks for these election timeouts: half their spread. */
  static Duration step(Duration electionTimeoutMin, Duration electionTimeoutMax) {
    return electionTimeoutMax.minus(electionTimeoutMin).dividedBy(2);
  }

  /**
   * Where {@code self} stands after {@code leader} among {@code voters}: 0 for the next voter
   * by id after the leader (wrapping around), 1 for the one after it; -1 when either is not a
   * voter or they are the same.
   */
  static int rank(List<String> voters, String leader, String self) {
    List<String> sorted = voters.stream().sorted().toList();
    int l = sorted.indexOf(leader);
    int s = sorted.indexOf(self);
    if (l < 0 || s < 0 || l == s) {
      return -1;
    }
    return Math.floorMod(s - l, sorted.size()) - 1;
  }

  /** One look at the member (every {@link #PERIOD}); stands when its turn has come. */
  void check() {
    String leader = member.followedLeader();
    if (leader == null || leader.equals(self) || member.connectedTo(leader)) {
      return;
    }
    int rank = rank(member.stableVoters(), leader, self);
    if (rank < 0) {
      return;
    }
    long due = minSilenceMillis + rank * stepMillis;
    long silence = member.silenceMillis();
    if (silence >= due && member.stand(leader, due)) {
      stood.increment();
      LOG.info("Raft member '{}' stands for election: its connection to leader '{}' is down,"
          + " it has heard nothing for {} ms and it is the leader's successor of rank {}", self,
          leader, silence, rank);
    }
  }
}
