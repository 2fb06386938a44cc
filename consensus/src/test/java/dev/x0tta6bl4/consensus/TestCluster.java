package dev.x0tta6bl4.consensus;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

/**
 * In-process Raft members over plain gRPC on 127.0.0.1 with ephemeral ports, each with its own
 * storage directory and meter registry. Closes every member it started.
 */
final class TestCluster implements AutoCloseable {
  final Path root;
  final List<Voter> voters = new ArrayList<>();
  final Map<String, ReplicatedStore> nodes = new HashMap<>();
  final Map<String, SimpleMeterRegistry> registries = new HashMap<>();
  private final UnaryOperator<ConsensusConfig.Builder> tuning;

  TestCluster(Path root, int size, UnaryOperator<ConsensusConfig.Builder> tuning) throws IOException {
    this.root = root;
    this.tuning = tuning;
    for (int i = 1; i <= size; i++) {
      voters.add(new Voter("n" + i, "127.0.0.1", freePort()));
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }

  ConsensusConfig.Builder builder(String id) {
    return tuning.apply(ConsensusConfig.builder(id, root.resolve(id))
        .voters(voters)
        .electionTimeout(Duration.ofMillis(150), Duration.ofMillis(300)));
  }

  ReplicatedStore start(String id) {
    return start(id, builder(id).build());
  }

  ReplicatedStore start(String id, ConsensusConfig config) {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ReplicatedStore s = ReplicatedStore.start(config, registry);
    nodes.put(id, s);
    registries.put(id, registry);
    return s;
  }

  void startAll() {
    for (Voter v : voters) {
      start(v.id());
    }
  }

  void stop(String id) {
    ReplicatedStore s = nodes.remove(id);
    if (s != null) {
      s.close();
    }
  }

  /**
   * Starts closing a member on another thread and returns at once, like a process that dies
   * while its callers carry on; the future completes when the close has finished.
   */
  java.util.concurrent.CompletableFuture<Void> stopInBackground(String id) {
    ReplicatedStore s = nodes.remove(id);
    return java.util.concurrent.CompletableFuture.runAsync(s::close);
  }

  ReplicatedStore node(String id) {
    return nodes.get(id);
  }

  /** Waits until some running member leads; returns its id. */
  String awaitLeader(Duration timeout) {
    String[] leader = new String[1];
    await(timeout, () -> {
      for (Map.Entry<String, ReplicatedStore> e : nodes.entrySet()) {
        if (e.getValue().status().role() == ConsensusStatus.Role.LEADER) {
          leader[0] = e.getKey();
          return true;
        }
      }
      return false;
    }, "a leader among " + nodes.keySet());
    return leader[0];
  }

  /** Polls {@code condition} until true or the deadline passes (then fails naming it). */
  static void await(Duration timeout, BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
      }
      try {
        // Poll interval, not a wait for the condition: the deadline bounds the loop.
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what, e);
      }
    }
  }

  @Override
  public void close() {
    for (ReplicatedStore s : nodes.values()) {
      s.close();
    }
    nodes.clear();
  }
}
