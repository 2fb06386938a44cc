package dev.x0tta6bl4.consensus;

import io.micrometer.core.instrument.Counter;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import org.apache.ratis.client.retry.ClientRetryEvent;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.LeaderSteppingDownException;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.protocol.exceptions.ReadException;
import org.apache.ratis.protocol.exceptions.ReadIndexException;
import org.apache.ratis.protocol.exceptions.ResourceUnavailableException;
import org.apache.ratis.protocol.exceptions.ServerNotReadyException;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.protocol.exceptions.TimeoutIOException;
import org.apache.ratis.retry.RetryPolicy;
import org.apache.ratis.util.TimeDuration;

/**
 * The Ratis client's retry policy, shaped for leader changes, with every retry counted.
 *
 * <p>A failure that means "the leader is gone, unknown or not ready yet" ({@link Kind#FAILOVER}:
 * not leader, leader not ready or stepping down, no leader for a read index, a server still
 * starting, a failed or closed connection, an RPC timeout) is retried after a short fixed sleep,
 * {@code retryBaseSleep}, for as many attempts as cover the failover window ({@link
 * #failoverWindowMillis}: four maximum election timeouts, enough for detection, a second election
 * round and the new leader's first commit). Only after that window, or for any other failure
 * ({@link Kind#BACKOFF}: an overloaded leader, an unexpected error), does it back off
 * exponentially from {@code retryBaseSleep} to {@code retryMaxSleep}, with Ratis' jitter of
 * 0.5-1.5x. Why: with the plain exponential backoff the sleeps had grown to 100-300 ms by the time
 * a new leader was ready, and LeaderKillIT's node logs showed a survivor's client spending them
 * between attempts at the new leader ({@code docs/benchmarks.md}). Ratis itself retries at once
 * when a "not leader" reply names the leader.
 *
 * <p>Retries are bounded in time and in number: a request is not retried once {@code
 * requestTimeout} has passed since its first failure (its caller's deadline has passed by then),
 * and never more than {@link #maxAttempts} times: twice the attempts whose planned sleeps add up
 * to {@code requestTimeout} (at the defaults 2 x 94: 48 fast ones, then 50, 100 and 44 x 200 ms
 * backing off; twice, because Ratis follows a "not leader" reply that names a leader without
 * sleeping, so a hint pointing at the dead leader costs an extra attempt). At most one attempt per
 * request is in flight. Holds the first-failure time of requests being retried (forgotten after
 * two request timeouts) and the counter; called from Ratis client threads.
 */
final class CountingRetryPolicy implements RetryPolicy {
  /** How a failed attempt is retried. */
  enum Kind {
    /** The leader is gone, unknown or not ready, or the connection failed: look again soon. */
    FAILOVER,
    /** Anything else: back off exponentially. */
    BACKOFF
  }

  private final long fixedSleepMillis;
  private final long baseSleepMillis;
  private final long maxSleepMillis;
  private final int failoverAttempts;
  private final int maxAttempts;
  private final long requestTimeoutNanos;
  private final DoubleSupplier random;
  private final LongSupplier nanoTime;
  private final Counter retries;
  /** Ratis call id of a request being retried → {@link #nanoTime} of its first failure. */
  private final Map<Long, Long> firstFailure = new ConcurrentHashMap<>();

  CountingRetryPolicy(ConsensusConfig config, Counter retries) {
    this(config, retries, () -> ThreadLocalRandom.current().nextDouble(), System::nanoTime);
  }

  /**
   * {@code random} yields values in [0, 1) for the jitter and {@code nanoTime} is the time source
   * of the request deadline (tests pass fixed ones).
   */
  CountingRetryPolicy(ConsensusConfig config, Counter retries, DoubleSupplier random,
      LongSupplier nanoTime) {
    this.retries = retries;
    this.random = random;
    this.nanoTime = nanoTime;
    this.requestTimeoutNanos = config.requestTimeout().toNanos();
    this.fixedSleepMillis = Math.max(1, config.retryBaseSleep().toMillis());
    this.baseSleepMillis = fixedSleepMillis;
    this.maxSleepMillis = Math.max(baseSleepMillis, config.retryMaxSleep().toMillis());
    long window = failoverWindowMillis(config);
    this.failoverAttempts =
        (int) Math.min(10_000, (window + fixedSleepMillis - 1) / fixedSleepMillis);
    long budget = config.requestTimeout().toMillis();
    int attempts = 0;
    long planned = 0;
    while (planned < budget && attempts < 100_000) {
      attempts++;
      planned += plannedSleep(Kind.FAILOVER, attempts);
    }
    this.maxAttempts = 2 * attempts;
  }

