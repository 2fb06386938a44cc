package dev.x0tta6bl4.node.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import dev.x0tta6bl4.pqc.SignatureAlgorithm;
import java.time.Duration;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Printing any valid configuration and loading it back gives the same configuration. */
class ConfigRoundTripTest {
  private static final ConfigLoader NO_ENV = ConfigLoader.forEnvironment(Map.of());

  @Property(tries = 300)
  void loadText_ofToYaml_isIdentity(@ForAll("configs") NodeConfig config) {
    String yaml = ConfigLoader.toYaml(config);

    assertThat(NO_ENV.loadText(yaml, "printed.yaml")).as(yaml).isEqualTo(config);
  }

  @Provide
  Arbitrary<NodeConfig> configs() {
    // Ids that YAML could read as numbers, booleans or null if printed without quotes.
    Arbitrary<String> tricky =
        Arbitraries.of(
            "null", "true", "false", "yes", "no", "on", "off", "y", "n", "123", "1e3", "1.5",
            "0x1f", "0o17", "1_000", "0b101", "nan", "inf", "1.0", "12e-3", "0", "1e-3");
    Arbitrary<String> generated =
        Arbitraries.strings().withChars("abz09._-").ofMinLength(1).ofMaxLength(63)
            .filter(s -> NodeConfig.Node.ID_PATTERN.matcher(s).matches());
    Arbitrary<String> id = Arbitraries.oneOf(tricky, generated).injectNull(0.2);
    Arbitrary<Path> stateDir =
        Arbitraries.of(Path.of("/var/lib/meshd"), Path.of("data dir/x"), Path.of("123"),
                Path.of("null"), Path.of("#x"), Path.of("a: b"))
            .injectNull(0.3);
    Arbitrary<NodeConfig.Node> node =
        Combinators.combine(
                id, stateDir, Arbitraries.longs().between(1_000, 300_000).map(Duration::ofMillis))
            .as(NodeConfig.Node::new);
    Arbitrary<NodeConfig.Metrics> metrics =
        Combinators.combine(
                Arbitraries.of("127.0.0.1", "::1", "::", "localhost", "0.0.0.0"),
                Arbitraries.integers().between(0, 65535),
                Arbitraries.longs().between(1024, 1 << 20))
            .as((h, p, b) -> new NodeConfig.Metrics(new HostPort(h, p), DataSize.ofBytes(b)));
    Arbitrary<Map<String, LogLevel>> levels =
        Arbitraries.maps(
                Arbitraries.of("io.netty", "a", "123", "true", "null", "x:y", "#c", "ä.ö", "[x]"),
                Arbitraries.of(LogLevel.class))
            .ofMaxSize(4);
    Arbitrary<NodeConfig.Logging> logging =
        Combinators.combine(
                Arbitraries.of(LogFormat.class), Arbitraries.of(LogLevel.class), levels)
            .as(NodeConfig.Logging::new);
    Arbitrary<NodeConfig.Identity> identity =
        Combinators.combine(
                Arbitraries.of("meshd.local", "example.org", "a-b_c.d"),
                Arbitraries.of(NodeConfig.IdentitySourceKind.class),
                stateDir,
                stateDir,
                Arbitraries.of(SignatureAlgorithm.class),
                Arbitraries.longs().between(600, 30L * 24 * 3600).map(Duration::ofSeconds),
                Arbitraries.longs().between(1, 3600).map(Duration::ofSeconds))
            .as(NodeConfig.Identity::new);
    return Combinators.combine(node, metrics, logging, identity).as(NodeConfig::new);
  }
}
