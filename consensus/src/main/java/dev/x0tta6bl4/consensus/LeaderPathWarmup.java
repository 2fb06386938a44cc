package dev.x0tta6bl4.consensus;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads and initialises, once per JVM and in the background, the Ratis classes a member needs
 * when it first becomes leader ({@code leader-path-classes.txt}).
 *
 * <p>Why: a member that wins an election builds its leader state (pending requests, watch
 * queues, a gRPC log appender per follower, their protos and metrics) before it sends its first
 * AppendEntries. In a JVM that has never led, loading those classes took 42-199 ms of
 * LeaderKillIT's failovers (p50 about 90 ms) against about 5 ms in a JVM that had led before,
 * all of it between the election and the leader's first commit, while nobody can write. Every
 * member may be the next leader, so every member loads them after it starts.
 */
final class LeaderPathWarmup {
  private static final Logger LOG = LoggerFactory.getLogger(LeaderPathWarmup.class);
  static final String RESOURCE = "leader-path-classes.txt";
  private static final AtomicBoolean STARTED = new AtomicBoolean();

  private LeaderPathWarmup() {}

  /** Starts the background load unless this JVM has already started it. */
  static void startOnce() {
    if (!STARTED.compareAndSet(false, true)) {
      return;
    }
    Thread t = new Thread(() -> {
      long started = System.nanoTime();
      List<String> names = classNames();
      int loaded = load(names, LeaderPathWarmup.class.getClassLoader());
      LOG.debug("loaded {} of {} leader-path classes in {} ms", loaded, names.size(),
          (System.nanoTime() - started) / 1_000_000);
    }, "meshd-raft-warmup");
    t.setDaemon(true);
    t.setPriority(Thread.MIN_PRIORITY);
    t.start();
  }

  /** The class names of the resource list (comments and blank lines skipped). */
  static List<String> classNames() {
    try (InputStream in = LeaderPathWarmup.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the consensus jar");
      }
      List<String> names = new ArrayList<>();
      BufferedReader reader = new BufferedReader(new InputStreamReader(in,
          StandardCharsets.UTF_8));
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        String name = line.strip();
        if (!name.isEmpty() && !name.startsWith("#")) {
          names.add(name);
        }
      }
      return names;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
  }

  /**
   * Loads and initialises each class; returns how many were found. A missing class (another
   * Ratis version) or one whose initialiser fails is skipped: the leader path loads what it
   * needs anyway.
   */
  static int load(List<String> names, ClassLoader loader) {
    int loaded = 0;
    for (String name : names) {
      try {
        Class.forName(name, true, loader);
        loaded++;
      } catch (ClassNotFoundException | LinkageError | RuntimeException e) {
        LOG.debug("leader-path class {} not loaded: {}", name, e.toString());
      }
    }
    return loaded;
  }
}
