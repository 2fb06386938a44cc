package dev.x0tta6bl4.node.cluster;

import dev.x0tta6bl4.consensus.ReplicatedStore;
import dev.x0tta6bl4.node.ConsensusComponent;
import dev.x0tta6bl4.node.LocalNode;
import dev.x0tta6bl4.node.MetricsEndpoint;
import dev.x0tta6bl4.node.NodeComposition;
import dev.x0tta6bl4.node.config.HostPort;
import dev.x0tta6bl4.node.config.NodeConfig;
import dev.x0tta6bl4.node.config.VoterAddress;
import dev.x0tta6bl4.node.transport.FaultController;
import dev.x0tta6bl4.node.transport.MeshLinks;
import dev.x0tta6bl4.node.wiring.Container;
import dev.x0tta6bl4.pqc.IdentityFiles;
import dev.x0tta6bl4.pqc.MeshCertificateAuthority;
import dev.x0tta6bl4.pqc.SignatureAlgorithm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * N real meshd nodes in one JVM on loopback: real TLS (one shared test CA, identities written
 * as files), ephemeral ports, a state directory each, and one {@link FaultController} on every
 * link. Nodes can be stopped gracefully, crashed (connections dropped without GOODBYE) and
 * restarted on the same port. The topology is given as the seed edges each node dials.
 *
 * <p>The replicated store is off unless asked for: with {@code raftVoters} > 0 the first that
 * many nodes form one Raft group from their configuration (each on a loopback port chosen once,
 * kept across restarts, with 500..1000 ms election timeouts for a busy shared machine), and
 * the others start with {@code consensus.join}, waiting to be added as voters. The
 * self-healing loop is off ({@code mapek.mode: off}) unless {@code customise} turns it on.
 *
 * <p>Used by {@code meshd demo} and by the tests of node-daemon, chaos-tests and load-tests. Not
 * thread-safe: drive it from one thread. Closing stops every node.
 */
public final class LocalCluster implements AutoCloseable {
  /** Which nodes each node dials at start: node {@code i} dials every {@code j} returned. */
  @FunctionalInterface
  public interface Topology {
    List<Integer> seedsOf(int node, int size);

    /** Every node dials every earlier node: a full mesh. */
    Topology FULL = (i, n) -> range(0, i);
    /** A line n0 - n1 - ... ; node i dials i-1. */
    Topology LINE = (i, n) -> i == 0 ? List.of() : List.of(i - 1);
    /** A ring: a line whose last node also dials node 0. */
    Topology RING =
        (i, n) -> i == 0 ? List.of() : i == n - 1 ? List.of(i - 1, 0) : List.of(i - 1);

    private static List<Integer> range(int from, int to) {
      List<Integer> list = new ArrayList<>();
      for (int i = from; i < to; i++) {
        list.add(i);
      }
      return list;
    }
  }

  /** A death reported by an observer node about a neighbour, with the observer's clock. */
  public record Death(String observer, String peer, String reason, long atNanos) {}

  private final Path dir;
  private final Topology topology;
  private final UnaryOperator<NodeConfig> customise;
  private final BiFunction<String, Container.Builder, Container.Builder> bindings;
  private final FaultController faults;
  private final MeshCertificateAuthority ca;
  private final List<ClusterNode> nodes = new ArrayList<>();
  private final List<Death> deaths = new CopyOnWriteArrayList<>();
  private final List<VoterAddress> voters = new ArrayList<>();
  /** Every node's Raft address when the cluster runs Raft (voters first), else empty. */
  private final List<VoterAddress> raftAddresses = new ArrayList<>();

