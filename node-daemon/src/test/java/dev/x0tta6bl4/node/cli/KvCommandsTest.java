package dev.x0tta6bl4.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.x0tta6bl4.consensus.ConsensusConfig;
import dev.x0tta6bl4.consensus.ConsensusStatus;
import dev.x0tta6bl4.consensus.ReplicatedStore;
import dev.x0tta6bl4.consensus.Voter;
import dev.x0tta6bl4.observability.Tracing;
import dev.x0tta6bl4.node.api.ConsensusAccess;
import dev.x0tta6bl4.node.api.FakeMeshService;
import dev.x0tta6bl4.node.api.IncidentSource;
import dev.x0tta6bl4.node.api.LocalApiServer;
import dev.x0tta6bl4.node.api.SendAdmission;
import dev.x0tta6bl4.node.config.DataSize;
import dev.x0tta6bl4.node.config.HostPort;
import dev.x0tta6bl4.node.config.NodeConfig;
import dev.x0tta6bl4.observability.MeshdMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code meshd kv}, {@code meshd cluster} and {@code meshd snapshot} against a real local API over
 * a real single-voter Ratis store on loopback.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KvCommandsTest {
  private MultiThreadIoEventLoopGroup group;
  private final PrometheusMeterRegistry registry = MeshdMetrics.create("test");
  private ReplicatedStore store;
  private LocalApiServer server;
  private String url;
  private StringWriter out;
  private StringWriter err;

  @BeforeAll
  void start(@TempDir Path dir) throws IOException {
    group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    store = ReplicatedStore.start(ConsensusConfig.builder("n1", dir)
        .voters(List.of(new Voter("n1", "127.0.0.1", port)))
        .electionTimeout(Duration.ofMillis(50), Duration.ofMillis(100))
        .requestTimeout(Duration.ofSeconds(5))
        .build(), registry);
    server = new LocalApiServer(new NodeConfig.Api(new HostPort("127.0.0.1", 0),
        DataSize.ofKibibytes(256), DataSize.ofKibibytes(8), Duration.ofSeconds(5), 4, 64),
        new FakeMeshService(), ConsensusAccess.of(() -> store, 1 << 20), IncidentSource.off(),
        group, registry,
        () -> true, Tracing.off(),
        new SendAdmission(SendAdmission.UNLIMITED, 0.1, System::nanoTime, registry));
    server.start();
    url = "http://127.0.0.1:" + server.address().getPort();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (store.status().role() != ConsensusStatus.Role.LEADER && System.nanoTime() < deadline) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
    assertThat(store.status().role()).isEqualTo(ConsensusStatus.Role.LEADER);
  }

  @AfterAll
  void stop() {
    server.close();
    store.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    registry.close();
  }

  @BeforeEach
  void freshOutput() {
    out = new StringWriter();
    err = new StringWriter();
  }

  private int meshd(InputStream stdin, String... args) {
    return MeshdCli.create(Map.of(), stdin, new PrintWriter(out, true), new PrintWriter(err, true))
        .execute(args);
  }

  private int meshd(String... args) {
    return meshd(new ByteArrayInputStream(new byte[0]), args);
  }

  private long versionPrinted() {
    String text = out.toString().strip();
    return Long.parseLong(text.substring(text.lastIndexOf(' ') + 1));
  }

  @Test
  void putThenGet_argumentAndStdin() {
    assertThat(meshd("kv", "put", "greeting", "hello world", "--api", url)).as(err.toString())
        .isZero();
    assertThat(out.toString()).startsWith("greeting version ");
    freshOutput();
    assertThat(meshd("kv", "get", "greeting", "--api", url)).isZero();
    assertThat(out.toString()).isEqualTo("hello world" + System.lineSeparator());

    freshOutput();
    int put = meshd(new ByteArrayInputStream("from stdin\n".getBytes(StandardCharsets.UTF_8)),
        "kv", "put", "piped", "-", "--api", url);
    assertThat(put).isZero();
    freshOutput();
    assertThat(meshd("kv", "get", "piped", "--stale", "--api", url)).isZero();
    assertThat(out.toString()).isEqualTo("from stdin\n");
  }

  @Test
  void get_absentKey_exits1NamingNotFound() {
    assertThat(meshd("kv", "get", "nothing-here", "--api", url)).isEqualTo(1);
    assertThat(err.toString()).contains("not_found").contains("'nothing-here' does not exist");
  }

  @Test
  void get_badKey_exits1NamingBadKey() {
    assertThat(meshd("kv", "get", "a b", "--api", url)).isEqualTo(1);
    assertThat(err.toString()).contains("bad_key").contains("a space at position 1");
  }

  @Test
  void cas_matchingAndStaleVersion() {
    meshd("kv", "put", "counter", "1", "--api", url);
    long v1 = versionPrinted();

    freshOutput();
    assertThat(meshd("kv", "cas", "counter", Long.toString(v1 + 50), "x", "--api", url))
        .isEqualTo(1);
    assertThat(err.toString()).contains("version_mismatch").contains("version " + v1);
    freshOutput();
    assertThat(meshd("kv", "cas", "counter", Long.toString(v1), "2", "--api", url)).isZero();
    assertThat(versionPrinted()).isGreaterThan(v1);
    freshOutput();
    assertThat(meshd("kv", "cas", "created-once", "0", "a", "--api", url)).isZero();
    assertThat(meshd("kv", "cas", "created-once", "0", "b", "--api", url)).isEqualTo(1);
    assertThat(meshd("kv", "put", "created-once", "c", "--if-absent", "--api", url))
        .isEqualTo(1);
    freshOutput();
    meshd("kv", "get", "created-once", "--api", url);
    assertThat(out.toString().strip()).isEqualTo("a");
  }

  @Test
  void put_ifVersionAndIfAbsentTogether_isUsageError() {
    assertThat(meshd("kv", "put", "k", "v", "--if-version", "3", "--if-absent", "--api", url))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("--if-version and --if-absent exclude each other");
  }

  @Test
  void del_thenAgain_secondIsNotFound() {
    meshd("kv", "put", "temp", "x", "--api", url);
    long v = versionPrinted();

    assertThat(meshd("kv", "del", "temp", "--if-version", Long.toString(v + 1), "--api", url))
        .isEqualTo(1);
    freshOutput();
    assertThat(meshd("kv", "del", "temp", "--if-version", Long.toString(v), "--api", url))
        .isZero();
    assertThat(out.toString()).contains("deleted temp");
    assertThat(meshd("kv", "del", "temp", "--api", url)).isEqualTo(1);
    assertThat(err.toString()).contains("not_found");
  }

  @Test
  void binaryValue_needsBase64ToPrint() {
    String b64 = Base64.getEncoder().encodeToString(new byte[] {0, (byte) 0xff, 1});
    assertThat(meshd("kv", "put", "bin", b64, "--base64", "--api", url)).isZero();

    freshOutput();
    assertThat(meshd("kv", "get", "bin", "--api", url)).isEqualTo(1);
    assertThat(err.toString()).contains("is binary (3 bytes").contains("--base64");
    freshOutput();
    assertThat(meshd("kv", "get", "bin", "--base64", "--api", url)).isZero();
    assertThat(out.toString().strip()).isEqualTo(b64);
    freshOutput();
    assertThat(meshd("kv", "get", "bin", "--json", "--api", url)).isZero();
    assertThat(out.toString()).contains("\"value_base64\":\"" + b64 + "\"");
  }

  @Test
  void cluster_snapshotAndVoterErrors() {
    assertThat(meshd("cluster", "--api", url)).as(err.toString()).isZero();
    assertThat(out.toString()).contains("node       n1 (leader)").contains("leader     n1")
        .containsPattern("VOTER\\s+ADDRESS\\s+ROLE\\s+COMMIT\\s+LAG")
        .containsPattern("n1 \\*\\s+127\\.0\\.0\\.1:\\d+\\s+leader");

    freshOutput();
    assertThat(meshd("snapshot", "--api", url)).isZero();
    assertThat(out.toString()).startsWith("snapshot taken at index ");
    freshOutput();
    assertThat(meshd("cluster", "--api", url)).isZero();
    assertThat(out.toString()).containsPattern("snapshot   index \\d+, ");

    freshOutput();
    assertThat(meshd("cluster", "remove-voter", "n1", "--api", url)).isEqualTo(1);
    assertThat(err.toString()).contains("last_voter");
    freshOutput();
    assertThat(meshd("cluster", "--api", url, "add-voter", "n1", "127.0.0.1:7601")).isEqualTo(1);
    assertThat(err.toString()).as("--api before the subcommand is used").contains("voter_exists");
  }

  @Test
  void kv_nodeNotRunning_exits69() throws IOException {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }

    assertThat(meshd("kv", "get", "x", "--api", "http://127.0.0.1:" + port))
        .isEqualTo(ExitCodes.UNAVAILABLE);
    assertThat(meshd("cluster", "--api", "http://127.0.0.1:" + port))
        .isEqualTo(ExitCodes.UNAVAILABLE);
    assertThat(err.toString()).contains("Is the node running?");
  }
}
