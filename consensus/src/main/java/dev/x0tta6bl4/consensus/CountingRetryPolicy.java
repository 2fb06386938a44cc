package dev.x0tta6bl4.consensus;

import io.micrometer.core.instrument.Counter;
import org.apache.ratis.retry.ExponentialBackoffRetry;
import org.apache.ratis.retry.RetryPolicy;
import org.apache.ratis.util.TimeDuration;

/**
 * The Ratis client's retry policy: exponential backoff between {@code retryBaseSleep} and
 * {@code retryMaxSleep} (Ratis' default retries forever without sleeping), bounded in attempts
 * so that the sleeps add up to about the request timeout, and every retry counted. Stateless
 * apart from the counter; called from Ratis client threads.
 */
final class CountingRetryPolicy implements RetryPolicy {
  private final RetryPolicy delegate;
  private final Counter retries;

  CountingRetryPolicy(ConsensusConfig config, Counter retries) {
    this.retries = retries;
    long base = config.retryBaseSleep().toMillis();
    long max = config.retryMaxSleep().toMillis();
    long budget = config.requestTimeout().toMillis();
    int attempts = 0;
    long slept = 0;
    for (long sleep = base; slept < budget && attempts < 10_000; attempts++) {
      slept += sleep;
      sleep = Math.min(max, sleep * 2);
    }
    this.delegate = ExponentialBackoffRetry.newBuilder()
        .setBaseSleepTime(TimeDuration.valueOf(base, java.util.concurrent.TimeUnit.MILLISECONDS))
        .setMaxSleepTime(TimeDuration.valueOf(max, java.util.concurrent.TimeUnit.MILLISECONDS))
        .setMaxAttempts(attempts + 1)
        .build();
  }

  @Override
  public Action handleAttemptFailure(Event event) {
    Action a = delegate.handleAttemptFailure(event);
    if (a.shouldRetry()) {
      retries.increment();
    }
    return a;
  }

  @Override
  public String toString() {
    return "CountingRetryPolicy(" + delegate + ")";
  }
}
