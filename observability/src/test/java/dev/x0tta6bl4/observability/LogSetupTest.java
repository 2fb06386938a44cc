package dev.x0tta6bl4.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

class LogSetupTest {
  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
  private PrintStream originalOut;

  @BeforeEach
  void captureStdout() {
    originalOut = System.out;
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restore() {
    System.setOut(originalOut);
    MDC.clear();
    LogSetup.configure(LogFormat.TEXT, "INFO", Map.of());
  }

  private List<String> lines() {
    System.out.flush();
    return captured.toString(StandardCharsets.UTF_8).lines().toList();
  }

  @Test
  void configure_rootQuieterThanTheLibraryDefaults_librariesAreNoLouderThanRoot() {
    LogSetup.configure(LogFormat.TEXT, "OFF", Map.of());

    LoggerFactory.getLogger("org.bouncycastle.jsse.provider.Test").warn("cipher chatter");
    LoggerFactory.getLogger("io.netty.Test").warn("pool chatter");

    assertThat(lines()).isEmpty();
  }

  @Test
  void configure_rootInfo_librariesStayAtWarn() {
    LogSetup.configure(LogFormat.TEXT, "INFO", Map.of());

    LoggerFactory.getLogger("org.bouncycastle.jsse.provider.Test").info("accepted connection");
    LoggerFactory.getLogger("org.bouncycastle.jsse.provider.Test").warn("odd entry");

    assertThat(lines()).hasSize(1).allMatch(l -> l.contains("odd entry"));
  }

  @Test
  void configure_json_writesOneJsonObjectPerLineWithMdcAndStackTrace() throws Exception {
    LogSetup.configure(LogFormat.JSON, "INFO", Map.of());
    Logger log = LoggerFactory.getLogger("dev.x0tta6bl4.node.Test");

    MDC.put("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736");
    log.error("link to {} lost", "n2", new IllegalStateException("peer reset"));

    List<String> lines = lines();
    assertThat(lines).hasSize(1);
    JsonNode json = new ObjectMapper().readTree(lines.get(0));
    assertThat(json.get("message").asText()).isEqualTo("link to n2 lost");
    assertThat(json.get("level").asText()).isEqualTo("ERROR");
    assertThat(json.get("logger_name").asText()).isEqualTo("dev.x0tta6bl4.node.Test");
    assertThat(json.get("thread_name").asText()).isEqualTo(Thread.currentThread().getName());
    assertThat(json.get("trace_id").asText()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(json.get("stack_trace").asText())
        .startsWith("java.lang.IllegalStateException: peer reset")
        .contains("at dev.x0tta6bl4.observability.LogSetupTest");
    assertThat(OffsetDateTime.parse(json.get("@timestamp").asText())).isNotNull();
    assertThat(json.has("level_value")).isFalse();
  }

  @Test
  void configure_levels_rootAndPerLoggerApplied() {
    LogSetup.configure(LogFormat.JSON, "warn", Map.of("dev.x0tta6bl4.chatty", "DEBUG"));

    LoggerFactory.getLogger("dev.x0tta6bl4.quiet").info("dropped");
    LoggerFactory.getLogger("dev.x0tta6bl4.quiet").warn("kept warn");
    LoggerFactory.getLogger("dev.x0tta6bl4.chatty.Sub").debug("kept debug");

    assertThat(lines()).hasSize(2)
        .anyMatch(l -> l.contains("\"kept warn\""))
        .anyMatch(l -> l.contains("\"kept debug\""));
  }

  @Test
  void configure_text_writesReadableLine() {
    LogSetup.configure(LogFormat.TEXT, "INFO", Map.of());
    MDC.put("peer", "n3");

    LoggerFactory.getLogger("dev.x0tta6bl4.node.Test").info("hello people");

    List<String> lines = lines();
    assertThat(lines).hasSize(1);
    assertThat(lines.get(0))
        .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\S+ INFO .*")
        .contains("[" + Thread.currentThread().getName() + "]")
        .contains("peer=n3")
        .endsWith(" - hello people")
        .doesNotStartWith("{");
  }

  @Test
  void configure_invalidLoggerLevel_throwsNamingLoggerAndAllowedLevels() {
    LogSetup.configure(LogFormat.JSON, "INFO", Map.of());

    assertThatThrownBy(() -> LogSetup.configure(LogFormat.TEXT, "INFO",
            Map.of("io.netty", "LOUD")))
        .isInstanceOf(ObservabilityException.class)
        .hasMessageContaining("'LOUD'")
        .hasMessageContaining("'io.netty'")
        .hasMessageContaining("TRACE, DEBUG, INFO, WARN, ERROR, OFF");
    // Nothing changed: still JSON.
    LoggerFactory.getLogger("x").info("still json");
    assertThat(lines()).singleElement().asString().startsWith("{");
  }

  @Test
  void configure_invalidRootLevel_throwsNamingRoot() {
    assertThatThrownBy(() -> LogSetup.configure(LogFormat.JSON, "verbose", Map.of()))
        .isInstanceOf(ObservabilityException.class)
        .hasMessageContaining("'verbose'")
        .hasMessageContaining("'ROOT'");
  }
}
