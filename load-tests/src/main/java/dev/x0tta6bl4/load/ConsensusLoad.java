package dev.x0tta6bl4.load;

import dev.x0tta6bl4.consensus.ConsensusConfig;
import dev.x0tta6bl4.consensus.ConsensusStatus;
import dev.x0tta6bl4.consensus.KvOp;
import dev.x0tta6bl4.consensus.ReadConsistency;
import dev.x0tta6bl4.consensus.ReplicatedStore;
import dev.x0tta6bl4.consensus.Voter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;

/**
 * Write throughput and latency of the replicated KV store: three voters in this JVM on loopback
 * (plain gRPC, the default election timeouts), 1, 16 and 64 concurrent clients spread over the
 * three members, each writing one key after another and waiting for each acknowledgement. Two
 * ways of writing are measured in the same run, interleaved run by run:
 *
 * <ul>
 *   <li><b>batched</b>: {@link ReplicatedStore#put}, the store's path, whose command batcher lets
 *       concurrent writes share one Raft entry;
 *   <li><b>naive</b>: {@link ReplicatedStore#submit} with a single operation, one Raft request and
 *       one log entry per command, as a plain one-command-per-request Ratis client does.
 * </ul>
 *
 * At the end every key acknowledged in any run is read back (linearizable) from a member other
 * than the one that wrote it; a missing or wrong value fails the run.
 *
 * <pre>
 * java -cp load-tests/target/benchmarks.jar dev.x0tta6bl4.load.ConsensusLoad \
 *     [--runs 3] [--duration 5s] [--clients 1,16,64] [--value 128] [--max-writes 200000] \
 *     [--in-flight-batches N] [--modes batched,naive] [--warm-up 3s]
 * </pre>
 *
 * <p>Exit status 1 when an acknowledged write is missing. Speed is reported, never judged.
 */
public final class ConsensusLoad {

