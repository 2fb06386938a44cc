package dev.x0tta6bl4.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starts the packaged distribution ({@code target/meshd/bin/meshd run}) as a separate
 * process, the way an operator or systemd does, and checks readiness, the scrape and an
 * orderly SIGTERM shutdown.
 */
class MeshdDistributionIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration READY_DEADLINE = Duration.ofSeconds(60);
  private static final Duration STOP_DEADLINE = Duration.ofSeconds(10);

  @TempDir Path tmp;
  private Process process;

  @AfterEach
  void killLeftovers() {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
    }
  }

  @Test
  void run_embeddedDefaults_becomesReadyServesMetricsAndStopsCleanlyOnSigterm() throws Exception {
    Path launcher = Path.of(System.getProperty("meshd.home", "target/meshd"), "bin", "meshd");
    assertThat(launcher).as("distribution launcher (built by `package`)").isExecutable();
    Path stdout = tmp.resolve("stdout.log");
    Path stderr = tmp.resolve("stderr.log");
    ProcessBuilder builder =
        new ProcessBuilder(launcher.toString(), "run")
            .directory(tmp.toFile())
            .redirectOutput(stdout.toFile())
            .redirectError(stderr.toFile());
    // No config file: embedded defaults, except an ephemeral port so parallel runs never clash.
    builder.environment().put("MESHD_METRICS_BIND", "127.0.0.1:0");
    builder.environment().put("MESHD_MESH_BIND", "127.0.0.1:0");
    builder.environment().put("MESHD_API_BIND", "127.0.0.1:0");
    // Raft needs a port its peers know, so no port 0: a port free now, for the single voter.
    int raftPort;
    try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
      raftPort = free.getLocalPort();
    }
    builder.environment().put("MESHD_CONSENSUS_BIND", "127.0.0.1:" + raftPort);
    process = builder.start();

    JsonNode listening =
        awaitLogLine(
            stdout,
            line -> line.path("http_server").asText().equals("metrics") && line.has("address"),
            READY_DEADLINE);
    String base = "http://" + listening.get("address").asText();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    awaitStatus(http, base + "/health/ready", 200, READY_DEADLINE);

    HttpResponse<String> metrics = http.send(
        HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body()).contains("meshd_build_info").contains("jvm_memory_used_bytes");
    assertThat(tmp.resolve("meshd-data")).as("default state directory").isDirectory();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(
            tmp.resolve("meshd-data/identity/node-key.pem"))))
        .as("node key created on first start, owner-only")
        .isEqualTo("rw-------");

    // The local API, through the packaged CLI: meshd status against the node's ephemeral port.
    JsonNode apiListening =
        awaitLogLine(
            stdout,
            line -> line.path("http_server").asText().equals("api") && line.has("address"),
            READY_DEADLINE);
    String apiUrl = "http://" + apiListening.get("address").asText();
    Process status = new ProcessBuilder(launcher.toString(), "status", "--api", apiUrl, "--json")
        .directory(tmp.toFile()).redirectError(tmp.resolve("status-stderr.log").toFile()).start();
    String statusOut = new String(status.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(status.waitFor(READY_DEADLINE.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(status.exitValue()).as(statusOut + read(tmp.resolve("status-stderr.log")))
        .isZero();
    assertThat(JSON.readTree(statusOut).path("ready").asBoolean()).as(statusOut).isTrue();

    // The embedded single-voter Raft group: a write and a linearizable read, packaged CLI.
    assertThat(cli(launcher, "kv", "put", "greeting", "hello", "--api", apiUrl))
        .startsWith("greeting version ");
    assertThat(cli(launcher, "kv", "get", "greeting", "--api", apiUrl)).isEqualTo("hello\n");
    assertThat(tmp.resolve("meshd-data/raft")).as("Raft storage in the state directory")
        .isDirectory();

    process.destroy(); // SIGTERM
    assertThat(process.waitFor(STOP_DEADLINE.toSeconds(), TimeUnit.SECONDS))
        .as("exits within %s after SIGTERM", STOP_DEADLINE)
        .isTrue();
    assertThat(process.exitValue()).as("exit code; stderr: %s", read(stderr)).isZero();

    List<JsonNode> lines = jsonLines(stdout);
    assertThat(lines).as("every stdout line is a JSON object").allMatch(JsonNode::isObject);
    assertThat(lines)
        .filteredOn(line -> line.path("message").asText().startsWith("meshd stopped"))
        .singleElement()
        .satisfies(line -> {
          assertThat(line.path("reason").asText()).isEqualTo("SIGTERM");
          assertThat(line.path("level").asText()).isEqualTo("INFO");
          assertThat(line.path("@timestamp").asText()).isNotEmpty();
        });
  }

  /** Runs the packaged CLI; returns its stdout, failing with its stderr on a non-zero exit. */
  private String cli(Path launcher, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(launcher.toString()));
    command.addAll(List.of(args));
    Path err = tmp.resolve("cli-stderr.log");
    Process p = new ProcessBuilder(command).directory(tmp.toFile()).redirectError(err.toFile())
        .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(READY_DEADLINE.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", args) + ": " + out + read(err)).isZero();
    return out;
  }

  private static JsonNode awaitLogLine(Path file, Predicate<JsonNode> match, Duration deadline)
      throws Exception {
    long until = System.nanoTime() + deadline.toNanos();
    while (System.nanoTime() < until) {
      Optional<JsonNode> found = jsonLines(file).stream().filter(match).findFirst();
      if (found.isPresent()) {
        return found.get();
      }
      TimeUnit.MILLISECONDS.sleep(50); // polling a file the child writes; nothing to wait on
    }
    throw new AssertionError("no matching log line within " + deadline + ":\n" + read(file));
  }

  private static void awaitStatus(HttpClient http, String url, int status, Duration deadline)
      throws Exception {
    long until = System.nanoTime() + deadline.toNanos();
    int last = -1;
    while (System.nanoTime() < until) {
      try {
        last = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode();
        if (last == status) {
          return;
        }
      } catch (IOException e) {
        last = -1;
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
    throw new AssertionError(url + " answered " + last + ", not " + status + " within " + deadline);
  }

  private static List<JsonNode> jsonLines(Path file) throws IOException {
    List<JsonNode> lines = new ArrayList<>();
    if (!Files.exists(file)) {
      return lines;
    }
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (line.isBlank()) {
        continue;
      }
      try {
        lines.add(JSON.readTree(line));
      } catch (IOException e) {
        lines.add(JSON.getNodeFactory().textNode(line)); // not JSON: fails the allMatch above
      }
    }
    return lines;
  }

  private static String read(Path file) throws IOException {
    return Files.exists(file) ? Files.readString(file) : "";
  }
}
