package dev.x0tta6bl4.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {
  @ParameterizedTest
  @CsvSource({
    "0s, PT0S",
    "250ms, PT0.25S",
    "10s, PT10S",
    "5m, PT5M",
    "1h, PT1H",
    "2d, PT48H",
    "7ns, PT0.000000007S",
    "3us, PT0.000003S",
    "010s, PT10S"
  })
  void parse_validText_givesDuration(String text, String iso) {
    assertThat(Durations.parse(text)).isEqualTo(Duration.parse(iso));
  }

  @ParameterizedTest
  @CsvSource({"PT0S, 0s", "PT1.5S, 1500ms", "PT90S, 90s", "PT2M, 2m", "PT48H, 2d", "PT25H, 25h"})
  void format_duration_usesLargestExactUnit(String iso, String text) {
    assertThat(Durations.format(Duration.parse(iso))).isEqualTo(text);
  }

  @Test
  void parse_negative_isRejected() {
    assertThatThrownBy(() -> Durations.parse("-5s"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("'-5s' is negative; allowed: " + Durations.ALLOWED);
  }

  @Test
  void parse_missingUnit_isRejected() {
    assertThatThrownBy(() -> Durations.parse("10"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("'10' has no unit; allowed: " + Durations.ALLOWED);
  }

  @Test
  void parse_unknownUnit_isRejected() {
    assertThatThrownBy(() -> Durations.parse("10y"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("'10y' has unknown unit 'y'; allowed: " + Durations.ALLOWED);
  }

  @ParameterizedTest
  @ValueSource(strings = {"106752d", "9223372036854775808ns", "99999999999999999999s"})
  void parse_overflow_isRejected(String text) {
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("is too large");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " 1s", "1s ", "1.5s", "1S", "s", "1 s", "+1s", "1sms"})
  void parse_malformed_isRejected(String text) {
    assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(ConfigException.class);
  }

  @Test
  void format_negativeOrHuge_isRejected() {
    assertThatThrownBy(() -> Durations.format(Duration.ofSeconds(-1)))
        .isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> Durations.format(Duration.ofDays(200_000)))
        .isInstanceOf(ConfigException.class);
  }

  @Property
  void parse_ofFormat_isIdentity(@ForAll("durations") Duration duration) {
    assertThat(Durations.parse(Durations.format(duration))).isEqualTo(duration);
  }

  @Property
  void parse_arbitraryText_throwsOnlyConfigException(@ForAll("durationLike") String text) {
    try {
      assertThat(Durations.parse(text).isNegative()).isFalse();
    } catch (ConfigException e) {
      assertThat(e.getMessage()).isNotBlank().doesNotContain("\n");
    }
  }

  @Provide
  Arbitrary<Duration> durations() {
    return Arbitraries.oneOf(
        Arbitraries.longs().between(0, Long.MAX_VALUE).map(Duration::ofNanos),
        Arbitraries.longs().between(0, 10_000_000).map(Duration::ofMillis),
        Arbitraries.longs().between(0, 100_000).map(Duration::ofMinutes));
  }

  @Provide
  Arbitrary<String> durationLike() {
    return Arbitraries.oneOf(
        Arbitraries.strings().all().ofMaxLength(30),
        Arbitraries.strings().withChars("0123456789-+ .nsumhdy").ofMaxLength(25));
  }
}
