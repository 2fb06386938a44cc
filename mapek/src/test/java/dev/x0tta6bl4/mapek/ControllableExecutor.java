package dev.x0tta6bl4.mapek;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;

/** Queues tasks until the test runs them, so it decides when actions start. */
final class ControllableExecutor implements Executor {
  private final ArrayDeque<Runnable> queue = new ArrayDeque<>();

  @Override
  public void execute(Runnable task) {
    queue.add(task);
  }

  int runAll() {
    int n = 0;
    for (Runnable r; (r = queue.poll()) != null; n++) {
      r.run();
    }
    return n;
  }

  int pending() {
    return queue.size();
  }
}
