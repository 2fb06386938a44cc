package dev.x0tta6bl4.node.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/configuration.md documents every key the schema has, and its example loads. */
class ConfigurationDocsTest {
  // Surefire runs in the module directory; the docs live at the repository root.
  private static final Path DOCS = Path.of("..", "docs", "configuration.md");

  private static String docs() throws IOException {
    return Files.readString(DOCS, StandardCharsets.UTF_8);
  }

  @Test
  void docs_everySchemaKey_hasTableRowWithEnvironmentName() throws IOException {
    String docs = docs();

    for (String key : ConfigLoader.keyPaths()) {
      Pattern row =
          Pattern.compile(
              "^\\| `" + Pattern.quote(key) + "` \\|.*\\| `"
                  + Pattern.quote(ConfigLoader.envName(key)) + "` \\|$",
              Pattern.MULTILINE);
      assertThat(row.matcher(docs).find())
          .as("docs/configuration.md has a table row for %s ending with its variable %s",
              key, ConfigLoader.envName(key))
          .isTrue();
    }
  }

  @Test
  void docs_tableRows_nameOnlySchemaKeys() throws IOException {
    Matcher m = Pattern.compile("^\\| `([a-z.-]+)` \\|", Pattern.MULTILINE).matcher(docs());
    List<String> keys = ConfigLoader.keyPaths();
    int rows = 0;
    while (m.find()) {
      assertThat(keys).as("documented key %s exists", m.group(1)).contains(m.group(1));
      rows++;
    }
    assertThat(rows).isEqualTo(keys.size());
  }

  @Test
  void docs_defaultColumn_readsAsEachKeysDefault() throws IOException {
    // Third column of each row: the key set to that value alone must load as the defaults.
    Matcher m = Pattern.compile("^\\| `([a-z.-]+)` \\| [^|]* \\| `([^`]*)` \\|",
        Pattern.MULTILINE).matcher(docs());
    ConfigLoader loader = ConfigLoader.forEnvironment(Map.of());
    int rows = 0;
    while (m.find()) {
      String[] path = m.group(1).split("\\.");
      StringBuilder yaml = new StringBuilder();
      for (int i = 0; i < path.length; i++) {
        yaml.append("  ".repeat(i)).append(path[i]).append(':')
            .append(i == path.length - 1 ? " " + m.group(2) : "").append('\n');
      }
      assertThat(loader.loadText(yaml.toString(), "docs"))
          .as("documented default of %s: %s", m.group(1), m.group(2))
          .isEqualTo(NodeConfig.defaults());
      rows++;
    }
    assertThat(rows).isEqualTo(ConfigLoader.keyPaths().size());
  }

  @Test
  void docs_exampleFile_loads() throws IOException {
    Matcher m = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL).matcher(docs());
    assertThat(m.find()).as("docs contain a yaml example").isTrue();

    NodeConfig config = ConfigLoader.forEnvironment(Map.of()).loadText(m.group(1), "example");

    assertThat(config.node().id()).isEqualTo("edge-1");
    assertThat(config.metrics().bind()).isEqualTo(new HostPort("::", 9464));
    assertThat(config.mesh().seeds())
        .containsExactly(new HostPort("10.0.0.2", 7600), new HostPort("fd00::3", 7600));
    assertThat(config.mesh().advertisedAddress())
        .isEqualTo(new HostPort("edge-1.mesh.example.org", 7600));
    assertThat(config.tls().keyExchange()).isEqualTo(NodeConfig.KeyExchange.HYBRID);
    assertThat(config.api().maxSubscribers()).isEqualTo(16);
    assertThat(config.tracing().enabled()).isTrue();
    assertThat(config.tracing().sampleRatio()).isEqualTo(0.1);
    assertThat(config.mapek().mesh().quarantinePeriod()).isEqualTo(Duration.ofMinutes(10));
    assertThat(config.mapek().load().shedFactor()).isEqualTo(0.5);
  }
}
