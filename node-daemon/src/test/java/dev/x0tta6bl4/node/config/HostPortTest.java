package dev.x0tta6bl4.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class HostPortTest {
  @ParameterizedTest
  @CsvSource({
    "127.0.0.1:9464, 127.0.0.1, 9464",
    "localhost:0, localhost, 0",
    "node-1.mesh.example:65535, node-1.mesh.example, 65535",
    "[::1]:9464, ::1, 9464",
    "[::]:80, ::, 80",
    "[fe80::1:2]:7600, fe80::1:2, 7600",
    "[::ffff:10.0.0.1]:1, ::ffff:10.0.0.1, 1"
  })
  void parse_valid_givesHostAndPort(String text, String host, int port) {
    HostPort hp = HostPort.parse(text);

    assertThat(hp).isEqualTo(new HostPort(host, port));
    assertThat(hp).hasToString(text);
  }

  @Test
  void parse_portAboveRange_namesPortAndRange() {
    assertThatThrownBy(() -> HostPort.parse("127.0.0.1:70000"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("port 70000 is out of range; allowed: 0..65535");
  }

  @Test
  void parse_ipv6WithoutBrackets_saysSo() {
    assertThatThrownBy(() -> HostPort.parse("::1:9464"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("'::1:9464' has an IPv6 address without brackets");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "localhost",
        "localhost:",
        ":80",
        "host:-1",
        "host:80x",
        "ho st:80",
        "-host:80",
        "host-.a:80",
        "a..b:80",
        "256.1.1.1:80",
        "1.2.3:80",
        "[::1]",
        "[::1]80",
        "[localhost]:80",
        "[::g]:80",
        "[1:2:3:4:5:6:7:8:9]:80",
        "host:99999999999999"
      })
  void parse_invalid_isRejected(String text) {
    assertThatThrownBy(() -> HostPort.parse(text)).isInstanceOf(ConfigException.class);
  }

  @Test
  void constructor_validates() {
    assertThatThrownBy(() -> new HostPort("a", 65536)).isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> new HostPort("", 1)).isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> new HostPort(null, 1)).isInstanceOf(ConfigException.class);
  }

  @Property
  void parse_ofToString_isIdentity(@ForAll("hostPorts") HostPort hostPort) {
    assertThat(HostPort.parse(hostPort.toString())).isEqualTo(hostPort);
  }

  @Property
  void parse_arbitraryText_throwsOnlyConfigException(@ForAll("hostPortLike") String text) {
    try {
      HostPort hp = HostPort.parse(text);
      assertThat(hp.port()).isBetween(0, 65535);
      assertThat(HostPort.parse(hp.toString())).isEqualTo(hp);
    } catch (ConfigException e) {
      assertThat(e.getMessage()).isNotBlank().doesNotContain("\n");
    }
  }

  @Provide
  Arbitrary<HostPort> hostPorts() {
    // A label starting with a letter: all-numeric names are read as (possibly bad) IPv4.
    Arbitrary<String> label =
        Combinators.combine(
                Arbitraries.chars().range('a', 'z'),
                Arbitraries.strings().withChars("abxyz019-").ofMaxLength(9))
            .as((first, rest) -> first + rest.replaceAll("-+$", ""));
    Arbitrary<String> dns = label.list().ofMinSize(1).ofMaxSize(4).map(l -> String.join(".", l));
    Arbitrary<String> ipv4 =
        Arbitraries.integers().between(0, 255).list().ofSize(4)
            .map(l -> l.get(0) + "." + l.get(1) + "." + l.get(2) + "." + l.get(3));
    Arbitrary<String> ipv6 =
        Arbitraries.integers().between(0, 0xffff).list().ofSize(8)
            .map(l -> String.join(":", l.stream().map(Integer::toHexString).toList()));
    Arbitrary<String> host = Arbitraries.oneOf(dns, ipv4, ipv6, Arbitraries.of("::", "::1"));
    return Combinators.combine(host, Arbitraries.integers().between(0, 65535)).as(HostPort::new);
  }

  @Provide
  Arbitrary<String> hostPortLike() {
    return Arbitraries.oneOf(
        Arbitraries.strings().all().ofMaxLength(40),
        Arbitraries.strings().withChars("0123456789abcdef:.[]-%x ").ofMaxLength(30));
  }
}
