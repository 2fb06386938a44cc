package dev.x0tta6bl4.node.config;

import dev.x0tta6bl4.pqc.PqcException;
import dev.x0tta6bl4.pqc.SignatureAlgorithm;
import dev.x0tta6bl4.pqc.SpiffeId;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The effective meshd configuration: defaults, overlaid by the YAML file, overlaid by {@code
 * MESHD_*} environment variables (see {@link ConfigLoader} and {@code docs/configuration.md}).
 *
 * <p>Immutable and thread-safe. Every section validates its values when constructed, so a
 * {@code NodeConfig} that exists is valid; the constructors throw {@link ConfigException}
 * naming the key path.
 *
 * <p>To add a section: add a nested record with a {@code defaults()} factory (or a record in a
 * file of its own, like the self-healing areas' {@link MeshHealingConfig}), add it as a
 * component here (or of its parent section) and to {@link #defaults()}, and add a row per key
 * to {@code docs/configuration.md}. Checks between sections go into this constructor. Keys, environment variable names and docs checks derive from the
 * record components (camelCase components become kebab-case keys).
 *
 * @param node identity, state directory and shutdown
 * @param metrics the {@code /metrics} and {@code /health/*} HTTP endpoint
 * @param logging log format and levels
 * @param identity where the node's X.509-SVID comes from and how it is rotated
 * @param mesh the mesh links: listen address, seeds, neighbour bounds, heartbeats
 * @param tls the post-quantum TLS of mesh links
 * @param api the local HTTP API for applications and the CLI
 * @param tracing OpenTelemetry traces of messages, exported over OTLP/HTTP
 * @param consensus the replicated key-value store (Raft)
 * @param mapek the self-healing MAPE-K control loop and its areas' thresholds
 */
public record NodeConfig(
    Node node, Metrics metrics, Logging logging, Identity identity, Mesh mesh, Tls tls, Api api,
    Tracing tracing, Consensus consensus, Mapek mapek) {
  /**
   * Validates that no section is null and that sections agree: the mesh area's silence and loss
   * windows fit the heartbeat, the node area's disk floor lies above Raft's, its certificate
   * backstop lies below the lifetime of the SVIDs the node issues itself, and the load area's
   * minimum rate does not exceed the API's limit.
   */
  public NodeConfig {
    requireSection("node", node);
    requireSection("metrics", metrics);
    requireSection("logging", logging);
    requireSection("identity", identity);
    requireSection("mesh", mesh);
    requireSection("tls", tls);
    requireSection("api", api);
    requireSection("tracing", tracing);
    requireSection("consensus", consensus);
    requireSection("mapek", mapek);
    // The error names the key of the healing area, which adapts to the other section.
    mapek.mesh().checkAgainstHeartbeat(mesh.heartbeatInterval());
    if (consensus.enabled()) {
      mapek.node().checkAgainstRaftFloor(consensus.minFreeSpace());
    }
    if (identity.source() == IdentitySourceKind.MESH_CA) {
      // The node issues its own SVIDs: a fresh one must not already count as near expiry.
      requireBelow("mapek.node.cert-renew-before", mapek.node().certRenewBefore(),
          "identity.svid-lifetime", identity.svidLifetime());
    }
    if (api.sendRateLimit() != null && mapek.load().minRate() > api.sendRateLimit()) {
      throw ConfigException.invalid("mapek.load.min-rate",
          mapek.load().minRate() + " messages/s is above api.send-rate-limit "
              + api.sendRateLimit() + " (shedding would raise the limit)",
          "at most api.send-rate-limit");
    }
  }

  /** The configuration of a single node with no file and no environment overrides. */
  public static NodeConfig defaults() {
    return new NodeConfig(
        Node.defaults(),
        Metrics.defaults(),
        Logging.defaults(),
        Identity.defaults(),
        Mesh.defaults(),
        Tls.defaults(),
        Api.defaults(),
        Tracing.defaults(),
        Consensus.defaults(),
        Mapek.defaults());
  }

  /** A copy with {@code node} replaced. */
  public NodeConfig withNode(Node node) {
    return new NodeConfig(node, metrics, logging, identity, mesh, tls, api, tracing,
        consensus, mapek);
  }

  /** A copy with {@code metrics} replaced. */
  public NodeConfig withMetrics(Metrics metrics) {
    return new NodeConfig(node, metrics, logging, identity, mesh, tls, api, tracing,
        consensus, mapek);
  }

  /** A copy with {@code logging} replaced. */
  public NodeConfig withLogging(Logging logging) {
    return new NodeConfig(node, metrics, logging, identity, mesh, tls, api, tracing,
        consensus, mapek);
  }

  /** A copy with {@code identity} replaced. */
  public NodeConfig withIdentity(Identity identity) {
    return new NodeConfig(node, metrics, logging, identity, mesh, tls, api, tracing,
        consensus, mapek);
  }

  /** A copy with {@code mesh} replaced. */
  public NodeConfig withMesh(Mesh mesh) {
    return new NodeConfig(node, metrics, logging, identity, mesh, tls, api, tracing,
        consensus, mapek);
  }

  /** A copy with {@code tls} replaced. */
  public NodeConfig withTls(Tls tls) {
    return new NodeConfig(node, metrics, logging, identity, mesh, tls, api, tracing,
        consensus, mapek);
  }

  /** A copy with {@code api} replaced. */
  public NodeConfig withApi(Api api) {
    return new NodeConfig(node, metrics, logging, identity, mesh, tls, api, tracing,
        consensus, mapek);
  }

  /** A copy with {@code consensus} replaced. */
  public NodeConfig withConsensus(Consensus consensus) {
    return new NodeConfig(node, metrics, logging, identity, mesh, tls, api, tracing,
        consensus, mapek);
  }

  /**
   * Checks the consensus section against this node's id and the other sections, which the section
   * itself cannot see: this node must be among the voters (unless it joins, then it must not be),
   * its own voter entry must be {@code consensus.bind}, and the Raft port must not be the port of
   * the mesh, the API or the metrics endpoint on an overlapping address.
   *
   * @throws ConfigException naming the key and the values when any check fails
   */
  public void checkConsensusFor(String nodeId) {
    if (!consensus.enabled()) {
      return;
    }
    Optional<VoterAddress> self =
        consensus.voters().stream().filter(v -> v.id().equals(nodeId)).findFirst();
    if (consensus.join() && self.isPresent()) {
      throw ConfigException.invalid("consensus.voters",
          "this node '" + nodeId + "' is listed although consensus.join is true",
          "with join: the voters of the existing group, without this node (it listens on"
              + " consensus.bind)");
    }
    if (!consensus.join() && !consensus.voters().isEmpty() && self.isEmpty()) {
      throw ConfigException.invalid("consensus.voters",
          "this node '" + nodeId + "' is not among the voters " + consensus.voters(),
          "a list that contains this node (or an empty list for a single voter, or"
              + " consensus.join: true to join an existing group)");
    }
    if (self.isPresent() && !self.get().address().equals(consensus.bind())) {
      throw ConfigException.invalid("consensus.voters",
          "this node's entry " + self.get() + " differs from consensus.bind "
              + consensus.bind(),
          "this node's entry with the address of consensus.bind (where its Raft server listens)");
    }
    checkPortFree("mesh.bind", mesh.bind());
    checkPortFree("api.bind", api.bind());
    checkPortFree("metrics.bind", metrics.bind());
  }

  private void checkPortFree(String key, HostPort other) {
    HostPort raft = consensus.bind();
    boolean overlap = raft.host().equalsIgnoreCase(other.host()) || wildcard(raft.host())
        || wildcard(other.host());
    if (other.port() == raft.port() && overlap) {
      throw ConfigException.invalid("consensus.bind",
          raft + " uses the port of " + key + " " + other,
          "a port no other server of this node binds (default 7601)");
    }
  }

  private static boolean wildcard(String host) {
    return host.equals("0.0.0.0") || host.equals("::") || host.equals("0:0:0:0:0:0:0:0");
  }

  /**
   * The replicated key-value store: a Raft group of 1, 3 or 5 voters (Apache Ratis) behind
   * {@code /v1/kv} and {@code /v1/cluster} of the local API (see {@code docs/consensus.md}).
   *
   * @param enabled run this node's Raft server and client; when false the KV and cluster
   *     endpoints answer 503 {@code consensus_disabled}
   * @param bind where this node's Raft server listens and the address other voters dial (port
   *     1..65535); when this node is in {@code voters}, its entry must be this address
   * @param voters the voters of the group, this node included; empty means a group of one, this
   *     node at {@code bind}. 1, 3 or 5 entries, unique ids and addresses; with {@code join} the
   *     voters of the group being joined, without this node
   * @param join start outside the group and wait to be added by its leader ({@code meshd
   *     cluster add-voter} on a member)
   * @param electionTimeoutMin lower bound of the randomised election timeout, 50ms..10s
   * @param electionTimeoutMax upper bound, above the minimum, 100ms..30s
   * @param fastFailover when the leader's connection drops (its process died), the next voter
   *     after it by id stands for election once the others can accept that (the minimum
   *     election timeout plus 20 ms), without waiting for its random timeout; the voter after it
   *     half the timeouts' spread later. Leaders that go silent with the connection open are
   *     left to the election timeout.
   * @param requestTimeout deadline of one KV or admin request, retries included; past it the
   *     caller gets 503 {@code no_quorum}, 100ms..30s
   * @param snapshotThreshold take a snapshot after this many applied Raft entries, 1..10^9
   * @param snapshotInterval also take one when this much time passed and something was applied
   *     since the last snapshot, 1s..7d
   * @param snapshotRetention snapshot files kept, 2..100
   * @param logSegmentSize size at which a Raft log segment is closed (only closed segments are
   *     purged behind a snapshot), 64KiB..1GiB
   * @param maxValueSize largest value of one key, 1B..16MiB ({@code PUT /v1/kv} bodies above it
   *     get 413 {@code value_too_large})
   * @param minFreeSpace below this much free space on the storage's file system writes are
   *     refused (507 {@code disk_full}) before they reach the Raft log; 0B..1TiB, 0B turns the
   *     floor off
   * @param storageDir Raft log and snapshots, or {@code null} for {@code <state-dir>/raft}
   */
  public record Consensus(
      boolean enabled,
      HostPort bind,
      List<VoterAddress> voters,
      boolean join,
      Duration electionTimeoutMin,
      Duration electionTimeoutMax,
      boolean fastFailover,
      Duration requestTimeout,
      long snapshotThreshold,
      Duration snapshotInterval,
      int snapshotRetention,
      DataSize logSegmentSize,
      DataSize maxValueSize,
      DataSize minFreeSpace,
      Path storageDir) {
    /** Default Raft port (DESIGN.md section 9), the same as the consensus module's. */
    public static final int DEFAULT_PORT = 7601;

    /** Validates the values. */
    public Consensus {
      requireValue("consensus.bind", bind, HostPort.ALLOWED);
      if (bind.port() == 0) {
        throw ConfigException.invalid("consensus.bind", "port 0 is not allowed: the other"
            + " voters must know this node's Raft port", "a port 1..65535 (default 7601)");
      }
      requireValue("consensus.voters", voters, "a list of " + VoterAddress.ALLOWED);
      java.util.Set<String> ids = new java.util.HashSet<>();
      java.util.Set<HostPort> addresses = new java.util.HashSet<>();
      for (int i = 0; i < voters.size(); i++) {
        VoterAddress v = voters.get(i);
        requireValue("consensus.voters.[" + i + "]", v, VoterAddress.ALLOWED);
        if (!ids.add(v.id())) {
          throw ConfigException.invalid("consensus.voters.[" + i + "]",
              "voter id '" + v.id() + "' appears twice", "each voter id once");
        }
        if (!addresses.add(v.address())) {
          throw ConfigException.invalid("consensus.voters.[" + i + "]",
              "address " + v.address() + " of '" + v.id() + "' is already another voter's",
              "each voter at its own host:port");
        }
      }
      voters = List.copyOf(voters);
      int n = voters.size();
      if (join && n == 0) {
        throw ConfigException.invalid("consensus.voters", "is empty although consensus.join is"
            + " true", "the voters of the group to join (this node contacts them)");
      }
      if (!join && n != 0 && n != 1 && n != 3 && n != 5) {
        throw ConfigException.invalid("consensus.voters", n + " voters" + (n % 2 == 0
                ? ": an even count tolerates no more failures than one voter fewer and needs"
                    + " more of them up" : ""),
            "1, 3 or 5 voters (an empty list is a group of this node alone)");
      }
      requireRange("consensus.election-timeout-min", electionTimeoutMin, Duration.ofMillis(50),
          Duration.ofSeconds(10));
      requireRange("consensus.election-timeout-max", electionTimeoutMax, Duration.ofMillis(100),
          Duration.ofSeconds(30));
      if (electionTimeoutMax.compareTo(electionTimeoutMin) <= 0) {
        throw ConfigException.invalid("consensus.election-timeout-max",
            Durations.format(electionTimeoutMax) + " is not above"
                + " consensus.election-timeout-min " + Durations.format(electionTimeoutMin),
            "more than consensus.election-timeout-min");
      }
      requireRange("consensus.request-timeout", requestTimeout, Duration.ofMillis(100),
          Duration.ofSeconds(30));
      requireRange("consensus.snapshot-threshold", snapshotThreshold, 1L, 1_000_000_000L);
      requireRange("consensus.snapshot-interval", snapshotInterval, Duration.ofSeconds(1),
          Duration.ofDays(7));
      requireRange("consensus.snapshot-retention", snapshotRetention, 2, 100);
      requireRange("consensus.log-segment-size", logSegmentSize, DataSize.ofKibibytes(64),
          DataSize.ofMebibytes(1024));
      requireRange("consensus.max-value-size", maxValueSize, DataSize.ofBytes(1),
          DataSize.ofMebibytes(16));
      requireRange("consensus.min-free-space", minFreeSpace, DataSize.ofBytes(0),
          DataSize.ofMebibytes(1024L * 1024));
      if (storageDir != null && storageDir.toString().isEmpty()) {
        throw ConfigException.invalid(
            "consensus.storage-dir", "empty path", "a directory path, or null for the default");
      }
    }

    /**
     * Enabled, one voter (this node) on 127.0.0.1:7601, 150..300 ms elections with fast
     * failover, 10 s requests,
     * snapshots every 10,000 entries or 10 minutes, 3 kept, 1 MiB segments and values, writes
     * refused below 64 MiB of free disk.
     */
    public static Consensus defaults() {
      return new Consensus(true, new HostPort("127.0.0.1", DEFAULT_PORT), List.of(), false,
          Duration.ofMillis(150), Duration.ofMillis(300), true, Duration.ofSeconds(10), 10_000,
          Duration.ofMinutes(10), 3, DataSize.ofMebibytes(1), DataSize.ofMebibytes(1),
          DataSize.ofMebibytes(64), null);
    }

    /** The Raft storage directory: configured, or {@code <stateDir>/raft}. */
    public Path storageDirIn(Path stateDir) {
      return storageDir != null ? storageDir : stateDir.resolve("raft");
    }
  }

  /** A copy with {@code mapek} replaced. */
  public NodeConfig withMapek(Mapek mapek) {
    return new NodeConfig(node, metrics, logging, identity, mesh, tls, api, tracing,
        consensus, mapek);
  }

  /** What the self-healing loop may do (see {@code docs/mapek.md}). */
  public enum MapekMode {
    /** Plan and act. */
    AUTO,
    /** Plan and log the plan (and expose it as {@code advised} events), never act. */
    ADVISE,
    /** No loop at all: no sensor is read, nothing is planned. */
    OFF
  }

  /**
   * The MAPE-K control loop that detects failures and heals them (see {@code docs/mapek.md}).
   *
   * @param mode {@code auto} acts, {@code advise} only plans, {@code off} runs no loop
   * @param tickInterval how often the loop reads its sensors and plans, 10ms..10s
   * @param maxConcurrentActions actions running at once, 1..64
   * @param rateLimit action starts allowed within {@code rateWindow}, 1..10000
   * @param rateWindow the window of {@code rateLimit}, 1s..1d
   * @param maxAttempts failed actions on one incident before it is escalated to an operator,
   *     1..100
   * @param clearTicks consecutive ticks a diagnosis must be absent before its incident counts as
   *     resolved, 1..1000
   * @param recentIncidents resolved incidents kept in memory for {@code GET /v1/incidents},
   *     0..10000
   * @param journalSegmentSize size at which the incident journal starts a new segment,
   *     64KiB..1GiB
   * @param journalMaxSegments journal segments kept; older ones are deleted, 1..1000
   * @param journalDir the incident journal, or {@code null} for {@code <state-dir>/mapek}
   * @param mesh thresholds and timings of the mesh area ({@code mapek.mesh})
   * @param raft thresholds, timings and quorum veto of the Raft area ({@code mapek.raft})
   * @param node thresholds and timings of the node area ({@code mapek.node})
   * @param load overload detection, shedding and restoring of the load area ({@code mapek.load})
   */
  public record Mapek(
      MapekMode mode,
      Duration tickInterval,
      int maxConcurrentActions,
      int rateLimit,
      Duration rateWindow,
      int maxAttempts,
      int clearTicks,
      int recentIncidents,
      DataSize journalSegmentSize,
      int journalMaxSegments,
      Path journalDir,
      MeshHealingConfig mesh,
      RaftHealingConfig raft,
      NodeHealingConfig node,
      LoadHealingConfig load) {
    /** Validates the values. */
    public Mapek {
      requireValue("mapek.mode", mode, ConfigJackson.enumAllowed(MapekMode.class));
      requireRange("mapek.tick-interval", tickInterval, Duration.ofMillis(10),
          Duration.ofSeconds(10));
      requireRange("mapek.max-concurrent-actions", maxConcurrentActions, 1, 64);
      requireRange("mapek.rate-limit", rateLimit, 1, 10_000);
      requireRange("mapek.rate-window", rateWindow, Duration.ofSeconds(1), Duration.ofDays(1));
      requireRange("mapek.max-attempts", maxAttempts, 1, 100);
      requireRange("mapek.clear-ticks", clearTicks, 1, 1000);
      requireRange("mapek.recent-incidents", recentIncidents, 0, 10_000);
      requireRange("mapek.journal-segment-size", journalSegmentSize, DataSize.ofKibibytes(64),
          DataSize.ofMebibytes(1024));
      requireRange("mapek.journal-max-segments", journalMaxSegments, 1, 1000);
      if (journalDir != null && journalDir.toString().isEmpty()) {
        throw ConfigException.invalid(
            "mapek.journal-dir", "empty path", "a directory path, or null for the default");
      }
      requireSection("mapek.mesh", mesh);
      requireSection("mapek.raft", raft);
      requireSection("mapek.node", node);
      requireSection("mapek.load", load);
    }

    /** The loop's own keys, with every area's defaults. */
    public Mapek(MapekMode mode, Duration tickInterval, int maxConcurrentActions, int rateLimit,
        Duration rateWindow, int maxAttempts, int clearTicks, int recentIncidents,
        DataSize journalSegmentSize, int journalMaxSegments, Path journalDir) {
      this(mode, tickInterval, maxConcurrentActions, rateLimit, rateWindow, maxAttempts,
          clearTicks, recentIncidents, journalSegmentSize, journalMaxSegments, journalDir,
          MeshHealingConfig.defaults(), RaftHealingConfig.defaults(),
          NodeHealingConfig.defaults(), LoadHealingConfig.defaults());
    }

    /**
     * Acting, a tick every 250 ms, at most 4 actions at once and 20 starts a minute, escalation
     * after 3 failed attempts, resolved after 2 clear ticks, 100 recent incidents, a journal of
     * at most 8 segments of 4 MiB; each area's defaults.
     */
    public static Mapek defaults() {
      return new Mapek(MapekMode.AUTO, Duration.ofMillis(250), 4, 20, Duration.ofMinutes(1), 3,
          2, 100, DataSize.ofMebibytes(4), 8, null);
    }

    /** A copy with {@code mode} replaced. */
    public Mapek withMode(MapekMode value) {
      return new Mapek(value, tickInterval, maxConcurrentActions, rateLimit, rateWindow,
          maxAttempts, clearTicks, recentIncidents, journalSegmentSize, journalMaxSegments,
          journalDir, mesh, raft, node, load);
    }

    /** A copy with {@code tickInterval} replaced. */
    public Mapek withTickInterval(Duration value) {
      return new Mapek(mode, value, maxConcurrentActions, rateLimit, rateWindow, maxAttempts,
          clearTicks, recentIncidents, journalSegmentSize, journalMaxSegments, journalDir, mesh,
          raft, node, load);
    }

    /** A copy with the four areas' sections replaced. */
    public Mapek withAreas(MeshHealingConfig mesh, RaftHealingConfig raft, NodeHealingConfig node,
        LoadHealingConfig load) {
      return new Mapek(mode, tickInterval, maxConcurrentActions, rateLimit, rateWindow,
          maxAttempts, clearTicks, recentIncidents, journalSegmentSize, journalMaxSegments,
          journalDir, mesh, raft, node, load);
    }

    /** The journal directory: configured, or {@code <stateDir>/mapek}. */
    public Path journalDirIn(Path stateDir) {
      return journalDir != null ? journalDir : stateDir.resolve("mapek");
    }
  }

  /** A copy with {@code tracing} replaced. */
  public NodeConfig withTracing(Tracing tracing) {
    return new NodeConfig(node, metrics, logging, identity, mesh, tls, api, tracing,
        consensus, mapek);
  }

  /**
   * OpenTelemetry tracing of messages (see {@code docs/architecture.md}): spans for API sends,
   * each forwarding hop and delivery, exported over OTLP/HTTP in batches.
   *
   * @param enabled record and export spans; off by default (then tracing costs one branch)
   * @param endpoint the OTLP/HTTP traces URL, e.g. {@code http://127.0.0.1:4318/v1/traces};
   *     required when enabled
   * @param sampleRatio probability 0.0..1.0 that a new trace is sampled; a message that arrives
   *     with a {@code traceparent} follows its sampled flag
   * @param headers HTTP headers sent with every export (e.g. an API key)
   * @param exportTimeout bound on one export request and on the flush at shutdown, 1s..1m
   * @param serviceName the {@code service.name} resource attribute, 1..255 characters
   */
  public record Tracing(
      boolean enabled,
      String endpoint,
      double sampleRatio,
      Map<String, String> headers,
      Duration exportTimeout,
      String serviceName) {
    static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}");

    /** Validates the values and copies {@code headers}. */
    public Tracing {
      if (endpoint != null) {
        Optional<String> problem = dev.x0tta6bl4.observability.Tracing.endpointProblem(endpoint);
        if (problem.isPresent()) {
          throw ConfigException.invalid("tracing.endpoint",
              ConfigException.quote(endpoint) + " " + problem.get(),
              dev.x0tta6bl4.observability.Tracing.ENDPOINT_ALLOWED);
        }
      } else if (enabled) {
        throw ConfigException.invalid("tracing.endpoint", "is null while tracing.enabled is true",
            "the OTLP/HTTP traces URL of a collector, e.g. http://127.0.0.1:4318/v1/traces");
      }
      if (!(sampleRatio >= 0 && sampleRatio <= 1)) {
        throw ConfigException.invalid("tracing.sample-ratio", sampleRatio + " is out of range",
            "0.0..1.0");
      }
      requireValue("tracing.headers", headers, "a mapping of header name to value");
      if (headers.size() > 64) {
        throw ConfigException.invalid("tracing.headers", headers.size() + " headers",
            "at most 64");
      }
      TreeMap<String, String> copy = new TreeMap<>();
      for (Map.Entry<String, String> e : headers.entrySet()) {
        if (e.getKey() == null || !HEADER_NAME.matcher(e.getKey()).matches()) {
          throw ConfigException.invalid("tracing.headers",
              "header name " + ConfigException.quote(e.getKey()) + " is not valid",
              "an HTTP token of 1..64 letters, digits and !#$%&'*+.^_`|~-");
        }
        String value = e.getValue();
        if (value == null || value.length() > 4096
            || !value.chars().allMatch(c -> c == '\t' || (c >= 0x20 && c < 0x7f))) {
          throw ConfigException.invalid("tracing.headers." + e.getKey(),
              "is null, too long or has characters an HTTP header cannot carry",
              "up to 4096 printable ASCII characters");
        }
        copy.put(e.getKey(), value);
      }
      headers = Collections.unmodifiableMap(copy);
      requireRange("tracing.export-timeout", exportTimeout, Duration.ofSeconds(1),
          Duration.ofMinutes(1));
      requireValue("tracing.service-name", serviceName, "1..255 characters");
      if (serviceName.isBlank() || serviceName.length() > 255
          || !serviceName.chars().allMatch(c -> c >= 0x20 && c != 0x7f)) {
        throw ConfigException.invalid("tracing.service-name",
            ConfigException.quote(serviceName) + " is not valid",
            "1..255 characters, not blank, without control characters");
      }
    }

    /** Off; when turned on: every new trace sampled, 10 s export timeout, service "meshd". */
    public static Tracing defaults() {
      return new Tracing(false, null, 1.0, Map.of(), Duration.ofSeconds(10),
          dev.x0tta6bl4.observability.Tracing.DEFAULT_SERVICE_NAME);
    }
  }

  /**
   * The local HTTP API ({@code /v1/...}, see {@code docs/api.md}) that applications and the CLI
   * use to send, subscribe and read the node's state.
   *
   * @param bind address and port to listen on (port 0 picks a free port); loopback by default,
   *     because the API has no authentication of its own
   * @param maxBodySize bound on a request body, 1KiB..16MiB; larger requests get 413
   * @param maxHeaderSize bound on an HTTP request line plus headers, 1KiB..1MiB
   * @param maxWait longest a {@code POST /v1/messages} with {@code wait} may wait for the
   *     delivery outcome, and its default, 100ms..10m
   * @param maxSubscribers open event streams ({@code GET /v1/subscribe}) allowed at once,
   *     1..10000; more get 429
   * @param subscriberBuffer events queued per subscriber before new ones are dropped (counted and
   *     reported to the subscriber), 1..65536
   * @param sendRateLimit the configured admission limit of {@code POST /v1/messages} in messages
   *     per second (1..10^7), or {@code null} for none; the load area's {@code restore-load}
   *     returns to it after shedding
   * @param sendBurst how much of the limit may arrive at once, as time at the limit (the token
   *     bucket holds max(1, limit x burst) messages), 1ms..60s
   */
  public record Api(
      HostPort bind,
      DataSize maxBodySize,
      DataSize maxHeaderSize,
      Duration maxWait,
      int maxSubscribers,
      int subscriberBuffer,
      Double sendRateLimit,
      Duration sendBurst) {
    /** Validates the values. */
    public Api {
      requireValue("api.bind", bind, HostPort.ALLOWED);
      requireRange("api.max-body-size", maxBodySize, DataSize.ofKibibytes(1),
          DataSize.ofMebibytes(16));
      requireRange("api.max-header-size", maxHeaderSize, Metrics.MIN_HEADER_SIZE,
          Metrics.MAX_HEADER_SIZE);
      requireRange("api.max-wait", maxWait, Duration.ofMillis(100), Duration.ofMinutes(10));
      requireRange("api.max-subscribers", maxSubscribers, 1, 10_000);
      requireRange("api.subscriber-buffer", subscriberBuffer, 1, 65_536);
      if (sendRateLimit != null) {
        requireRange("api.send-rate-limit", sendRateLimit, 1.0, 10_000_000.0);
      }
      requireRange("api.send-burst", sendBurst, Duration.ofMillis(1), Duration.ofSeconds(60));
    }

    /** Without an admission limit (burst 100 ms when one is set). */
    public Api(HostPort bind, DataSize maxBodySize, DataSize maxHeaderSize, Duration maxWait,
        int maxSubscribers, int subscriberBuffer) {
      this(bind, maxBodySize, maxHeaderSize, maxWait, maxSubscribers, subscriberBuffer, null,
          Duration.ofMillis(100));
    }

    /**
     * Loopback port 7680, 256 KiB bodies, 30 s wait, 64 subscribers of 1024 events each, sends
     * not limited.
     */
    public static Api defaults() {
      return new Api(new HostPort("127.0.0.1", 7680), DataSize.ofKibibytes(256),
          DataSize.ofKibibytes(8), Duration.ofSeconds(30), 64, 1024);
    }

    /** A copy with the admission limit and burst replaced. */
    public Api withSendRate(Double limit, Duration burst) {
      return new Api(bind, maxBodySize, maxHeaderSize, maxWait, maxSubscribers,
          subscriberBuffer, limit, burst);
    }
  }

  /**
   * The mesh links of this node.
   *
   * @param bind address and port mesh links are accepted on (port 0 picks a free port)
   * @param advertise address other nodes should dial, or {@code null} for {@code bind} (set
   *     it when binding a wildcard address or behind NAT)
   * @param seeds addresses to dial at start and whenever the node has fewer than {@code
   *     minNeighbours} links
   * @param minNeighbours below this many links the node dials more known addresses, 0..64
   * @param maxNeighbours at this many links further inbound links are refused, 1..1024
   * @param maxFrameSize hard cap on one frame, checked before any allocation, 4KiB..64MiB
   * @param outboundBuffer bytes queued per link before it reports backpressure, 64KiB..256MiB
   * @param heartbeatInterval heartbeat period on every link; failure detection timings scale
   *     with it, 50ms..1s
   * @param reconnectBackoffMin first reconnect delay (doubled per failure, jittered), 10ms..10s
   * @param reconnectBackoffMax cap of the reconnect delay, 100ms..10m
   * @param helloTimeout time a new connection has to complete TLS and HELLO, 100ms..1m
   * @param peerMetricsLimit at most this many peers get their own metric series, the rest are
   *     folded into {@code peer="_other"}, 1..10000
   */
  public record Mesh(
      HostPort bind,
      HostPort advertise,
      List<HostPort> seeds,
      int minNeighbours,
      int maxNeighbours,
      DataSize maxFrameSize,
      DataSize outboundBuffer,
      Duration heartbeatInterval,
      Duration reconnectBackoffMin,
      Duration reconnectBackoffMax,
      Duration helloTimeout,
      int peerMetricsLimit) {

    /** Validates the values. */
    public Mesh {
      requireValue("mesh.bind", bind, HostPort.ALLOWED);
      requireValue("mesh.seeds", seeds, "a list of host:port");
      for (int i = 0; i < seeds.size(); i++) {
        // List.copyOf would throw a bare NullPointerException for "seeds: [a:1, null]".
        requireValue("mesh.seeds.[" + i + "]", seeds.get(i), HostPort.ALLOWED);
      }
      seeds = List.copyOf(seeds);
      requireRange("mesh.min-neighbours", minNeighbours, 0, 64);
      requireRange("mesh.max-neighbours", maxNeighbours, 1, 1024);
      if (maxNeighbours < minNeighbours) {
        throw ConfigException.invalid(
            "mesh.max-neighbours",
            maxNeighbours + " is below mesh.min-neighbours " + minNeighbours,
            "at least mesh.min-neighbours");
      }
      requireRange(
          "mesh.max-frame-size", maxFrameSize, DataSize.ofKibibytes(4), DataSize.ofMebibytes(64));
      requireRange(
          "mesh.outbound-buffer",
          outboundBuffer,
          DataSize.ofKibibytes(64),
          DataSize.ofMebibytes(256));
      requireRange(
          "mesh.heartbeat-interval",
          heartbeatInterval,
          Duration.ofMillis(50),
          Duration.ofSeconds(1));
      requireRange(
          "mesh.reconnect-backoff-min",
          reconnectBackoffMin,
          Duration.ofMillis(10),
          Duration.ofSeconds(10));
      requireRange(
          "mesh.reconnect-backoff-max",
          reconnectBackoffMax,
          Duration.ofMillis(100),
          Duration.ofMinutes(10));
      if (reconnectBackoffMax.compareTo(reconnectBackoffMin) < 0) {
        throw ConfigException.invalid(
            "mesh.reconnect-backoff-max",
            Durations.format(reconnectBackoffMax)
                + " is below mesh.reconnect-backoff-min "
                + Durations.format(reconnectBackoffMin),
            "at least mesh.reconnect-backoff-min");
      }
      requireRange("mesh.hello-timeout", helloTimeout, Duration.ofMillis(100), Duration.ofMinutes(1));
      requireRange("mesh.peer-metrics-limit", peerMetricsLimit, 1, 10_000);
    }

    /** Loopback port 7600, no seeds, 3..16 neighbours, 100 ms heartbeats. */
    public static Mesh defaults() {
      return new Mesh(
          new HostPort("127.0.0.1", 7600),
          null,
          List.of(),
          3,
          16,
          DataSize.ofMebibytes(1),
          DataSize.ofMebibytes(4),
          Duration.ofMillis(100),
          Duration.ofMillis(100),
          Duration.ofSeconds(10),
          Duration.ofSeconds(5),
          64);
    }

    /** The address announced to peers in HELLO: {@code advertise}, else {@code bind}. */
    public HostPort advertisedAddress() {
      return advertise != null ? advertise : bind;
    }
  }

  /** Key exchange of mesh-link TLS 1.3. */
  public enum KeyExchange {
    /** X25519MLKEM768: secure while either X25519 or ML-KEM-768 holds (the default). */
    HYBRID,
    /** Pure ML-KEM-768. */
    MLKEM768
  }

  /**
   * TLS 1.3 on mesh links (always mutual, always TLS 1.3).
   *
   * @param keyExchange the post-quantum group offered and accepted
   * @param allowClassical also accept peers that offer only classical x25519; off by default,
   *     because such links are open to harvest-now-decrypt-later
   * @param mlDsaSignatures enable the mldsa65 signature scheme (needed when any node uses
   *     ML-DSA-65 certificates; the node turns it on by itself when its own SVID is ML-DSA-65)
   */
  public record Tls(KeyExchange keyExchange, boolean allowClassical, boolean mlDsaSignatures) {
    /** Validates the values. */
    public Tls {
      requireValue("tls.key-exchange", keyExchange, ConfigJackson.enumAllowed(KeyExchange.class));
    }

    /** Hybrid key exchange, classical peers refused, Ed25519 signatures. */
    public static Tls defaults() {
      return new Tls(KeyExchange.HYBRID, false, false);
    }
  }

  /** Where a node's identity files come from. */
  public enum IdentitySourceKind {
    /**
     * The built-in mesh CA: on first start the node creates a local CA in {@code ca-dir} and
     * issues its own SVID into {@code dir}; it renews the SVID before expiry.
     */
    MESH_CA,
    /**
     * Files written by someone else ({@code meshd ca issue} on another machine, SPIRE's
     * helper, cert-manager) into {@code dir}; re-read when they change.
     */
    FILES
  }

  /**
   * The node's X.509-SVID and trust bundle.
   *
   * @param trustDomain the SPIFFE trust domain of the mesh, e.g. {@code meshd.local}
   * @param source where identity files come from
   * @param dir directory holding node-key.pem, node-chain.pem and trust-bundle.pem, or {@code
   *     null} for {@code <state-dir>/identity}
   * @param caDir the local mesh CA (source mesh-ca only), or {@code null} for {@code
   *     <state-dir>/ca}
   * @param algorithm signature algorithm of a CA and SVID that the node creates itself
   * @param svidLifetime lifetime of an SVID the node issues itself, 10m..30d; renewed when a
   *     third of it is left
   * @param reloadInterval how often the files are checked for changes, 1s..1h
   */
  public record Identity(
      String trustDomain,
      IdentitySourceKind source,
      Path dir,
      Path caDir,
      SignatureAlgorithm algorithm,
      Duration svidLifetime,
      Duration reloadInterval) {
    static final Duration MIN_SVID_LIFETIME = Duration.ofMinutes(10);
    static final Duration MAX_SVID_LIFETIME = Duration.ofDays(30);
    static final Duration MIN_RELOAD = Duration.ofSeconds(1);
    static final Duration MAX_RELOAD = Duration.ofHours(1);

    /** Validates the values. */
    public Identity {
      requireValue("identity.trust-domain", trustDomain, "a SPIFFE trust domain");
      try {
        SpiffeId.requireValidTrustDomain(trustDomain);
      } catch (PqcException e) {
        throw ConfigException.invalid(
            "identity.trust-domain",
            e.getMessage(),
            "lower-case letters, digits, '.', '-', '_' (a SPIFFE trust domain), e.g. meshd.local");
      }
      requireValue("identity.source", source, ConfigJackson.enumAllowed(IdentitySourceKind.class));
      requireValue(
          "identity.algorithm", algorithm, ConfigJackson.enumAllowed(SignatureAlgorithm.class));
      requireRange("identity.svid-lifetime", svidLifetime, MIN_SVID_LIFETIME, MAX_SVID_LIFETIME);
      requireRange("identity.reload-interval", reloadInterval, MIN_RELOAD, MAX_RELOAD);
    }

    /** Built-in mesh CA in the state directory, Ed25519, 24 h SVIDs checked every 30 s. */
    public static Identity defaults() {
      return new Identity(
          "meshd.local",
          IdentitySourceKind.MESH_CA,
          null,
          null,
          SignatureAlgorithm.ED25519,
          Duration.ofHours(24),
          Duration.ofSeconds(30));
    }

    /** The identity directory: configured, or {@code <stateDir>/identity}. */
    public Path dirIn(Path stateDir) {
      return dir != null ? dir : stateDir.resolve("identity");
    }

    /** The local CA directory: configured, or {@code <stateDir>/ca}. */
    public Path caDirIn(Path stateDir) {
      return caDir != null ? caDir : stateDir.resolve("ca");
    }
  }

  /**
   * Identity and lifecycle of this node.
   *
   * @param id the node id, or {@code null} to use the persisted or derived one (see {@link
   *     NodeIdResolver}); it becomes a SPIFFE path segment, so it matches {@link #ID_PATTERN}
   * @param stateDir where the node keeps its state, or {@code null} for {@code
   *     $STATE_DIRECTORY} or {@code ./meshd-data} (see {@link StateDirectory})
   * @param shutdownTimeout bound on an orderly shutdown, 1s..5m
   */
  public record Node(String id, Path stateDir, Duration shutdownTimeout) {
    /** What a node id looks like: lower-case letters, digits, '.', '_', '-'; 1..63 chars. */
    public static final Pattern ID_PATTERN =
        Pattern.compile("[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?");

    /** {@link #ID_PATTERN} in words, for error messages. */
    public static final String ID_ALLOWED =
        "1..63 characters of a-z, 0-9, '.', '_', '-', starting and ending with a letter or digit";

    static final Duration MIN_SHUTDOWN_TIMEOUT = Duration.ofSeconds(1);
    static final Duration MAX_SHUTDOWN_TIMEOUT = Duration.ofMinutes(5);

    /** Validates the values. */
    public Node {
      if (id != null && !ID_PATTERN.matcher(id).matches()) {
        throw ConfigException.invalid(
            "node.id", ConfigException.quote(id) + " is not a valid node id", ID_ALLOWED);
      }
      if (stateDir != null && stateDir.toString().isEmpty()) {
        throw ConfigException.invalid(
            "node.state-dir", "empty path", "a directory path, or null for the default");
      }
      requireRange(
          "node.shutdown-timeout", shutdownTimeout, MIN_SHUTDOWN_TIMEOUT, MAX_SHUTDOWN_TIMEOUT);
    }

    /** No fixed id, default state directory, 10 s shutdown bound. */
    public static Node defaults() {
      return new Node(null, null, Duration.ofSeconds(10));
    }

    /** The configured id, if one is set. */
    public Optional<String> configuredId() {
      return Optional.ofNullable(id);
    }

    /** The configured state directory, if one is set. */
    public Optional<Path> configuredStateDir() {
      return Optional.ofNullable(stateDir);
    }
  }

  /**
   * The HTTP endpoint serving {@code /metrics}, {@code /health/live} and {@code /health/ready}.
   *
   * @param bind address and port to listen on (port 0 picks a free port)
   * @param maxHeaderSize bound on an HTTP request line plus headers, 1KiB..1MiB
   */
  public record Metrics(HostPort bind, DataSize maxHeaderSize) {
    static final DataSize MIN_HEADER_SIZE = DataSize.ofKibibytes(1);
    static final DataSize MAX_HEADER_SIZE = DataSize.ofMebibytes(1);

    /** Validates the values. */
    public Metrics {
      requireValue("metrics.bind", bind, HostPort.ALLOWED);
      requireRange("metrics.max-header-size", maxHeaderSize, MIN_HEADER_SIZE, MAX_HEADER_SIZE);
    }

    /** Loopback port 9464, 8 KiB of headers. */
    public static Metrics defaults() {
      return new Metrics(new HostPort("127.0.0.1", 9464), DataSize.ofKibibytes(8));
    }
  }

  /**
   * Logging to stdout.
   *
   * @param format line format
   * @param level the root logger's level
   * @param levels levels of individual loggers by name (e.g. {@code io.netty}); an unmodifiable
   *     map sorted by name
   */
  public record Logging(LogFormat format, LogLevel level, Map<String, LogLevel> levels) {
    /** Validates the values and copies {@code levels}. */
    public Logging {
      requireValue("logging.format", format, LogFormat.ALLOWED);
      requireValue("logging.level", level, LogLevel.ALLOWED);
      requireValue("logging.levels", levels, "a mapping of logger name to level");
      TreeMap<String, LogLevel> copy = new TreeMap<>();
      for (Map.Entry<String, LogLevel> e : levels.entrySet()) {
        String name = e.getKey();
        if (name == null || name.isEmpty() || !name.codePoints().allMatch(Logging::nameChar)) {
          throw ConfigException.invalid(
              "logging.levels",
              "logger name " + ConfigException.quote(name) + " is not valid",
              "a non-empty logger name without spaces or control characters, e.g. io.netty");
        }
        requireValue("logging.levels." + name, e.getValue(), LogLevel.ALLOWED);
        copy.put(name, e.getValue());
      }
      levels = Collections.unmodifiableMap(copy);
    }

    /** JSON lines at info, no per-logger levels. */
    public static Logging defaults() {
      return new Logging(LogFormat.JSON, LogLevel.INFO, Map.of());
    }

    private static boolean nameChar(int cp) {
      return !Character.isWhitespace(cp) && !Character.isISOControl(cp) && cp != '=' && cp != ',';
    }
  }

  static void requireSection(String key, Object section) {
    if (section == null) {
      throw ConfigException.invalid(
          key, "is null", "a mapping of its keys (leave the section out to use the defaults)");
    }
  }

  static void requireValue(String key, Object value, String allowed) {
    if (value == null) {
      throw ConfigException.invalid(key, "is null", allowed);
    }
  }

  static <T extends Comparable<? super T>> void requireRange(
      String key, T value, T min, T max) {
    String allowed = print(min) + ".." + print(max);
    requireValue(key, value, allowed);
    if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      throw ConfigException.invalid(key, print(value) + " is out of range", allowed);
    }
  }

  /**
   * The low mark of a hysteresis pair must lie strictly below its high mark: {@code key} (the
   * low one) is reported, naming both values.
   */
  static <T extends Comparable<? super T>> void requireBelow(
      String key, T value, String highKey, T high) {
    if (value.compareTo(high) >= 0) {
      throw ConfigException.invalid(key,
          print(value) + " is not below " + highKey + " " + print(high), "less than " + highKey);
    }
  }

  static String print(Object value) {
    if (value instanceof Double d && Double.isFinite(d)) {
      return java.math.BigDecimal.valueOf(d).toPlainString(); // 1.0E7 reads 10000000
    }
    return value instanceof Duration d ? Durations.format(d) : String.valueOf(value);
  }
}
