package dev.x0tta6bl4.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DataSizeTest {
  @ParameterizedTest
  @CsvSource({
    "0B, 0",
    "512B, 512",
    "8KiB, 8192",
    "64MiB, 67108864",
    "1GiB, 1073741824",
    "2TiB, 2199023255552",
    "1KB, 1000",
    "5MB, 5000000",
    "1GB, 1000000000",
    "3TB, 3000000000000"
  })
  void parse_validText_givesBytes(String text, long bytes) {
    assertThat(DataSize.parse(text).bytes()).isEqualTo(bytes);
  }

  @ParameterizedTest
  @CsvSource({
    "0, 0B",
    "512, 512B",
    "8192, 8KiB",
    "1000, 1KB",
    "1024000, 1000KiB",
    "1536, 1536B",
    "3000, 3KB",
    "1048576, 1MiB",
    "1025, 1025B"
  })
  void toString_size_usesLargestExactUnit(long bytes, String text) {
    assertThat(DataSize.ofBytes(bytes)).hasToString(text);
  }

  @Test
  void parse_missingUnit_isRejected() {
    assertThatThrownBy(() -> DataSize.parse("8192"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("'8192' has no unit; allowed: " + DataSize.ALLOWED);
  }

  @Test
  void parse_unknownUnit_isRejected() {
    assertThatThrownBy(() -> DataSize.parse("8kb"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("'8kb' has unknown unit 'kb'; allowed: " + DataSize.ALLOWED);
  }

  @ParameterizedTest
  @ValueSource(strings = {"-1B", "", "1.5KiB", " 1B", "KiB", "9223372036854775807KiB", "8EiB"})
  void parse_invalid_isRejected(String text) {
    assertThatThrownBy(() -> DataSize.parse(text)).isInstanceOf(ConfigException.class);
  }

  @Test
  void constructor_negative_isRejected() {
    assertThatThrownBy(() -> DataSize.ofBytes(-1)).isInstanceOf(ConfigException.class);
  }

  @Property
  void parse_ofToString_isIdentity(@ForAll("sizes") DataSize size) {
    assertThat(DataSize.parse(size.toString())).isEqualTo(size);
  }

  @Property
  void parse_arbitraryText_throwsOnlyConfigException(@ForAll("sizeLike") String text) {
    try {
      assertThat(DataSize.parse(text).bytes()).isNotNegative();
    } catch (ConfigException e) {
      assertThat(e.getMessage()).isNotBlank().doesNotContain("\n");
    }
  }

  @Provide
  Arbitrary<DataSize> sizes() {
    return Arbitraries.oneOf(
            Arbitraries.longs().between(0, Long.MAX_VALUE),
            Arbitraries.longs().between(0, 1 << 20).map(k -> k * 1024),
            Arbitraries.longs().between(0, 1 << 20).map(k -> k * 1000))
        .map(DataSize::ofBytes);
  }

  @Provide
  Arbitrary<String> sizeLike() {
    return Arbitraries.oneOf(
        Arbitraries.strings().all().ofMaxLength(30),
        Arbitraries.strings().withChars("0123456789-+ .BKMGTi").ofMaxLength(25));
  }
}
