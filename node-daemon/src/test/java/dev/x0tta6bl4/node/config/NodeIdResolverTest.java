package dev.x0tta6bl4.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NodeIdResolverTest {
  private static final long SEED = 42L;

  @TempDir Path stateDir;

  private static NodeIdResolver resolver(Supplier<String> hostName) {
    return new NodeIdResolver(hostName, new Random(SEED));
  }

  private static NodeConfig.Node node(String id) {
    return new NodeConfig.Node(id, null, Duration.ofSeconds(10));
  }

  private Path idFile() {
    return stateDir.resolve(NodeIdResolver.FILE_NAME);
  }

  @Test
  void resolve_configuredId_isUsedAndNotPersisted() {
    String id = resolver(() -> "host").resolve(node("fixed-1"), stateDir);

    assertThat(id).isEqualTo("fixed-1");
    assertThat(idFile()).doesNotExist();
  }

  @Test
  void resolve_noIdAnywhere_derivesFromHostNameAndPersists() throws IOException {
    String id = resolver(() -> "Build_Host.Example.COM").resolve(node(null), stateDir);

    assertThat(id).isEqualTo("build_host.example.com");
    assertThat(Files.readString(idFile())).isEqualTo("build_host.example.com\n");
    try (Stream<Path> files = Files.list(stateDir)) {
      assertThat(files).containsExactly(idFile());
    }
  }

  @Test
  void resolve_persistedId_staysStableWhenHostIsRenamed() {
    String first = resolver(() -> "alpha").resolve(node(null), stateDir);
    String second = resolver(() -> "beta").resolve(node(null), stateDir);

    assertThat(first).isEqualTo("alpha");
    assertThat(second).isEqualTo("alpha");
  }

  @Test
  void resolve_persistedId_isReadWithoutAskingForHostName() throws IOException {
    Files.writeString(idFile(), "  stored-7 \n");
    AtomicInteger calls = new AtomicInteger();

    String id =
        resolver(
                () -> {
                  calls.incrementAndGet();
                  return "host";
                })
            .resolve(node(null), stateDir);

    assertThat(id).isEqualTo("stored-7");
    assertThat(calls).hasValue(0);
  }

  @Test
  void resolve_invalidPersistedId_isErrorNamingFile() throws IOException {
    Files.writeString(idFile(), "Not Valid!\n");

    assertThatThrownBy(() -> resolver(() -> "host").resolve(node(null), stateDir))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(idFile() + ": persisted node id 'Not Valid!' is not valid;");
  }

  @Test
  void resolve_emptyPersistedId_isError() throws IOException {
    Files.writeString(idFile(), "");

    assertThatThrownBy(() -> resolver(() -> "host").resolve(node(null), stateDir))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("persisted node id '' is not valid");
  }

  @Test
  void resolve_unusableHostName_usesSeededRandomHexAndPersists() throws IOException {
    String id = resolver(() -> "___").resolve(node(null), stateDir);

    byte[] expected = new byte[4];
    new Random(SEED).nextBytes(expected);
    assertThat(id).matches("node-[0-9a-f]{8}")
        .isEqualTo("node-" + java.util.HexFormat.of().formatHex(expected));
    assertThat(Files.readString(idFile())).isEqualTo(id + "\n");
  }

  @Test
  void resolve_hostNameSupplierFails_usesRandomId() {
    String id =
        resolver(
                () -> {
                  throw new IllegalStateException("no host name");
                })
            .resolve(node(null), stateDir);

    assertThat(id).matches("node-[0-9a-f]{8}");
  }

  @Test
  void resolve_nullHostName_usesRandomId() {
    assertThat(resolver(() -> null).resolve(node(null), stateDir)).matches("node-[0-9a-f]{8}");
  }

  @ParameterizedTest
  @CsvSource({
    "myhost, myhost",
    "MyHost, myhost",
    "my host, my-host",
    "-_.edge.1.-, edge.1",
    "host.local., host.local",
    "ünïcode, n-code",
    "a@b#c, a-b-c"
  })
  void fromHostName_normalizes(String hostName, String expected) {
    assertThat(NodeIdResolver.fromHostName(hostName)).contains(expected);
  }

  @Test
  void fromHostName_long_isTrimmedToSixtyThreeCharacters() {
    String longName = "a".repeat(62) + "-" + "b".repeat(10);

    assertThat(NodeIdResolver.fromHostName(longName)).contains("a".repeat(62));
  }

  @Test
  void fromHostName_nothingValid_isEmpty() {
    assertThat(NodeIdResolver.fromHostName("---")).isEmpty();
    assertThat(NodeIdResolver.fromHostName("")).isEmpty();
    assertThat(NodeIdResolver.fromHostName(null)).isEmpty();
  }
}
