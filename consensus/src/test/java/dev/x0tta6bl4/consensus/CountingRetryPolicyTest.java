package dev.x0tta6bl4.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.x0tta6bl4.consensus.CountingRetryPolicy.Kind;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.client.retry.ClientRetryEvent;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.protocol.exceptions.ReadIndexException;
import org.apache.ratis.protocol.exceptions.ResourceUnavailableException;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.protocol.exceptions.TimeoutIOException;
import org.apache.ratis.retry.RetryPolicy;
import org.apache.ratis.util.Timestamp;
import org.junit.jupiter.api.Test;

/** The sleep sequence of the client's retry policy per kind of failure, and its bounds. */
class CountingRetryPolicyTest {
  private static final RaftGroupMemberId MEMBER = RaftGroupMemberId.valueOf(
      RaftPeerId.valueOf("n2"), RaftGroupId.randomId());
  private static final RaftPeer N1 = RaftPeer.newBuilder().setId("n1")
      .setAddress("127.0.0.1:7601").build();

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final Counter retries = registry.counter("retries");
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

  /** Jitter source fixed at 0.5, i.e. a factor of exactly 1.0; time from {@link #nanos}. */
  private CountingRetryPolicy policy(ConsensusConfig config) {
    return new CountingRetryPolicy(config, retries, () -> 0.5, nanos::get);
  }

  private static ClientRetryEvent event(long callId, int attempt, Throwable cause) {
    RaftClientRequest request = RaftClientRequest.newBuilder()
        .setClientId(ClientId.randomId())
        .setServerId(RaftPeerId.valueOf("n1"))
        .setGroupId(MEMBER.getGroupId())
        .setCallId(callId)
        .setMessage(Message.EMPTY)
        .setType(RaftClientRequest.writeRequestType())
        .build();
    return new ClientRetryEvent(attempt, request, attempt, cause, Timestamp.currentTime());
  }

  private static ConsensusConfig defaults() {
    return ConsensusConfig.builder("n2", Path.of("unused")).build();
  }

  @Test
  void kindOf_leaderChangeAndConnectionFailures_areFailover() {
    List<Throwable> failover = List.of(
        new NotLeaderException(MEMBER, null, List.of(N1)),
        new NotLeaderException(MEMBER, N1, List.of(N1)),
        new LeaderNotReadyException(MEMBER),
        new ReadIndexException(MEMBER + ": Leader is unknown."),
        new AlreadyClosedException("client->n1 is closed."),
        new TimeoutIOException("request #7 timeout 3s"),
        // gRPC's refused or broken connection, as the Ratis client sees it
        new CompletionException(new IOException("UNAVAILABLE: io exception",
            new RuntimeException("Connection refused"))));
    for (Throwable t : failover) {
      assertThat(CountingRetryPolicy.kindOf(t)).as("%s", t).isEqualTo(Kind.FAILOVER);
    }
  }

  @Test
  void kindOf_overloadAndOtherErrors_backOff() {
    assertThat(CountingRetryPolicy.kindOf(new ResourceUnavailableException("too many pending")))
        .isEqualTo(Kind.BACKOFF);
    assertThat(CountingRetryPolicy.kindOf(new StateMachineException("refused")))
        .isEqualTo(Kind.BACKOFF);
    assertThat(CountingRetryPolicy.kindOf(new IllegalStateException("bug")))
        .isEqualTo(Kind.BACKOFF);
    assertThat(CountingRetryPolicy.kindOf(null)).isEqualTo(Kind.BACKOFF);
  }

  @Test
  void failover_fixedSleepsForFourElectionTimeouts_thenExponentialBackoff() {
    CountingRetryPolicy p = policy(defaults());
    // 25 ms (retryBaseSleep) for 4 x 300 ms (electionTimeoutMax) = 1,200 ms: 48 attempts.
    assertThat(p.failoverAttempts()).isEqualTo(48);
    List<Long> sleeps = new ArrayList<>();
    for (int attempt = 1; attempt <= 53; attempt++) {
      sleeps.add(p.sleepMillis(Kind.FAILOVER, attempt));
    }
    assertThat(sleeps.subList(0, 48)).containsOnly(25L);
    assertThat(sleeps.subList(48, 53)).containsExactly(50L, 100L, 200L, 200L, 200L);
  }