  private LocalCluster(Path dir, int size, Topology topology, UnaryOperator<NodeConfig> customise,
      long faultSeed, int raftVoters,
      BiFunction<String, Container.Builder, Container.Builder> bindings) {
    if (raftVoters < 0 || raftVoters > size) {
      throw new IllegalArgumentException("raftVoters " + raftVoters + " outside 0.." + size);
    }
    this.dir = dir;
    this.topology = topology;
    this.customise = customise;
    this.bindings = bindings;
    this.faults = new FaultController(faultSeed);
    this.ca = MeshCertificateAuthority.builder().trustDomain("cluster.test")
        .algorithm(SignatureAlgorithm.ED25519).init();
    for (int i = 0; i < size; i++) {
      nodes.add(new ClusterNode(this, i, "n" + i));
    }
    for (int i = 0; i < (raftVoters == 0 ? 0 : size); i++) {
      raftAddresses.add(new VoterAddress("n" + i, new HostPort("127.0.0.1", freePort())));
    }
    voters.addAll(raftAddresses.subList(0, raftVoters));
  }

  /** A loopback port free now; Raft peers must know each other's ports before any starts. */
  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find a free loopback port", e);
    }
  }

  /** Starts {@code size} nodes in {@code dir} wired as {@code topology}. */
  public static LocalCluster start(Path dir, int size, Topology topology) {
    return start(dir, size, topology, c -> c, 1L);
  }

  /** Starts a cluster; {@code customise} adjusts each node's configuration. */
  public static LocalCluster start(Path dir, int size, Topology topology,
      UnaryOperator<NodeConfig> customise, long faultSeed) {
    return start(dir, size, topology, customise, faultSeed, 0, (id, b) -> b);
  }

  /**
   * Starts a cluster; {@code bindings} receives each node's id and bindings and may override
   * some (a test's span exporter, say) before the node is built.
   */
  public static LocalCluster start(Path dir, int size, Topology topology,
      UnaryOperator<NodeConfig> customise, long faultSeed,
      BiFunction<String, Container.Builder, Container.Builder> bindings) {
    return start(dir, size, topology, customise, faultSeed, 0, bindings);
  }

  /**
   * Starts a cluster whose first {@code raftVoters} nodes (0, 1, 3 or 5) form one Raft group
   * configured through {@code consensus.voters}; with a group, the other nodes start with {@code
   * consensus.join} (add them with {@code POST /v1/cluster/voters} and {@link
   * ClusterNode#raftAddress()}). {@code customise} runs after that section is filled in.
   */
  public static LocalCluster start(Path dir, int size, Topology topology,
      UnaryOperator<NodeConfig> customise, long faultSeed, int raftVoters) {
    return start(dir, size, topology, customise, faultSeed, raftVoters, (id, b) -> b);
  }

  /** Starts a cluster with a Raft group of {@code raftVoters} and per-node binding overrides. */
  public static LocalCluster start(Path dir, int size, Topology topology,
      UnaryOperator<NodeConfig> customise, long faultSeed, int raftVoters,
      BiFunction<String, Container.Builder, Container.Builder> bindings) {
    LocalCluster cluster = new LocalCluster(dir, size, topology, customise, faultSeed, raftVoters,
        bindings);
    try {
      for (ClusterNode node : cluster.nodes) {
        node.start();
      }
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  public List<ClusterNode> nodes() {
    return List.copyOf(nodes);
  }

  public ClusterNode node(int index) {
    return nodes.get(index);
  }

  public FaultController faults() {
    return faults;
  }

  /** A fresh identity from the cluster's CA, e.g. for a hand-made client in a test. */
  public dev.x0tta6bl4.pqc.NodeIdentity issueIdentity(String nodeId) {
    return ca.issueNodeIdentity(nodeId);
  }

  /** The trust domain of the cluster's CA. */
  public String trustDomain() {
    return ca.trustDomain();
  }

  /** Deaths reported by any node since the cluster started (or since {@link #clearDeaths}). */
  public List<Death> deaths() {
    return List.copyOf(deaths);
  }

  public void clearDeaths() {
    deaths.clear();
  }

  /** The undirected seed edges of the topology, as "a|b" with a < b. */
  public Set<String> expectedEdges() {
    Set<String> edges = new HashSet<>();
    for (int i = 0; i < nodes.size(); i++) {
      for (int j : topology.seedsOf(i, nodes.size())) {
        edges.add(edge(nodes.get(i).id(), nodes.get(j).id()));
      }
    }
    return edges;
  }

  /** The undirected links currently up between running nodes, seen from both ends. */
  public Set<String> establishedEdges() {
    Set<String> seen = new HashSet<>();
    Set<String> both = new HashSet<>();
    for (ClusterNode node : nodes) {
      if (!node.running()) {
        continue;
      }
      for (String peer : node.links().currentLinks().keySet()) {
        String e = edge(node.id(), peer);
        if (!seen.add(e)) {
          both.add(e);
        }
      }
    }
    return both;
  }

  /** Waits until every topology edge between running nodes is up at both ends. */
  public void awaitTopology(Duration timeout) {
    Set<String> expected =
        expectedEdges().stream()
            .filter(e -> running(e.split("\\|")[0]) && running(e.split("\\|")[1]))
            .collect(Collectors.toSet());
    await(() -> establishedEdges().containsAll(expected), timeout,
        () -> "links " + expected + " up; have " + establishedEdges());
  }

  private boolean running(String id) {
    return nodes.stream().anyMatch(n -> n.id().equals(id) && n.running());
  }

  /**
   * Polls {@code condition} every 5 ms until it holds or {@code timeout} passes.
   *
   * @throws ClusterTimeoutException naming {@code what} when the time is up
   */
  public static void await(
      BooleanSupplier condition, Duration timeout, java.util.function.Supplier<String> what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new ClusterTimeoutException(
            "timed out after " + timeout + " waiting for " + what.get());
      }
      try {
        TimeUnit.MILLISECONDS.sleep(5); // polling real nodes on loopback; nothing to subscribe to
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ClusterTimeoutException("interrupted waiting for " + what.get());
      }
    }
  }

  static String edge(String a, String b) {
    return a.compareTo(b) < 0 ? a + "|" + b : b + "|" + a;
  }

  @Override
  public void close() {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      nodes.get(i).stop();
    }
  }

  /** One node of the cluster. */
  public static final class ClusterNode {
    private final LocalCluster cluster;
    private final int index;
    private final String id;
    private final Path stateDir;
    private int meshPort;
    private Container container;

    ClusterNode(LocalCluster cluster, int index, String id) {
      this.cluster = cluster;
      this.index = index;
      this.id = id;
      this.stateDir = cluster.dir.resolve(id);
      IdentityFiles.writeNodeIdentity(stateDir.resolve("identity"), cluster.ca.issueNodeIdentity(id));
    }

    public String id() {
      return id;
    }

    public boolean running() {
      return container != null;
    }

    public Container container() {
      return Objects.requireNonNull(container, id + " is not running");
    }

    public MeshLinks links() {
      return container().get(MeshLinks.class);
    }

    /** Routing and delivery of this node. */
    public dev.x0tta6bl4.node.mesh.MeshRouter mesh() {
      return container().get(dev.x0tta6bl4.node.mesh.MeshRouter.class);
    }

    /** This node's replicated store (the cluster must run a Raft group). */
    public ReplicatedStore store() {
      return container().get(ConsensusComponent.class).store();
    }

    public InetSocketAddress metricsAddress() {
      return container().get(MetricsEndpoint.class).address();
    }

    /** The local API's address (an ephemeral port, chosen at each start). */
    public InetSocketAddress apiAddress() {
      return container().get(dev.x0tta6bl4.node.api.LocalApiServer.class).address();
    }

    /** The mesh listen address (fixed after the first start, so restarts keep it). */
    public HostPort meshAddress() {
      return new HostPort("127.0.0.1", meshPort);
    }

    /** Starts (or restarts) the node on its previous mesh port. */
    public void start() {
      if (container != null) {
        return;
      }
      List<HostPort> seeds = new ArrayList<>();
      for (int j : cluster.topology.seedsOf(index, cluster.nodes.size())) {
        ClusterNode seed = cluster.nodes.get(j);
        if (seed.meshPort != 0) {
          seeds.add(seed.meshAddress());
        }
      }
      NodeConfig config = cluster.customise.apply(config(seeds));
      Container c = cluster.bindings.apply(id,
          NodeComposition.bindings(config, new LocalNode(id, stateDir), cluster.faults)).build();
      c.start();
      MeshLinks links = c.get(MeshLinks.class);
      links.addListener(new MeshLinks.Listener() {
        @Override
        public void peerDead(String peerId, String reason) {
          cluster.deaths.add(new Death(id, peerId, reason, System.nanoTime()));
        }
      });
      meshPort = links.boundAddress().getPort();
      container = c;
    }

    /** Graceful stop: GOODBYE to every neighbour, then close. */
    public void stop() {
      if (container != null) {
        container.close();
        container = null;
      }
    }

    /** Crash: connections dropped without GOODBYE, then the node is closed. */
    public void crash() {
      if (container != null) {
        links().dropAllConnections();
        container.close();
        container = null;
      }
    }

    private NodeConfig config(List<HostPort> seeds) {
      NodeConfig d = NodeConfig.defaults();
      NodeConfig.Mesh m = d.mesh();
      NodeConfig.Identity identity = d.identity();
      return d.withNode(new NodeConfig.Node(id, stateDir, Duration.ofSeconds(5)))
          .withConsensus(consensus(d.consensus()))
          // Self-healing off unless a test turns it on: the harness's own faults must not be
          // repaired behind the back of a test that measures them.
          .withMapek(d.mapek().withMode(NodeConfig.MapekMode.OFF))
          .withMetrics(new NodeConfig.Metrics(new HostPort("127.0.0.1", 0), d.metrics().maxHeaderSize()))
          .withApi(withEphemeralPort(d.api()))
          .withIdentity(new NodeConfig.Identity("cluster.test", NodeConfig.IdentitySourceKind.FILES,
              null, null, identity.algorithm(), identity.svidLifetime(), identity.reloadInterval()))
          .withMesh(new NodeConfig.Mesh(new HostPort("127.0.0.1", meshPort), null, seeds,
              0, m.maxNeighbours(), m.maxFrameSize(), m.outboundBuffer(), m.heartbeatInterval(),
              Duration.ofMillis(50), Duration.ofMillis(500), Duration.ofSeconds(1),
              m.peerMetricsLimit()));
    }

    /** This node's Raft address (its {@code consensus.bind}); the cluster must run Raft. */
    public HostPort raftAddress() {
      if (cluster.raftAddresses.isEmpty()) {
        throw new IllegalStateException("the cluster runs no Raft group (raftVoters 0)");
      }
      return cluster.raftAddresses.get(index).address();
    }

    /**
     * A voter of the cluster's group, a node joining it, or consensus off when the cluster runs
     * no group.
     */
    private NodeConfig.Consensus consensus(NodeConfig.Consensus d) {
      if (cluster.raftAddresses.isEmpty()) {
        return new NodeConfig.Consensus(false, d.bind(), List.of(), false,
            d.electionTimeoutMin(), d.electionTimeoutMax(), d.fastFailover(), d.requestTimeout(),
            d.snapshotThreshold(), d.snapshotInterval(), d.snapshotRetention(),
            d.logSegmentSize(), d.maxValueSize(), d.minFreeSpace(), null);
      }
      // Elections slower than the default: several nodes share this JVM and a busy machine, and
      // a leader that misses its followers for one timeout steps down.
      return new NodeConfig.Consensus(true, raftAddress(), List.copyOf(cluster.voters),
          index >= cluster.voters.size(), Duration.ofMillis(500), Duration.ofMillis(1000),
          d.fastFailover(), Duration.ofSeconds(10), d.snapshotThreshold(), d.snapshotInterval(),
          d.snapshotRetention(), d.logSegmentSize(), d.maxValueSize(), d.minFreeSpace(), null);
    }

    private static NodeConfig.Api withEphemeralPort(NodeConfig.Api a) {
      return new NodeConfig.Api(new HostPort("127.0.0.1", 0), a.maxBodySize(), a.maxHeaderSize(),
          a.maxWait(), a.maxSubscribers(), a.subscriberBuffer());
    }

    @Override
    public String toString() {
      return id + (running() ? "@" + meshPort : " (stopped)");
    }
  }

}
