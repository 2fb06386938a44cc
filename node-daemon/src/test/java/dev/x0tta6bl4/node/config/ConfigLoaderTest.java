package dev.x0tta6bl4.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @TempDir Path dir;

  private static final ConfigLoader NO_ENV = ConfigLoader.forEnvironment(Map.of());

  private Path write(String yaml) throws IOException {
    Path file = dir.resolve("meshd.yaml");
    Files.writeString(file, yaml, StandardCharsets.UTF_8);
    return file;
  }

  private String errorOf(ConfigLoader loader, Path file) {
    try {
      loader.load(file);
    } catch (ConfigException e) {
      assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("\r");
      return e.getMessage();
    }
    throw new AssertionError("expected a ConfigException for " + file);
  }

  @Test
  void loadWithoutFile_noEnvironment_givesDefaults() {
    NodeConfig config = NO_ENV.loadWithoutFile();

    assertThat(config).isEqualTo(NodeConfig.defaults());
    assertThat(config.node().id()).isNull();
    assertThat(config.node().stateDir()).isNull();
    assertThat(config.node().shutdownTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.metrics().bind()).isEqualTo(new HostPort("127.0.0.1", 9464));
    assertThat(config.metrics().maxHeaderSize()).isEqualTo(DataSize.ofKibibytes(8));
    assertThat(config.logging().format()).isEqualTo(LogFormat.JSON);
    assertThat(config.logging().level()).isEqualTo(LogLevel.INFO);
    assertThat(config.logging().levels()).isEmpty();
  }

  @Test
  void load_emptyFile_givesDefaults() throws IOException {
    assertThat(NO_ENV.load(write(""))).isEqualTo(NodeConfig.defaults());
    assertThat(NO_ENV.load(write("# only a comment\n"))).isEqualTo(NodeConfig.defaults());
  }

  @Test
  void load_fullFile_readsEveryKey() throws IOException {
    Path file =
        write(
            """
            node:
              id: edge-1
              state-dir: /var/lib/meshd
              shutdown-timeout: 30s
            metrics:
              bind: "[::1]:0"
              max-header-size: 16KiB
            logging:
              format: TEXT
              level: Debug
              levels:
                io.netty: warn
                dev.x0tta6bl4.node: trace
            """);

    NodeConfig config = NO_ENV.load(file);

    assertThat(config.node())
        .isEqualTo(
            new NodeConfig.Node("edge-1", Path.of("/var/lib/meshd"), Duration.ofSeconds(30)));
    assertThat(config.metrics())
        .isEqualTo(new NodeConfig.Metrics(new HostPort("::1", 0), DataSize.ofKibibytes(16)));
    assertThat(config.logging().format()).isEqualTo(LogFormat.TEXT);
    assertThat(config.logging().level()).isEqualTo(LogLevel.DEBUG);
    assertThat(config.logging().levels())
        .containsExactly(
            Map.entry("dev.x0tta6bl4.node", LogLevel.TRACE), Map.entry("io.netty", LogLevel.WARN));
  }

  @Test
  void load_partialSection_keepsDefaultsOfOtherKeys() throws IOException {
    NodeConfig config = NO_ENV.load(write("metrics:\n  bind: 0.0.0.0:9000\n"));

    assertThat(config.metrics().bind()).isEqualTo(new HostPort("0.0.0.0", 9000));
    assertThat(config.metrics().maxHeaderSize()).isEqualTo(DataSize.ofKibibytes(8));
    assertThat(config.node()).isEqualTo(NodeConfig.Node.defaults());
  }

  @Test
  void load_unknownKey_namesLocationKeyAndAllowedKeys() throws IOException {
    Path file = write("metrics:\n  bind: 127.0.0.1:1\n  bnid: x\n");

    assertThat(errorOf(NO_ENV, file))
        .isEqualTo(file + ":3:3: metrics.bnid: unknown key; allowed: bind, max-header-size");
  }

  @Test
  void load_unknownTopLevelKey_listsSections() throws IOException {
    Path file = write("node:\n  id: a\nmetric:\n  bind: x\n");

    assertThat(errorOf(NO_ENV, file))
        .isEqualTo(
            file + ":3:1: metric: unknown key; allowed: node, metrics, logging, identity, mesh,"
                + " tls, api, tracing, consensus, mapek");
  }

  @Test
  void load_portOutOfRange_pointsAtValue() throws IOException {
    Path file = write("metrics:\n  bind: 127.0.0.1:70000\n");

    assertThat(errorOf(NO_ENV, file))
        .isEqualTo(file + ":2:9: metrics.bind: port 70000 is out of range; allowed: 0..65535");
  }

  @Test
  void load_wrongTypeForSection_saysWhatWasExpected() throws IOException {
    Path file = write("metrics: 5\n");

    assertThat(errorOf(NO_ENV, file))
        .isEqualTo(
            file
                + ":1:10: metrics: wrong type: got a number; allowed: a mapping with keys bind,"
                + " max-header-size");
  }

  @Test
  void load_wrongTypeForLeaf_saysWhatWasExpected() throws IOException {
    Path file = write("node:\n  shutdown-timeout: 10\n");

    assertThat(errorOf(NO_ENV, file))
        .isEqualTo(
            file
                + ":2:21: node.shutdown-timeout: wrong type: expected a duration but got a number;"
                + " allowed: "
                + Durations.ALLOWED);
  }

  @Test
  void load_numberForStringKey_isWrongType() throws IOException {
    Path file = write("node:\n  id: 123\n");

    assertThat(errorOf(NO_ENV, file))
        .startsWith(file + ":2:7: node.id: wrong type: expected a string but got a number");
  }

  @Test
  void load_badEnum_listsAllowedValues() throws IOException {
    Path file = write("logging:\n  level: verbose\n");

    assertThat(errorOf(NO_ENV, file))
        .isEqualTo(
            file
                + ":2:10: logging.level: unknown log level 'verbose'; allowed: trace | debug |"
                + " info | warn | error | off (any case)");
  }

  @Test
  void load_badLevelInMap_namesTheMapEntry() throws IOException {
    Path file = write("logging:\n  levels:\n    io.netty: loud\n");

    assertThat(errorOf(NO_ENV, file))
        .startsWith(file + ":3:15: logging.levels.io.netty: unknown log level 'loud'; allowed:");
  }

  @Test
  void load_badDuration_explainsUnit() throws IOException {
    Path file = write("node:\n  shutdown-timeout: 10 seconds\n");

    assertThat(errorOf(NO_ENV, file))
        .isEqualTo(
            file
                + ":2:21: node.shutdown-timeout: '10 seconds' has unknown unit ' seconds';"
                + " allowed: "
                + Durations.ALLOWED);
  }

  @Test
  void load_durationOutOfRange_givesRange() throws IOException {
    Path file = write("node:\n  shutdown-timeout: 10m\n");

    assertThat(errorOf(NO_ENV, file))
        .isEqualTo(file + ":2:21: node.shutdown-timeout: 10m is out of range; allowed: 1s..5m");
  }

  @Test
  void load_sizeOutOfRange_givesRange() throws IOException {
    Path file = write("metrics:\n  max-header-size: 512B\n");

    assertThat(errorOf(NO_ENV, file))
        .isEqualTo(
            file + ":2:20: metrics.max-header-size: 512B is out of range; allowed: 1KiB..1MiB");
  }

  @Test
  void load_badNodeId_givesPattern() throws IOException {
    Path file = write("node:\n  id: Edge_1\n");

    assertThat(errorOf(NO_ENV, file))
        .isEqualTo(
            file + ":2:7: node.id: 'Edge_1' is not a valid node id; allowed: "
                + NodeConfig.Node.ID_ALLOWED);
  }

  @Test
  void load_nullForRequiredKey_isError() throws IOException {
    Path file = write("metrics:\n  bind: null\n");

    assertThat(errorOf(NO_ENV, file))
        .isEqualTo(file + ":2:9: metrics.bind: is null; allowed: " + HostPort.ALLOWED);
  }

  @Test
  void load_nullSection_isError() throws IOException {
    Path file = write("logging:\n");

    assertThat(errorOf(NO_ENV, file)).startsWith(file + ":1:9: logging: is null; allowed:");
  }

  @Test
  void load_booleanLikeWords_areStrings() throws IOException {
    NodeConfig config = NO_ENV.load(write("logging:\n  level: off\n  levels:\n    a: OFF\n"));

    assertThat(config.logging().level()).isEqualTo(LogLevel.OFF);
    assertThat(config.logging().levels()).containsExactly(Map.entry("a", LogLevel.OFF));
  }

  @Test
  void load_booleanForString_isWrongType() throws IOException {
    Path file = write("node:\n  id: true\n");

    assertThat(errorOf(NO_ENV, file))
        .startsWith(file + ":2:7: node.id: wrong type: expected a string but got a boolean");
  }

  @Test
  void load_listForLeaf_isWrongType() throws IOException {
    Path file = write("metrics:\n  bind: [a, b]\n");

    assertThat(errorOf(NO_ENV, file))
        .startsWith(file + ":2:9: metrics.bind: wrong type: expected host:port but got a list");
  }

  @Test
  void load_nullForOptionalKey_isUnset() throws IOException {
    NodeConfig config = NO_ENV.load(write("node:\n  id: null\n  state-dir: ~\n"));

    assertThat(config.node()).isEqualTo(NodeConfig.Node.defaults());
  }

  @Test
  void load_duplicateKey_isError() throws IOException {
    Path file = write("metrics:\n  bind: 127.0.0.1:1\n  bind: 127.0.0.1:2\n");

    assertThat(errorOf(NO_ENV, file))
        .isEqualTo(file + ":3:3: metrics.bind: duplicate key; allowed: each key once per mapping");
  }

  @Test
  void load_yamlSyntaxError_givesLineAndColumn() throws IOException {
    Path file = write("metrics:\n  bind: 127.0.0.1:1\n   max-header-size: 8KiB\n");

    assertThat(errorOf(NO_ENV, file)).startsWith(file + ":3:19: invalid YAML: ");
  }

  @Test
  void load_unclosedQuote_isSyntaxError() throws IOException {
    Path file = write("node:\n  id: \"abc\n");

    assertThat(errorOf(NO_ENV, file)).startsWith(file + ":").contains(": invalid YAML: ");
  }

  @Test
  void load_listAtTopLevel_isError() throws IOException {
    Path file = write("- a\n- b\n");

    assertThat(errorOf(NO_ENV, file))
        .isEqualTo(
            file + ":1:1: the document is a list; allowed: a mapping with keys node, metrics,"
                + " logging, identity, mesh, tls, api, tracing, consensus, mapek");
  }

  @Test
  void load_twoDocuments_isError() throws IOException {
    Path file = write("node:\n  id: a\n---\nnode:\n  id: b\n");

    assertThat(errorOf(NO_ENV, file)).startsWith(file + ":4:1: a second YAML document");
  }

  @Test
  void load_missingFile_namesFile() {
    Path file = dir.resolve("absent.yaml");

    assertThat(errorOf(NO_ENV, file)).isEqualTo(file + ": file not found");
  }

  @Test
  void load_directory_namesFile() {
    assertThat(errorOf(NO_ENV, dir)).isEqualTo(dir + ": is a directory, not a configuration file");
  }

  @Test
  void load_notUtf8_namesFileAndOffset() throws IOException {
    Path file = dir.resolve("latin1.yaml");
    Files.write(file, "node:\n  id: caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));

    assertThat(errorOf(NO_ENV, file))
        .isEqualTo(file + ": file is not valid UTF-8 (bad byte at offset 15)");
  }

  @Test
  void load_tooLarge_isError() throws IOException {
    Path file = dir.resolve("big.yaml");
    Files.write(file, new byte[YamlSource.MAX_FILE_BYTES + 1]);

    assertThat(errorOf(NO_ENV, file)).startsWith(file + ": file is larger than 1 MiB");
  }

  @Test
  void load_byteOrderMark_isIgnored() throws IOException {
    Path file = write("\uFEFFnode:\n  id: bom\n");

    assertThat(NO_ENV.load(file).node().id()).isEqualTo("bom");
  }

  @Test
  void load_environment_overridesFile() throws IOException {
    Path file = write("metrics:\n  bind: 127.0.0.1:1\nlogging:\n  level: warn\n");
    ConfigLoader loader =
        ConfigLoader.forEnvironment(
            Map.of(
                "MESHD_METRICS_BIND", "[::]:9100",
                "MESHD_NODE_STATE_DIR", "/srv/meshd",
                "MESHD_LOGGING_LEVELS", "io.netty=warn, dev.x0tta6bl4=debug",
                "PATH", "/usr/bin",
                "MESHD_OPTS", "-Xmx64m",
                "MESHD_HOME", "/opt/meshd",
                "MESHD_CONFIG", "/etc/meshd/meshd.yaml"));

    NodeConfig config = loader.load(file);

    assertThat(config.metrics().bind()).isEqualTo(new HostPort("::", 9100));
    assertThat(config.node().stateDir()).isEqualTo(Path.of("/srv/meshd"));
    assertThat(config.logging().level()).isEqualTo(LogLevel.WARN);
    assertThat(config.logging().levels())
        .containsExactly(
            Map.entry("dev.x0tta6bl4", LogLevel.DEBUG), Map.entry("io.netty", LogLevel.WARN));
  }

  @Test
  void load_environmentMap_replacesFileMap() throws IOException {
    Path file = write("logging:\n  levels:\n    a.b: error\n");
    ConfigLoader loader = ConfigLoader.forEnvironment(Map.of("MESHD_LOGGING_LEVELS", "c=off"));

    assertThat(loader.load(file).logging().levels()).containsExactly(Map.entry("c", LogLevel.OFF));
  }

  @Test
  void loadWithoutFile_emptyOptionalEnvironmentValue_unsetsKey() {
    ConfigLoader loader = ConfigLoader.forEnvironment(Map.of("MESHD_NODE_ID", ""));

    assertThat(loader.loadWithoutFile().node().id()).isNull();
  }

  @Test
  void loadWithoutFile_unknownMeshdVariable_namesIt() {
    ConfigLoader loader = ConfigLoader.forEnvironment(Map.of("MESHD_METRICS_BINDD", "x"));

    assertThatThrownBy(loader::loadWithoutFile)
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(
            "environment MESHD_METRICS_BINDD: unknown MESHD_ variable; allowed:")
        .hasMessageContaining("MESHD_METRICS_BIND,")
        .hasMessageEndingWith("(and the launcher's MESHD_CONFIG, MESHD_HOME, MESHD_OPTS)");
  }

  @Test
  void loadWithoutFile_badEnvironmentValue_namesVariableAndKey() {
    ConfigLoader loader =
        ConfigLoader.forEnvironment(Map.of("MESHD_METRICS_BIND", "localhost:99999"));

    assertThatThrownBy(loader::loadWithoutFile)
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "environment MESHD_METRICS_BIND: metrics.bind: port 99999 is out of range;"
                + " allowed: 0..65535");
  }

  @Test
  void load_badEnvironmentValue_isReportedAgainstEnvironmentNotFile() throws IOException {
    Path file = write("logging:\n  level: info\n");
    ConfigLoader loader = ConfigLoader.forEnvironment(Map.of("MESHD_LOGGING_LEVEL", "loud"));

    assertThat(errorOf(loader, file))
        .startsWith("environment MESHD_LOGGING_LEVEL: logging.level: unknown log level 'loud'");
  }

  @Test
  void loadWithoutFile_badEnvironmentMapSyntax_isError() {
    ConfigLoader loader = ConfigLoader.forEnvironment(Map.of("MESHD_LOGGING_LEVELS", "io.netty"));

    assertThatThrownBy(loader::loadWithoutFile)
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "environment MESHD_LOGGING_LEVELS: logging.levels: entry 'io.netty' is not"
                + " name=value; allowed: "
                + EnvironmentValues.MAP_ALLOWED);
  }

  @Test
  void loadWithoutFile_badEnvironmentMapLevel_namesEntry() {
    ConfigLoader loader =
        ConfigLoader.forEnvironment(Map.of("MESHD_LOGGING_LEVELS", "io.netty=noisy"));

    assertThatThrownBy(loader::loadWithoutFile)
        .hasMessageStartingWith(
            "environment MESHD_LOGGING_LEVELS: logging.levels.io.netty: unknown log level");
  }

  // ---- list-valued keys (mesh.seeds) ----

  private static final List<HostPort> TWO_SEEDS =
      List.of(new HostPort("127.0.0.1", 7601), new HostPort("::1", 7602));

  @Test
  void load_seedsFlowList_readsEveryEntry() throws IOException {
    Path file = write("mesh:\n  seeds: [127.0.0.1:7601, \"[::1]:7602\"]\n");

    NodeConfig config = NO_ENV.load(file);

    assertThat(config.mesh().seeds()).isEqualTo(TWO_SEEDS);
    assertThat(config.mesh().bind()).isEqualTo(NodeConfig.Mesh.defaults().bind());
  }

  @Test
  void load_seedsBlockList_readsEveryEntry() throws IOException {
    Path file =
        write(
            """
            mesh:
              seeds:
                - 127.0.0.1:7601
                - "[::1]:7602"
                - seed-3.mesh.example:7603
            """);

    assertThat(NO_ENV.load(file).mesh().seeds())
        .containsExactly(
            new HostPort("127.0.0.1", 7601),
            new HostPort("::1", 7602),
            new HostPort("seed-3.mesh.example", 7603));
  }

  @Test
  void load_emptySeedList_isEmpty() throws IOException {
    assertThat(NO_ENV.load(write("mesh:\n  seeds: []\n")).mesh().seeds()).isEmpty();
  }

  @Test
  void loadWithoutFile_seedsFromEnvironment_areCommaSeparated() {
    ConfigLoader loader =
        ConfigLoader.forEnvironment(Map.of("MESHD_MESH_SEEDS", "127.0.0.1:7601, [::1]:7602"));

    assertThat(loader.loadWithoutFile().mesh().seeds()).isEqualTo(TWO_SEEDS);
  }

  @Test
  void load_emptyEnvironmentSeeds_replaceFileSeedsWithEmptyList() throws IOException {
    Path file = write("mesh:\n  seeds: [127.0.0.1:7601]\n");
    ConfigLoader loader = ConfigLoader.forEnvironment(Map.of("MESHD_MESH_SEEDS", ""));

    assertThat(loader.load(file).mesh().seeds()).isEmpty();
  }

  @Test
  void load_environmentSeeds_replaceFileSeeds() throws IOException {
    Path file = write("mesh:\n  seeds: [127.0.0.1:7601, 127.0.0.1:7602]\n");
    ConfigLoader loader = ConfigLoader.forEnvironment(Map.of("MESHD_MESH_SEEDS", "[::1]:7609"));

    assertThat(loader.load(file).mesh().seeds()).containsExactly(new HostPort("::1", 7609));
  }

  @Test
  void load_badSeedInFlowList_namesElementAndPointsAtList() throws IOException {
    Path file = write("mesh:\n  seeds: [127.0.0.1:7601, 127.0.0.1:70000]\n");

    assertThat(errorOf(NO_ENV, file))
        .isEqualTo(
            file + ":2:10: mesh.seeds.[1]: port 70000 is out of range; allowed: 0..65535");
  }

  @Test
  void load_badSeedInBlockList_namesElementAndPointsAtList() throws IOException {
    Path file =
        write("mesh:\n  seeds:\n    - 127.0.0.1:7601\n    - \"::1:7602\"\n");

    assertThat(errorOf(NO_ENV, file))
        .startsWith(
            file + ":3:5: mesh.seeds.[1]: '::1:7602' has an IPv6 address without brackets;"
                + " allowed: ");
  }

  @Test
  void load_nullSeed_isError() throws IOException {
    Path file = write("mesh:\n  seeds: [127.0.0.1:7601, null]\n");

    assertThat(errorOf(NO_ENV, file))
        .isEqualTo(file + ":2:10: mesh.seeds.[1]: is null; allowed: " + HostPort.ALLOWED);
  }

  @Test
  void load_numberForList_isWrongType() throws IOException {
    Path file = write("mesh:\n  seeds: 7\n");

    assertThat(errorOf(NO_ENV, file))
        .isEqualTo(
            file + ":2:10: mesh.seeds: wrong type: got a number; allowed: a list of: "
                + HostPort.ALLOWED);
  }

  @Test
  void load_stringForList_isWrongType() throws IOException {
    Path file = write("mesh:\n  seeds: 127.0.0.1:7601\n");

    assertThat(errorOf(NO_ENV, file))
        .isEqualTo(
            file + ":2:10: mesh.seeds: wrong type: got a string; allowed: a list of: "
                + HostPort.ALLOWED);
  }

  @Test
  void loadWithoutFile_badSeedInEnvironment_namesVariableAndElement() {
    ConfigLoader loader =
        ConfigLoader.forEnvironment(Map.of("MESHD_MESH_SEEDS", "127.0.0.1:7601,,[::1]:7602"));

    assertThatThrownBy(loader::loadWithoutFile)
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "environment MESHD_MESH_SEEDS: mesh.seeds.[1]: empty host:port; allowed: "
                + HostPort.ALLOWED);
  }

  // ---- mesh ints, ranges and cross-field rules ----

  @Test
  void load_meshSection_readsEveryKey() throws IOException {
    Path file =
        write(
            """
            mesh:
              bind: "[::]:7600"
              advertise: node-1.mesh.example:7600
              seeds: [10.0.0.2:7600]
              min-neighbours: 0
              max-neighbours: 1024
              max-frame-size: 64MiB
              outbound-buffer: 64KiB
              heartbeat-interval: 1s
              reconnect-backoff-min: 10ms
              reconnect-backoff-max: 10m
              hello-timeout: 100ms
              peer-metrics-limit: 1
            mapek:
              mesh:                       # a 1 s heartbeat needs longer silence and loss windows
                unresponsive-after: 5s
                loss-window: 15s
            """);

    NodeConfig.Mesh mesh = NO_ENV.load(file).mesh();

    assertThat(mesh)
        .isEqualTo(
            new NodeConfig.Mesh(
                new HostPort("::", 7600),
                new HostPort("node-1.mesh.example", 7600),
                List.of(new HostPort("10.0.0.2", 7600)),
                0,
                1024,
                DataSize.ofMebibytes(64),
                DataSize.ofKibibytes(64),
                Duration.ofSeconds(1),
                Duration.ofMillis(10),
                Duration.ofMinutes(10),
                Duration.ofMillis(100),
                1));
    assertThat(mesh.advertisedAddress()).isEqualTo(new HostPort("node-1.mesh.example", 7600));
  }

  @Test
  void load_minNeighboursAboveRange_givesRange() throws IOException {
    Path file = write("mesh:\n  min-neighbours: 65\n");

    assertThat(errorOf(NO_ENV, file))
        .isEqualTo(file + ":2:19: mesh.min-neighbours: 65 is out of range; allowed: 0..64");
  }

  @Test
  void load_fractionForInt_isWrongType() throws IOException {
    Path file = write("mesh:\n  peer-metrics-limit: 1.5\n");

    assertThat(errorOf(NO_ENV, file))
        .startsWith(file + ":2:23: mesh.peer-metrics-limit: ")
        .endsWith("; allowed: a whole number");
  }

  @Test
  void load_intBeyondIntRange_isError() throws IOException {
    Path file = write("mesh:\n  peer-metrics-limit: 99999999999\n");

    assertThat(errorOf(NO_ENV, file)).startsWith(file + ":2:23: mesh.peer-metrics-limit: ");
  }

  @Test
  void load_maxNeighboursBelowMin_namesBothKeys() throws IOException {
    Path file = write("mesh:\n  min-neighbours: 8\n  max-neighbours: 4\n");

    assertThat(errorOf(NO_ENV, file))
        .isEqualTo(
            file + ":3:19: mesh.max-neighbours: 4 is below mesh.min-neighbours 8; allowed: at"
                + " least mesh.min-neighbours");
  }

  @Test
  void load_minNeighboursAboveDefaultMax_namesDefaultMax() throws IOException {
    Path file = write("mesh:\n  min-neighbours: 20\n");

    // max-neighbours is not in the file, so the location is that of the mesh section.
    assertThat(errorOf(NO_ENV, file))
        .isEqualTo(
            file + ":2:3: mesh.max-neighbours: 16 is below mesh.min-neighbours 20; allowed: at"
                + " least mesh.min-neighbours");
  }

  @Test
  void load_backoffMaxBelowMin_namesBothValues() throws IOException {
    Path file = write("mesh:\n  reconnect-backoff-min: 5s\n  reconnect-backoff-max: 1s\n");

    assertThat(errorOf(NO_ENV, file))
        .isEqualTo(
            file + ":3:26: mesh.reconnect-backoff-max: 1s is below mesh.reconnect-backoff-min"
                + " 5s; allowed: at least mesh.reconnect-backoff-min");
  }

  @Test
  void loadWithoutFile_intFromEnvironment_isRead() {
    ConfigLoader loader =
        ConfigLoader.forEnvironment(
            Map.of("MESHD_MESH_MIN_NEIGHBOURS", "5", "MESHD_MESH_MAX_NEIGHBOURS", "5"));

    NodeConfig.Mesh mesh = loader.loadWithoutFile().mesh();

    assertThat(mesh.minNeighbours()).isEqualTo(5);
    assertThat(mesh.maxNeighbours()).isEqualTo(5);
  }

  @Test
  void loadWithoutFile_wordForIntInEnvironment_isWrongType() {
    ConfigLoader loader = ConfigLoader.forEnvironment(Map.of("MESHD_MESH_MIN_NEIGHBOURS", "five"));

    assertThatThrownBy(loader::loadWithoutFile)
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "environment MESHD_MESH_MIN_NEIGHBOURS: mesh.min-neighbours: wrong type: got a"
                + " string; allowed: a whole number");
  }

  // ---- tls: enum and booleans ----

  @Test
  void load_tlsSection_readsEveryKey() throws IOException {
    Path file =
        write(
            """
            tls:
              key-exchange: MLKEM768
              allow-classical: true
              ml-dsa-signatures: true
            """);

    assertThat(NO_ENV.load(file).tls())
        .isEqualTo(new NodeConfig.Tls(NodeConfig.KeyExchange.MLKEM768, true, true));
  }

  @Test
  void load_unknownKeyExchange_listsAllowedValues() throws IOException {
    Path file = write("tls:\n  key-exchange: rsa\n");

    assertThat(errorOf(NO_ENV, file))
        .isEqualTo(
            file + ":2:17: tls.key-exchange: 'rsa' is not one of the allowed values; allowed:"
                + " hybrid | mlkem768");
  }

  @Test
  void load_yesForBoolean_isWrongType() throws IOException {
    Path file = write("tls:\n  allow-classical: yes\n");

    assertThat(errorOf(NO_ENV, file))
        .isEqualTo(
            file + ":2:20: tls.allow-classical: wrong type: got a string; allowed: true | false");
  }

  @Test
  void load_quotedTrueForBoolean_isWrongType() throws IOException {
    Path file = write("tls:\n  allow-classical: \"true\"\n");

    assertThat(errorOf(NO_ENV, file))
        .isEqualTo(
            file + ":2:20: tls.allow-classical: wrong type: got a string; allowed: true | false");
  }

  @Test
  void load_nullForBoolean_isError() throws IOException {
    Path file = write("tls:\n  allow-classical: null\n");

    assertThat(errorOf(NO_ENV, file)).startsWith(file + ":2:20: tls.allow-classical: ");
  }

  @Test
  void loadWithoutFile_booleanAndEnumFromEnvironment_areRead() {
    ConfigLoader loader =
        ConfigLoader.forEnvironment(
            Map.of(
                "MESHD_TLS_ALLOW_CLASSICAL", "true",
                "MESHD_TLS_KEY_EXCHANGE", "MlKem768",
                "MESHD_TLS_ML_DSA_SIGNATURES", "false"));

    assertThat(loader.loadWithoutFile().tls())
        .isEqualTo(new NodeConfig.Tls(NodeConfig.KeyExchange.MLKEM768, true, false));
  }

  @Test
  void load_environmentBoolean_overridesFile() throws IOException {
    Path file = write("tls:\n  allow-classical: true\n");
    ConfigLoader loader =
        ConfigLoader.forEnvironment(Map.of("MESHD_TLS_ALLOW_CLASSICAL", "false"));

    assertThat(loader.load(file).tls().allowClassical()).isFalse();
  }

  @Test
  void loadWithoutFile_yesForBooleanInEnvironment_isWrongType() {
    ConfigLoader loader = ConfigLoader.forEnvironment(Map.of("MESHD_TLS_ALLOW_CLASSICAL", "yes"));

    assertThatThrownBy(loader::loadWithoutFile)
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "environment MESHD_TLS_ALLOW_CLASSICAL: tls.allow-classical: wrong type: got a"
                + " string; allowed: true | false");
  }

  @Test
  void loadWithoutFile_emptyBooleanInEnvironment_isError() {
    ConfigLoader loader = ConfigLoader.forEnvironment(Map.of("MESHD_TLS_ALLOW_CLASSICAL", ""));

    assertThatThrownBy(loader::loadWithoutFile)
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("environment MESHD_TLS_ALLOW_CLASSICAL: tls.allow-classical: ");
  }

  @Test
  void toYaml_roundTripsThroughLoad() throws IOException {
    NodeConfig config =
        new NodeConfig(
            new NodeConfig.Node("null", Path.of("/var/lib/x y"), Duration.ofMillis(1500)),
            new NodeConfig.Metrics(new HostPort("::1", 0), DataSize.ofBytes(2000)),
            new NodeConfig.Logging(
                LogFormat.TEXT,
                LogLevel.OFF,
                Map.of("io.netty", LogLevel.ERROR, "a", LogLevel.TRACE)),
            new NodeConfig.Identity(
                "example.org",
                NodeConfig.IdentitySourceKind.FILES,
                Path.of("/etc/meshd/id"),
                null,
                dev.x0tta6bl4.pqc.SignatureAlgorithm.ML_DSA_65,
                Duration.ofHours(2),
                Duration.ofSeconds(5)),
            new NodeConfig.Mesh(
                new HostPort("::", 0),
                new HostPort("mesh.example.org", 7700),
                List.of(new HostPort("127.0.0.1", 7601), new HostPort("::1", 7602)),
                0,
                1,
                DataSize.ofKibibytes(4),
                DataSize.ofMebibytes(256),
                Duration.ofMillis(50),
                Duration.ofSeconds(10),
                Duration.ofSeconds(10),
                Duration.ofMinutes(1),
                10_000),
            new NodeConfig.Tls(NodeConfig.KeyExchange.MLKEM768, true, true),
            new NodeConfig.Api(new HostPort("::1", 0), DataSize.ofMebibytes(2),
                DataSize.ofKibibytes(16), Duration.ofMillis(1500), 3, 7),
            new NodeConfig.Tracing(true, "https://otel.example.org:4318/v1/traces", 0.25,
                Map.of("authorization", "Bearer abc"), Duration.ofSeconds(3), "meshd edge"),
            new NodeConfig.Consensus(false, new HostPort("::1", 7611),
                List.of(VoterAddress.parse("a@[::1]:7611"), VoterAddress.parse("null@true:7612"),
                    VoterAddress.parse("b-2@10.0.0.3:7613")),
                false, Duration.ofMillis(60), Duration.ofSeconds(2), false, Duration.ofSeconds(3), 7,
                Duration.ofHours(2), 5, DataSize.ofKibibytes(64), DataSize.ofBytes(100),
                DataSize.ofBytes(0), Path.of("/var/lib/raft x")),
            new NodeConfig.Mapek(NodeConfig.MapekMode.ADVISE, Duration.ofMillis(100), 2, 7,
                Duration.ofSeconds(30), 5, 3, 0, DataSize.ofKibibytes(64), 2,
                Path.of("/var/lib/mapek x")));

    String yaml = ConfigLoader.toYaml(config);

    assertThat(NO_ENV.load(write(yaml))).isEqualTo(config);
    assertThat(NO_ENV.load(write(ConfigLoader.toYaml(NodeConfig.defaults()))))
        .isEqualTo(NodeConfig.defaults());
  }

  @Test
  void load_unknownEnumValue_listsAllowedKebabNames() throws IOException {
    Path file = write("identity:\n  algorithm: rsa\n");

    assertThat(errorOf(NO_ENV, file))
        .isEqualTo(
            file + ":2:14: identity.algorithm: 'rsa' is not one of the allowed values;"
                + " allowed: ed25519 | ml-dsa-65 | ecdsa-p256");
  }

  @Test
  void load_badTrustDomain_namesKeyAndRule() throws IOException {
    Path file = write("identity:\n  trust-domain: Mesh.Local\n");

    assertThat(errorOf(NO_ENV, file))
        .startsWith(file + ":2:17: identity.trust-domain: ")
        .contains("Mesh.Local");
  }

  @Test
  void toYaml_defaults_printsHumanValues() {
    assertThat(ConfigLoader.toYaml(NodeConfig.defaults()))
        .isEqualTo(
            """
            node:
              id: null
              state-dir: null
              shutdown-timeout: 10s
            metrics:
              bind: 127.0.0.1:9464
              max-header-size: 8KiB
            logging:
              format: json
              level: info
              levels: {}
            identity:
              trust-domain: meshd.local
              source: mesh-ca
              dir: null
              ca-dir: null
              algorithm: ed25519
              svid-lifetime: 1d
              reload-interval: 30s
            mesh:
              bind: 127.0.0.1:7600
              advertise: null
              seeds: []
              min-neighbours: 3
              max-neighbours: 16
              max-frame-size: 1MiB
              outbound-buffer: 4MiB
              heartbeat-interval: 100ms
              reconnect-backoff-min: 100ms
              reconnect-backoff-max: 10s
              hello-timeout: 5s
              peer-metrics-limit: 64
            tls:
              key-exchange: hybrid
              allow-classical: false
              ml-dsa-signatures: false
            api:
              bind: 127.0.0.1:7680
              max-body-size: 256KiB
              max-header-size: 8KiB
              max-wait: 30s
              max-subscribers: 64
              subscriber-buffer: 1024
              send-rate-limit: null
              send-burst: 100ms
            tracing:
              enabled: false
              endpoint: null
              sample-ratio: 1.0
              headers: {}
              export-timeout: 10s
              service-name: meshd
            consensus:
              enabled: true
              bind: 127.0.0.1:7601
              voters: []
              join: false
              election-timeout-min: 150ms
              election-timeout-max: 300ms
              fast-failover: true
              request-timeout: 10s
              snapshot-threshold: 10000
              snapshot-interval: 10m
              snapshot-retention: 3
              log-segment-size: 1MiB
              max-value-size: 1MiB
              min-free-space: 64MiB
              storage-dir: null
            mapek:
              mode: auto
              tick-interval: 250ms
              max-concurrent-actions: 4
              rate-limit: 20
              rate-window: 1m
              max-attempts: 3
              clear-ticks: 2
              recent-incidents: 100
              journal-segment-size: 4MiB
              journal-max-segments: 8
              journal-dir: null
              mesh:
                unresponsive-after: 500ms
                loss-window: 3s
                min-loss-samples: 10
                degraded-loss-enter: 0.2
                degraded-loss-exit: 0.05
                degraded-rtt-enter: 250ms
                degraded-rtt-exit: 100ms
                cost-factor: 10.0
                restore-after: 10s
                drop-hold-down: 1s
                signature-failures: 1
                signature-window: 10s
                quarantine-period: 1m
                clock-skew-enter: 1s
                clock-skew-exit: 500ms
                isolated-after: 2s
                replace-below: 2
              raft:
                no-leader-grace: 3s
                follower-lag-max: 1000
                apply-backlog-max: 10000
                confirm-ticks: 2
                transfer-timeout: 10s
                snapshot-timeout: 30s
                rebuild-timeout: 30s
                cooldown: 30s
                verify-window: 5s
                voter-affecting-actions:
                - transfer-leadership
                - rebuild-raft
                - quarantine-peer
              node:
                disk-min-free: 256MiB
                raft-log-max: 0B
                heap-max-ratio: 0.9
                heap-clear-ratio: 0.8
                gc-pause-max-ratio: 0.25
                gc-window: 10s
                cert-renew-before: 2h
                confirm-ticks: 2
                cooldown: 1m
                verify-window: 5s
              load:
                window: 500ms
                latency-high: 250ms
                latency-low: 100ms
                inflight-high: 4096
                inflight-low: 1024
                min-samples: 10
                enter-ticks: 2
                exit-ticks: 1
                shed-factor: 0.25
                min-rate: 10.0
                restore-step: 1.5
                restore-slack: 0.8
                restore-hold: 2s
                shed-cooldown: 1s
                shed-verify-window: 6s
                restore-verify-window: 1s
            """);
  }

  @Test
  void keyPathsAndEnvNames_coverSchema() {
    assertThat(ConfigLoader.keyPaths())
        .containsExactly(
            "node.id",
            "node.state-dir",
            "node.shutdown-timeout",
            "metrics.bind",
            "metrics.max-header-size",
            "logging.format",
            "logging.level",
            "logging.levels",
            "identity.trust-domain",
            "identity.source",
            "identity.dir",
            "identity.ca-dir",
            "identity.algorithm",
            "identity.svid-lifetime",
            "identity.reload-interval",
            "mesh.bind",
            "mesh.advertise",
            "mesh.seeds",
            "mesh.min-neighbours",
            "mesh.max-neighbours",
            "mesh.max-frame-size",
            "mesh.outbound-buffer",
            "mesh.heartbeat-interval",
            "mesh.reconnect-backoff-min",
            "mesh.reconnect-backoff-max",
            "mesh.hello-timeout",
            "mesh.peer-metrics-limit",
            "tls.key-exchange",
            "tls.allow-classical",
            "tls.ml-dsa-signatures",
            "api.bind",
            "api.max-body-size",
            "api.max-header-size",
            "api.max-wait",
            "api.max-subscribers",
            "api.subscriber-buffer",
            "api.send-rate-limit",
            "api.send-burst",
            "tracing.enabled",
            "tracing.endpoint",
            "tracing.sample-ratio",
            "tracing.headers",
            "tracing.export-timeout",
            "tracing.service-name",
            "consensus.enabled",
            "consensus.bind",
            "consensus.voters",
            "consensus.join",
            "consensus.election-timeout-min",
            "consensus.election-timeout-max",
            "consensus.fast-failover",
            "consensus.request-timeout",
            "consensus.snapshot-threshold",
            "consensus.snapshot-interval",
            "consensus.snapshot-retention",
            "consensus.log-segment-size",
            "consensus.max-value-size",
            "consensus.min-free-space",
            "consensus.storage-dir",
            "mapek.mode",
            "mapek.tick-interval",
            "mapek.max-concurrent-actions",
            "mapek.rate-limit",
            "mapek.rate-window",
            "mapek.max-attempts",
            "mapek.clear-ticks",
            "mapek.recent-incidents",
            "mapek.journal-segment-size",
            "mapek.journal-max-segments",
            "mapek.journal-dir",
            "mapek.mesh.unresponsive-after",
            "mapek.mesh.loss-window",
            "mapek.mesh.min-loss-samples",
            "mapek.mesh.degraded-loss-enter",
            "mapek.mesh.degraded-loss-exit",
            "mapek.mesh.degraded-rtt-enter",
            "mapek.mesh.degraded-rtt-exit",
            "mapek.mesh.cost-factor",
            "mapek.mesh.restore-after",
            "mapek.mesh.drop-hold-down",
            "mapek.mesh.signature-failures",
            "mapek.mesh.signature-window",
            "mapek.mesh.quarantine-period",
            "mapek.mesh.clock-skew-enter",
            "mapek.mesh.clock-skew-exit",
            "mapek.mesh.isolated-after",
            "mapek.mesh.replace-below",
            "mapek.raft.no-leader-grace",
            "mapek.raft.follower-lag-max",
            "mapek.raft.apply-backlog-max",
            "mapek.raft.confirm-ticks",
            "mapek.raft.transfer-timeout",
            "mapek.raft.snapshot-timeout",
            "mapek.raft.rebuild-timeout",
            "mapek.raft.cooldown",
            "mapek.raft.verify-window",
            "mapek.raft.voter-affecting-actions",
            "mapek.node.disk-min-free",
            "mapek.node.raft-log-max",
            "mapek.node.heap-max-ratio",
            "mapek.node.heap-clear-ratio",
            "mapek.node.gc-pause-max-ratio",
            "mapek.node.gc-window",
            "mapek.node.cert-renew-before",
            "mapek.node.confirm-ticks",
            "mapek.node.cooldown",
            "mapek.node.verify-window",
            "mapek.load.window",
            "mapek.load.latency-high",
            "mapek.load.latency-low",
            "mapek.load.inflight-high",
            "mapek.load.inflight-low",
            "mapek.load.min-samples",
            "mapek.load.enter-ticks",
            "mapek.load.exit-ticks",
            "mapek.load.shed-factor",
            "mapek.load.min-rate",
            "mapek.load.restore-step",
            "mapek.load.restore-slack",
            "mapek.load.restore-hold",
            "mapek.load.shed-cooldown",
            "mapek.load.shed-verify-window",
            "mapek.load.restore-verify-window");
    assertThat(ConfigLoader.envName("mesh.seeds")).isEqualTo("MESHD_MESH_SEEDS");
    assertThat(ConfigLoader.envName("tls.ml-dsa-signatures"))
        .isEqualTo("MESHD_TLS_ML_DSA_SIGNATURES");
    assertThat(ConfigLoader.envName("node.state-dir")).isEqualTo("MESHD_NODE_STATE_DIR");
    assertThatThrownBy(() -> ConfigLoader.envName("node")).isInstanceOf(ConfigException.class);
  }
}
