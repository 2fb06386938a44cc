package dev.x0tta6bl4.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.x0tta6bl4.node.cli.MeshdCli;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * A Raft group of separate {@code meshd run} JVMs on 127.0.0.1, started from the packaged
 * distribution ({@code node-daemon/target/meshd}, system property {@code meshd.home}) the way an
 * operator runs a small fleet: one mesh CA ({@code meshd ca init}), an SVID per node
 * ({@code meshd ca issue}) read with {@code identity.source: files}, one YAML file per node with
 * the same {@code consensus.voters} and every other setting at its default (150-300 ms election
 * timeouts, 10 s request timeout, Raft over mutual TLS). Mesh, API and metrics ports are chosen
 * by the nodes (port 0) and the API address is read from each node's JSON log; the Raft ports
 * are fixed at creation because the voters must know them.
 *
 * <p>{@link #kill} is {@code kill -9} ({@link Process#destroyForcibly()}); {@link #start} of a
 * killed node starts a new JVM on the same state directory. Used from the test thread only;
 * {@link #close} kills every process it started.
 */
final class MeshdProcessCluster implements AutoCloseable {
  static final Duration START_DEADLINE = Duration.ofSeconds(90);

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final Path launcher;
  private final Map<String, Node> nodes = new LinkedHashMap<>();
  private final KvHttp http = new KvHttp();

  /** One member: its files, its Raft port and the JVM currently running it, if any. */
  static final class Node {
    final String id;
    final Path config;
    final int raftPort;
    private Process process;
    private Path stdout;
    private URI api;
    private int starts;

    private Node(String id, Path config, int raftPort) {
      this.id = id;
      this.config = config;
      this.raftPort = raftPort;
    }

    boolean alive() {
      return process != null && process.isAlive();
    }

    /** The local API of the running JVM. */
    URI api() {
      if (api == null) {
        throw new IllegalStateException(id + " is not running");
      }
      return api;
    }

    long pid() {
      return process.pid();
    }
  }

  private MeshdProcessCluster(Path dir, Path launcher) {
    this.dir = dir;
    this.launcher = launcher;
  }

  /**
   * Writes the CA, identities and configurations of {@code size} voters {@code n1..nN} under
   * {@code dir} and starts them all; returns once every node's API answers.
   */
  static MeshdProcessCluster start(Path dir, int size) throws Exception {
    Path home = Path.of(System.getProperty("meshd.home", "../node-daemon/target/meshd"));
    Path launcher = home.resolve("bin").resolve("meshd");
    if (!Files.isExecutable(launcher)) {
      throw new IllegalStateException("no packaged distribution at " + launcher.toAbsolutePath()
          + ": build it with ./mvnw -pl chaos-tests -am verify (node-daemon's package phase)");
    }
    MeshdProcessCluster cluster = new MeshdProcessCluster(dir, launcher);
    try {
      cluster.writeFiles(size);
      for (Node node : cluster.nodes.values()) {
        cluster.launch(node);
      }
      for (Node node : cluster.nodes.values()) {
        cluster.awaitApi(node);
      }
      return cluster;
    } catch (Exception | Error e) {
      cluster.close();
      throw e;
    }
  }

  private void writeFiles(int size) throws IOException {
    Path ca = dir.resolve("ca");
    cli("ca", "init", "--dir", ca.toString());
    List<String> ids = new ArrayList<>();
    List<Integer> ports = new ArrayList<>();
    for (int i = 1; i <= size; i++) {
      ids.add("n" + i);
      ports.add(freePort());
    }
    String voters = "[" + java.util.stream.IntStream.range(0, size)
        .mapToObj(i -> ids.get(i) + "@127.0.0.1:" + ports.get(i))
        .collect(Collectors.joining(", ")) + "]";
    for (int i = 0; i < size; i++) {
      String id = ids.get(i);
      Path state = dir.resolve(id);
      cli("ca", "issue", "--ca-dir", ca.toString(), "--node-id", id,
          "--out", state.resolve("identity").toString());
      Path config = dir.resolve(id + ".yaml");
      Files.writeString(config, String.join("\n",
          "node:",
          "  id: " + id,
          "  state-dir: " + state.toAbsolutePath(),
          "identity:",
          "  source: files",
          "  dir: " + state.resolve("identity").toAbsolutePath(),
          "mesh:",
          "  bind: 127.0.0.1:0",
          "api:",
          "  bind: 127.0.0.1:0",
          "metrics:",
          "  bind: 127.0.0.1:0",
          "consensus:",
          "  bind: 127.0.0.1:" + ports.get(i),
          "  voters: " + voters,
          ""));
      nodes.put(id, new Node(id, config, ports.get(i)));
    }
  }

  /** Runs a {@code meshd} command in this JVM (the CA commands need no node). */
  private static void cli(String... args) {
    StringWriter out = new StringWriter();
    int code = MeshdCli.create(Map.of(), new PrintWriter(out), new PrintWriter(out))
        .execute(args);
    if (code != 0) {
      throw new IllegalStateException("meshd " + String.join(" ", args) + " exited " + code
          + ": " + out);
    }
  }

  List<Node> nodes() {
    return List.copyOf(nodes.values());
  }

  Node node(String id) {
    Node node = nodes.get(id);
    if (node == null) {
      throw new IllegalArgumentException("no node '" + id + "'; nodes: " + nodes.keySet());
    }
    return node;
  }

  KvHttp http() {
    return http;
  }

  /** Starts a new JVM for a node that is not running, on its existing state; awaits its API. */
  void start(String id) throws Exception {
    Node node = node(id);
    if (node.alive()) {
      throw new IllegalStateException(id + " is already running (pid " + node.pid() + ")");
    }
    launch(node);
    awaitApi(node);
  }

  private void launch(Node node) throws IOException {
    node.starts++;
    node.stdout = dir.resolve(node.id + "-" + node.starts + ".out");
    ProcessBuilder builder = new ProcessBuilder(launcher.toString(), "run",
        "--config", node.config.toString())
        .directory(dir.toFile())
        .redirectOutput(node.stdout.toFile())
        .redirectError(dir.resolve(node.id + "-" + node.starts + ".err").toFile());
    // The child sees no MESHD_* of this JVM (an unknown one is a configuration error) and runs
    // on this JVM's Java.
    builder.environment().keySet().removeIf(name -> name.startsWith("MESHD_"));
    builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
    node.api = null;
    node.process = builder.start(); // the launcher execs java: this is the node's JVM
  }

  private void awaitApi(Node node) {
    JsonNode line = await(() -> {
      if (!node.process.isAlive()) {
        throw new IllegalStateException(node.id + " exited with " + node.process.exitValue()
            + ":\n" + tail(node.stdout) + tail(node.stdout.resolveSibling(
                node.stdout.getFileName().toString().replace(".out", ".err"))));
      }
      return jsonLines(node.stdout).stream()
          .filter(l -> l.path("http_server").asText().equals("api") && l.has("address"))
          .findFirst();
    }, START_DEADLINE, () -> node.id + "'s API address in its log:\n" + tail(node.stdout));
    node.api = URI.create("http://" + line.get("address").asText());
  }

  /**
   * Kills the node's JVM with SIGKILL; returns {@link System#nanoTime()} taken just before the
   * signal. Does not wait for the process to be reaped (see {@link #awaitExit}).
   */
  long kill(String id) {
    Node node = node(id);
    if (!node.alive()) {
      throw new IllegalStateException(id + " is not running");
    }
    long at = System.nanoTime();
    node.process.destroyForcibly();
    return at;
  }

  void awaitExit(String id) throws InterruptedException {
    Node node = node(id);
    if (!node.process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException(id + " (pid " + node.pid() + ") still alive 30 s after"
          + " SIGKILL");
    }
    node.api = null;
  }

  /**
   * Waits until every running node reports the same leader, that leader reports itself leader,
   * and the leader lists every running node among its followers' progress; returns its id.
   */
  String awaitLeader(Duration deadline) {
    return await(() -> {
      String leader = null;
      for (Node node : nodes.values()) {
        if (!node.alive() || node.api == null) {
          continue;
        }
        JsonNode status = cluster(node);
        if (status == null || status.path("leader").isNull()) {
          return Optional.empty();
        }
        String seen = status.path("leader").asText();
        if (leader != null && !leader.equals(seen)) {
          return Optional.empty();
        }
        leader = seen;
      }
      if (leader == null || !node(leader).alive()) {
        return Optional.empty();
      }
      JsonNode status = cluster(node(leader));
      return status != null && status.path("role").asText().equals("leader")
          ? Optional.of(leader) : Optional.<String>empty();
    }, deadline, () -> "one leader agreed by every running node: " + describe());
  }

  /** Waits until {@code id} has applied at least {@code index}. */
  void awaitApplied(String id, long index, Duration deadline) {
    Node node = node(id);
    await(() -> {
      JsonNode status = cluster(node);
      return status != null && status.path("applied_index").asLong() >= index
          ? Optional.of(Boolean.TRUE) : Optional.<Boolean>empty();
    }, deadline, () -> id + " applied index " + index + ": " + describe());
  }

  /** {@code GET /v1/cluster} of a running node, or null when it does not answer (yet). */
  JsonNode cluster(Node node) {
    try {
      return http.cluster(node.api());
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /**
   * The wall-clock time at which {@code id}'s current JVM logged that it became leader at
   * {@code term} (Ratis' "change Leader from ... to id at term T for becomeLeader" line).
   */
  Optional<java.time.Instant> becameLeaderAt(String id, long term) {
    Node node = node(id);
    String needle = " to " + id + " at term " + term + " for becomeLeader";
    return jsonLines(node.stdout).stream()
        .filter(l -> l.path("message").asText().contains(needle))
        .map(l -> java.time.Instant.parse(l.path("@timestamp").asText()))
        .findFirst();
  }

  /**
   * The wall-clock time at which {@code id}'s current JVM, leader at {@code term}, logged that it
   * was ready (Ratis' "LeaderStateImpl is ready" line: the first entry of its term committed and
   * applied; only then does it take requests).
   */
  Optional<java.time.Instant> leaderReadyAt(String id, long term) {
    Node node = node(id);
    String needle = " to " + id + " at term " + term + " for becomeLeader";
    boolean leading = false;
    for (JsonNode l : jsonLines(node.stdout)) {
      String message = l.path("message").asText();
      if (message.contains(needle)) {
        leading = true;
      } else if (leading && message.contains("LeaderStateImpl is ready")) {
        return Optional.of(java.time.Instant.parse(l.path("@timestamp").asText()));
      }
    }
    return Optional.empty();
  }

  /** Role, leader, term and indexes of every node, for failure messages. */
  String describe() {
    StringBuilder out = new StringBuilder();
    for (Node node : nodes.values()) {
      out.append("\n  ").append(node.id).append(": ");
      if (!node.alive() || node.api == null) {
        out.append(node.alive() ? "starting" : "down");
        continue;
      }
      JsonNode status = cluster(node);
      out.append(status == null ? "no answer" : status.path("role").asText() + " leader="
          + status.path("leader").asText() + " term=" + status.path("term").asLong()
          + " commit=" + status.path("commit_index").asLong()
          + " applied=" + status.path("applied_index").asLong());
    }
    return out.toString();
  }

  /** Kills every JVM this cluster started and waits for them to go. */
  @Override
  public void close() {
    for (Node node : nodes.values()) {
      if (node.process != null) {
        node.process.destroyForcibly();
      }
    }
    for (Node node : nodes.values()) {
      if (node.process != null) {
        try {
          node.process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /**
   * Polls {@code probe} every 20 ms until it yields a value or {@code deadline} passes. The
   * nodes are other processes: there is nothing in this JVM to wait on.
   */
  static <T> T await(Supplier<Optional<T>> probe, Duration deadline, Supplier<String> what) {
    long until = System.nanoTime() + deadline.toNanos();
    while (true) {
      Optional<T> value = probe.get();
      if (value.isPresent()) {
        return value.get();
      }
      if (System.nanoTime() - until > 0) {
        throw new AssertionError("not reached within " + deadline + ": " + what.get());
      }
      try {
        TimeUnit.MILLISECONDS.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for " + what.get(), e);
      }
    }
  }

  static void await(BooleanSupplier done, Duration deadline, Supplier<String> what) {
    await(() -> done.getAsBoolean() ? Optional.of(Boolean.TRUE) : Optional.empty(), deadline,
        what);
  }

  private static List<JsonNode> jsonLines(Path file) {
    List<JsonNode> lines = new ArrayList<>();
    try {
      if (!Files.exists(file)) {
        return lines;
      }
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (line.startsWith("{")) {
          try {
            lines.add(JSON.readTree(line));
          } catch (IOException e) {
            // the child is still writing this line; the next poll reads it whole
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return lines;
  }

  private static String tail(Path file) {
    try {
      if (!Files.exists(file)) {
        return "(no " + file.getFileName() + ")\n";
      }
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()))
          + "\n";
    } catch (IOException e) {
      return "(cannot read " + file + ": " + e + ")\n";
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