  /** How long fast retries last after the first failure: four maximum election timeouts. */
  static long failoverWindowMillis(ConsensusConfig config) {
    return 4 * config.electionTimeoutMax().toMillis();
  }

  /** Which schedule a failure follows; looks through wrappers to the first Ratis cause. */
  static Kind kindOf(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof ResourceUnavailableException || t instanceof StateMachineException) {
        return Kind.BACKOFF;
      }
      if (t instanceof NotLeaderException || t instanceof LeaderNotReadyException
          || t instanceof ReadIndexException || t instanceof ReadException
          || t instanceof LeaderSteppingDownException || t instanceof ServerNotReadyException
          || t instanceof AlreadyClosedException || t instanceof TimeoutIOException) {
        return Kind.FAILOVER;
      }
    }
    // gRPC reports a refused or broken connection (UNAVAILABLE) as a plain IOException.
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof IOException) {
        return Kind.FAILOVER;
      }
    }
    return Kind.BACKOFF;
  }

  /**
   * The sleep before the attempt that follows failed attempt number {@code attempt} (1-based),
   * before jitter: fixed while the failover window lasts, exponential otherwise.
   */
  long plannedSleep(Kind kind, int attempt) {
    if (kind == Kind.FAILOVER && attempt <= failoverAttempts) {
      return fixedSleepMillis;
    }
    int step = kind == Kind.FAILOVER ? attempt - failoverAttempts : attempt;
    // base * 2^step, capped; the first backoff sleep after the fast ones is 2x the fixed one.
    long sleep = baseSleepMillis;
    for (int i = 0; i < step && sleep < maxSleepMillis; i++) {
      sleep *= 2;
    }
    return Math.min(maxSleepMillis, sleep);
  }

  /** The sleep actually used: fixed sleeps as planned, backoff sleeps with 0.5-1.5x jitter. */
  long sleepMillis(Kind kind, int attempt) {
    long planned = plannedSleep(kind, attempt);
    if (kind == Kind.FAILOVER && attempt <= failoverAttempts) {
      return planned;
    }
    return Math.max(1, Math.round(planned * (0.5 + random.getAsDouble())));
  }

  int failoverAttempts() {
    return failoverAttempts;
  }

  int maxAttempts() {
    return maxAttempts;
  }

  @Override
  public Action handleAttemptFailure(Event event) {
    int attempt = event.getAttemptCount();
    if (attempt >= maxAttempts || pastDeadline(event)) {
      return NO_RETRY_ACTION;
    }
    long sleep = sleepMillis(kindOf(event.getCause()), attempt);
    retries.increment();
    TimeDuration duration = TimeDuration.valueOf(sleep, TimeUnit.MILLISECONDS);
    return () -> duration;
  }

  /** True once {@code requestTimeout} has passed since the request's first failure. */
  private boolean pastDeadline(Event event) {
    if (!(event instanceof ClientRetryEvent client) || client.getRequest() == null) {
      return false;
    }
    long now = nanoTime.getAsLong();
    if (firstFailure.size() > 1024) {
      // Requests that succeeded after a retry leave their entry behind: forget the old ones.
      firstFailure.values().removeIf(t -> now - t > 2 * requestTimeoutNanos);
    }
    long callId = client.getRequest().getCallId();
    long first = firstFailure.computeIfAbsent(callId, id -> now);
    if (now - first >= requestTimeoutNanos) {
      firstFailure.remove(callId);
      return true;
    }
    return false;
  }

  /** Requests whose first failure is remembered (for tests). */
  int trackedRequests() {
    return firstFailure.size();
  }

  @Override
  public String toString() {
    return "CountingRetryPolicy(failover: " + fixedSleepMillis + " ms x " + failoverAttempts
        + ", then backoff " + baseSleepMillis + ".." + maxSleepMillis + " ms, at most "
        + maxAttempts + " attempts)";
  }
}