  /** What to run; every loop is bounded by {@code duration} and {@code maxWrites}. */
  record Options(int runs, Duration duration, List<Integer> clients, int valueBytes,
      long maxWrites, int inFlightBatches, List<Mode> modes, Duration warmUp) {

    static Options parse(String[] args) {
      Options o = new Options(3, Duration.ofSeconds(5), List.of(1, 16, 64), 128, 200_000, 0,
          List.of(Mode.values()), Duration.ofSeconds(3));
      for (int i = 0; i < args.length; i++) {
        String name = args[i];
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(name + " needs a value");
        }
        String v = args[++i];
        o = switch (name) {
          case "--runs" -> new Options(LoadArgs.positive(name, v), o.duration, o.clients,
              o.valueBytes, o.maxWrites, o.inFlightBatches, o.modes, o.warmUp);
          case "--duration" -> new Options(o.runs, LoadArgs.seconds(v), o.clients, o.valueBytes,
              o.maxWrites, o.inFlightBatches, o.modes, o.warmUp);
          case "--clients" -> new Options(o.runs, o.duration,
              Arrays.stream(v.split(",")).map(s -> LoadArgs.positive(name, s)).toList(),
              o.valueBytes, o.maxWrites, o.inFlightBatches, o.modes, o.warmUp);
          case "--value" -> new Options(o.runs, o.duration, o.clients, LoadArgs.positive(name, v),
              o.maxWrites, o.inFlightBatches, o.modes, o.warmUp);
          case "--max-writes" -> new Options(o.runs, o.duration, o.clients, o.valueBytes,
              LoadArgs.positive(name, v), o.inFlightBatches, o.modes, o.warmUp);
          case "--in-flight-batches" -> new Options(o.runs, o.duration, o.clients,
              o.valueBytes, o.maxWrites, LoadArgs.positive(name, v), o.modes, o.warmUp);
          case "--modes" -> new Options(o.runs, o.duration, o.clients, o.valueBytes,
              o.maxWrites, o.inFlightBatches, Arrays.stream(v.split(","))
                  .map(m -> Mode.parse(name, m)).distinct().toList(), o.warmUp);
          case "--warm-up" -> new Options(o.runs, o.duration, o.clients, o.valueBytes,
              o.maxWrites, o.inFlightBatches, o.modes, LoadArgs.seconds(v));
          default -> throw new IllegalArgumentException("unknown option " + name
              + "; allowed: --runs --duration --clients --value --max-writes"
              + " --in-flight-batches --modes --warm-up");
        };
      }
      return o;
    }
  }

  private static final com.sun.management.OperatingSystemMXBean PROCESS =
      (com.sun.management.OperatingSystemMXBean)
          java.lang.management.ManagementFactory.getOperatingSystemMXBean();

  enum Mode {
    BATCHED, NAIVE;

    static Mode parse(String option, String value) {
      for (Mode m : values()) {
        if (m.name().equalsIgnoreCase(value.trim())) {
          return m;
        }
      }
      throw new IllegalArgumentException(option + " '" + value + "' is not one of batched, naive");
    }
  }

  /** One run of one mode at one client count. */
  record Result(Mode mode, int clients, String prefix, long[] perClient, long writes,
      double seconds, long p50Micros, long p99Micros, long failures, long entries,
      long cpuNanos) {
    double perSecond() {
      return writes / seconds;
    }

    /**
     * CPU of this whole JVM (three voters, their clients, GC, JIT) per acknowledged write: the
     * figure that load from other processes disturbs least.
     */
    double cpuMicrosPerWrite() {
      return writes == 0 ? Double.NaN : cpuNanos / 1e3 / writes;
    }

    /** Writes per Raft log entry committed during the run (Ratis' own entries included). */
    double writesPerEntry() {
      return entries == 0 ? Double.NaN : (double) writes / entries;
    }
  }

  private ConsensusLoad() {}

  public static void main(String[] args) throws Exception {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "unicast-load-logback.xml");
    }
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("consensus load: " + e.getMessage());
      System.exit(64);
      return;
    }
    System.exit(run(options, System.out) ? 0 : 1);
  }

  /** Runs every configuration and prints the report; false if an acknowledged write is lost. */
  static boolean run(Options options, PrintStream out) throws Exception {
    Path dir = Files.createTempDirectory("meshd-consensus-load");
    List<Voter> voters = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      voters.add(new Voter("v" + i, "127.0.0.1", freePort()));
    }
    List<ReplicatedStore> stores = new ArrayList<>();
    try {
      for (Voter v : voters) {
        ConsensusConfig.Builder config =
            ConsensusConfig.builder(v.id(), dir.resolve(v.id())).voters(voters);
        if (options.inFlightBatches > 0) {
          config.batching(256, options.inFlightBatches);
        }
        stores.add(ReplicatedStore.start(config.build(), new SimpleMeterRegistry()));
      }
      awaitLeader(stores);
      out.printf("consensus load: 3 voters on loopback, %d-byte values, %s per run, %d runs,"
          + " clients %s, batches in flight %s, %d cores%n", options.valueBytes,
          options.duration, options.runs, options.clients,
          options.inFlightBatches > 0 ? options.inFlightBatches : "default",
          Runtime.getRuntime().availableProcessors());
      byte[] value = new byte[options.valueBytes];
      Arrays.fill(value, (byte) 'x');
      // Warm-up: JIT, connections, the first segment files. Throughput still rose run over run
      // after 2 s per mode, which favoured whichever mode ran second: two rounds of each.
      for (int round = 0; round < 2; round++) {
        for (Mode mode : options.modes) {
          measure(stores, mode, 16, options.warmUp, options.maxWrites, value,
              "warm" + round);
        }
      }

      List<Result> results = new ArrayList<>();
      for (int clients : options.clients) {
        for (int run = 0; run < options.runs; run++) {
          // ABBA: the order flips every run, so a trend within the run favours neither mode.
          List<Mode> order = new ArrayList<>(options.modes);
          if (run % 2 == 1) {
            java.util.Collections.reverse(order);
          }
          for (Mode mode : order) {
            String prefix = mode.name().toLowerCase() + "-c" + clients + "-r" + run;
            Result r = measure(stores, mode, clients, options.duration, options.maxWrites,
                value, prefix);
            results.add(r);
            out.printf("  %-7s clients %2d run %d: %8.0f writes/s  p50 %6d us  p99 %7d us"
                + "  CPU %5.0f us/write  (%d writes, %d failed, %d Raft entries, %.1f"
                + " writes/entry)%n", mode, clients, run + 1, r.perSecond(), r.p50Micros(),
                r.p99Micros(), r.cpuMicrosPerWrite(), r.writes(), r.failures(), r.entries(),
                r.writesPerEntry());
          }
        }
      }
      out.println("medians:");
      for (int clients : options.clients) {
        double batched = median(results, Mode.BATCHED, clients, Result::perSecond);
        double naive = median(results, Mode.NAIVE, clients, Result::perSecond);
        double batchedCpu = median(results, Mode.BATCHED, clients, Result::cpuMicrosPerWrite);
        double naiveCpu = median(results, Mode.NAIVE, clients, Result::cpuMicrosPerWrite);
        out.printf("  clients %2d: batched %8.0f writes/s (p99 %6.0f us, CPU %5.0f us/write,"
            + " %.1f writes/entry), naive %8.0f writes/s (p99 %6.0f us, CPU %5.0f us/write,"
            + " %.1f writes/entry), ratio %.2f, CPU ratio %.2f%n", clients, batched,
            median(results, Mode.BATCHED, clients, r -> r.p99Micros()), batchedCpu,
            median(results, Mode.BATCHED, clients, Result::writesPerEntry), naive,
            median(results, Mode.NAIVE, clients, r -> r.p99Micros()), naiveCpu,
            median(results, Mode.NAIVE, clients, Result::writesPerEntry), batched / naive,
            naiveCpu / batchedCpu);
      }
      return verify(stores, results, out);
    } finally {
      for (ReplicatedStore s : stores) {
        s.close();
      }
      deleteTree(dir);
    }
  }

  /**
   * {@code clients} writers, client {@code c} on member {@code c % 3}, each writing keys
   * {@code prefix/c/i} one at a time until the time is up or the shared budget is spent.
   */
  static Result measure(List<ReplicatedStore> stores, Mode mode, int clients, Duration duration,
      long maxWrites, byte[] value, String prefix) throws Exception {
    AtomicLong budget = new AtomicLong(maxWrites);
    AtomicLong failures = new AtomicLong();
    long deadline = System.nanoTime() + duration.toNanos();
    List<Histogram> histograms = new ArrayList<>();
    List<long[]> counts = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    long firstEntry = commitIndex(stores);
    long firstCpu = PROCESS.getProcessCpuTime();
    long start = System.nanoTime();
    for (int c = 0; c < clients; c++) {
      ReplicatedStore store = stores.get(c % stores.size());
      Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(30), 3);
      long[] written = new long[1];
      histograms.add(h);
      counts.add(written);
      String keyPrefix = prefix + "/" + c + "/";
      Thread t = new Thread(() -> {
        while (System.nanoTime() < deadline && budget.decrementAndGet() >= 0) {
          String key = keyPrefix + written[0];
          long sent = System.nanoTime();
          try {
            CompletableFuture<?> f = mode == Mode.BATCHED ? store.put(key, value)
                : store.submit(List.of(new KvOp.Put(key, value)));
            f.get(30, TimeUnit.SECONDS);
            h.recordValue(Math.min(System.nanoTime() - sent, h.getHighestTrackableValue()));
            written[0]++;
          } catch (Exception e) {
            failures.incrementAndGet();
            return; // keys stay consecutive: a client stops at its first failure
          }
        }
      }, "consensus-load-" + c);
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join(duration.toMillis() + 60_000);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    long cpu = PROCESS.getProcessCpuTime() - firstCpu;
    long entries = commitIndex(stores) - firstEntry;
    Histogram all = new Histogram(TimeUnit.SECONDS.toNanos(30), 3);
    histograms.forEach(all::add);
    long[] perClient = counts.stream().mapToLong(w -> w[0]).toArray();
    return new Result(mode, clients, prefix, perClient, Arrays.stream(perClient).sum(), seconds,
        all.getValueAtPercentile(50) / 1000, all.getValueAtPercentile(99) / 1000,
        failures.get(), entries, cpu);
  }

  /** The highest commit index any member knows: the leader's. */
  private static long commitIndex(List<ReplicatedStore> stores) {
    return stores.stream().mapToLong(s -> s.status().commitIndex()).max().orElse(0);
  }

  /**
   * Reads back, linearizably and from a member other than the writer, the first and the last
   * acknowledged key of every client of every run (each client wrote its keys one after another).
   */
  private static boolean verify(List<ReplicatedStore> stores, List<Result> results,
      PrintStream out) throws Exception {
    long checked = 0;
    List<String> missing = new ArrayList<>();
    for (Result r : results) {
      for (int c = 0; c < r.perClient().length; c++) {
        long n = r.perClient()[c];
        ReplicatedStore reader = stores.get((c + 1) % stores.size());
        for (long i : n == 0 ? new long[0] : new long[] {0, n - 1}) {
          String key = r.prefix() + "/" + c + "/" + i;
          if (reader.get(key, ReadConsistency.LINEARIZABLE).get(30, TimeUnit.SECONDS)
              .isEmpty()) {
            missing.add(key);
          }
          checked++;
        }
      }
    }
    out.printf("verified: %d first and last acknowledged keys read back from another member;"
        + " missing %s%n", checked, missing);
    return missing.isEmpty();
  }

  private static double median(List<Result> results, Mode mode, int clients,
      java.util.function.ToDoubleFunction<Result> f) {
    double[] v = results.stream().filter(r -> r.mode() == mode && r.clients() == clients)
        .mapToDouble(f).sorted().toArray();
    return v.length == 0 ? Double.NaN : v[v.length / 2];
  }

  private static void awaitLeader(List<ReplicatedStore> stores) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (stores.stream().noneMatch(s -> s.status().role() == ConsensusStatus.Role.LEADER)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no leader among 3 voters within 30 s");
      }
      TimeUnit.MILLISECONDS.sleep(20); // polling a real election; nothing to subscribe to
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.delete(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
  }
}