  @Test
  void backoff_growsFromTheFirstAttempt_withJitterBetweenHalfAndOneAndAHalf() {
    CountingRetryPolicy exact = policy(defaults());
    assertThat(List.of(exact.sleepMillis(Kind.BACKOFF, 1), exact.sleepMillis(Kind.BACKOFF, 2),
        exact.sleepMillis(Kind.BACKOFF, 3), exact.sleepMillis(Kind.BACKOFF, 30)))
        .containsExactly(50L, 100L, 200L, 200L);
    CountingRetryPolicy low = new CountingRetryPolicy(defaults(), retries, () -> 0.0, nanos::get);
    CountingRetryPolicy high = new CountingRetryPolicy(defaults(), retries, () -> 0.999,
        nanos::get);
    assertThat(low.sleepMillis(Kind.BACKOFF, 3)).isEqualTo(100L);
    assertThat(high.sleepMillis(Kind.BACKOFF, 3)).isEqualTo(300L);
    // The fast failover sleeps carry no jitter.
    assertThat(high.sleepMillis(Kind.FAILOVER, 1)).isEqualTo(25L);
  }

  @Test
  void attempts_atMostTwiceThoseWhosePlannedSleepsCoverTheRequestTimeout() {
    CountingRetryPolicy p = policy(defaults());
    int covering = p.maxAttempts() / 2;
    long planned = 0;
    for (int attempt = 1; attempt < covering; attempt++) {
      planned += p.plannedSleep(Kind.FAILOVER, attempt);
    }
    assertThat(planned).isLessThan(10_000);
    assertThat(planned + p.plannedSleep(Kind.FAILOVER, covering)).isGreaterThanOrEqualTo(10_000);
    // 48 x 25 ms, then 50 and 100 ms, then 44 x 200 ms: 94 attempts, doubled.
    assertThat(p.maxAttempts()).isEqualTo(188);
  }

  @Test
  void handleAttemptFailure_stopsOnceTheRequestTimeoutPassedSinceTheFirstFailure() {
    CountingRetryPolicy p = policy(defaults());
    Throwable notLeader = new NotLeaderException(MEMBER, N1, List.of(N1));
    assertThat(p.handleAttemptFailure(event(7, 1, notLeader)).shouldRetry()).isTrue();
    assertThat(p.handleAttemptFailure(event(8, 1, notLeader)).shouldRetry()).isTrue();
    nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(9_999));
    assertThat(p.handleAttemptFailure(event(7, 2, notLeader)).shouldRetry()).isTrue();
    nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(1));
    // 10 s after call 7 first failed: no more attempts for it, whatever its attempt count.
    assertThat(p.handleAttemptFailure(event(7, 3, notLeader)).shouldRetry()).isFalse();
    assertThat(p.trackedRequests()).isEqualTo(1); // call 8 is still within its deadline
    // A request first failing now has its own full deadline.
    assertThat(p.handleAttemptFailure(event(9, 1, notLeader)).shouldRetry()).isTrue();
  }

  @Test
  void handleAttemptFailure_retriesAndCountsUntilTheLastAttempt() {
    ConsensusConfig shortDeadline = ConsensusConfig.builder("n2", Path.of("unused"))
        .requestTimeout(Duration.ofMillis(500)).build();
    CountingRetryPolicy p = policy(shortDeadline);
    assertThat(p.maxAttempts()).isEqualTo(40); // 20 x 25 ms cover the 500 ms deadline; doubled
    Throwable unavailable = new IOException("UNAVAILABLE: io exception");
    for (int attempt = 1; attempt < 40; attempt++) {
      int a = attempt;
      RetryPolicy.Action action = p.handleAttemptFailure(new RetryPolicy.Event() {
        @Override public int getAttemptCount() { return a; }
        @Override public Throwable getCause() { return unavailable; }
      });
      assertThat(action.shouldRetry()).as("attempt %d", attempt).isTrue();
      assertThat(action.getSleepTime().toLong(TimeUnit.MILLISECONDS)).isEqualTo(25L);
    }
    RetryPolicy.Action last = p.handleAttemptFailure(new RetryPolicy.Event() {
      @Override public int getAttemptCount() { return 40; }
      @Override public Throwable getCause() { return unavailable; }
    });
    assertThat(last.shouldRetry()).isFalse();
    assertThat(retries.count()).isEqualTo(39.0);
  }

  @Test
  void longerElectionTimeouts_widenTheFailoverWindow() {
    ConsensusConfig slow = ConsensusConfig.builder("n2", Path.of("unused"))
        .electionTimeout(Duration.ofMillis(500), Duration.ofSeconds(1)).build();
    assertThat(CountingRetryPolicy.failoverWindowMillis(slow)).isEqualTo(4_000);
    assertThat(policy(slow).failoverAttempts()).isEqualTo(160);
  }
}
