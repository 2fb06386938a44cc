package dev.x0tta6bl4.pqc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SpiffeIdTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "spiffe://example.org",
        "spiffe://example.org/workload",
        "spiffe://example.org/node/a1",
        "spiffe://a-b_c.d0/A.b-C_9/x",
        "spiffe://example.org/...",
        "spiffe://example.org/.a/b."
      })
  void parse_validIds_roundTrip(String uri) {
    SpiffeId id = SpiffeId.parse(uri);

    assertThat(id.toUri()).isEqualTo(uri);
    assertThat(id.toString()).isEqualTo(uri);
    assertThat(SpiffeId.parse(id.toUri())).isEqualTo(id);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "SPIFFE://example.org/a | expected lower-case 'spiffe://'",
        "Spiffe://example.org/a | expected lower-case 'spiffe://'",
        "https://example.org/a | does not start with 'spiffe://'",
        "spiffe:/example.org/a | does not start with 'spiffe://'",
        "spiffe:// | has an empty trust domain",
        "spiffe:///path | has an empty trust domain",
        "spiffe://Example.org/a | has an upper-case trust domain",
        "spiffe://example.org:8080/a | has a port",
        "spiffe://user@example.org/a | has user info",
        "spiffe://example.org?x=1 | has a query",
        "spiffe://example.org/a?x=1 | has a query",
        "spiffe://example.org/a#frag | has a fragment",
        "spiffe://exa%6Dple.org/a | has percent-encoding",
        "spiffe://example.org/a%20b | has percent-encoding",
        "spiffe://example.org/a/ | has a trailing '/'",
        "spiffe://example.org/ | has a trailing '/'",
        "spiffe://example.org//a | has an empty path segment",
        "spiffe://example.org/a/./b | has a '.' path segment",
        "spiffe://example.org/a/.. | has a '..' path segment",
        "spiffe://example.org/a b | has an invalid path character",
        "spiffe://exa mple.org/a | has an invalid trust domain character",
        "spiffe://example.org/caf\u00e9 | has an invalid path character"
      })
  void parse_invalidIds_throwNamingValueAndRule(String uri, String rule) {
    assertThatThrownBy(() -> SpiffeId.parse(uri))
        .isInstanceOf(PqcException.class)
        .hasMessageContaining(rule);
    if (!uri.isEmpty()) {
      assertThatThrownBy(() -> SpiffeId.parse(uri)).hasMessageContaining(uri);
    }
  }

  @Test
  void parse_longerThan2048Bytes_refused() {
    String uri = "spiffe://example.org/" + "a".repeat(2048);

    assertThatThrownBy(() -> SpiffeId.parse(uri))
        .isInstanceOf(PqcException.class)
        .hasMessageContaining("at most 2048");
  }

  @Test
  void parse_exactly2048Bytes_accepted() {
    String prefix = "spiffe://example.org/";
    String uri = prefix + "a".repeat(2048 - prefix.length());

    assertThat(SpiffeId.parse(uri).toUri()).hasSize(2048);
  }

  @Test
  void forNode_buildsNodeId_andNodeIdExtractsIt() {
    SpiffeId id = SpiffeId.forNode("mesh.example", "node-7");

    assertThat(id.toUri()).isEqualTo("spiffe://mesh.example/node/node-7");
    assertThat(id.trustDomain()).isEqualTo("mesh.example");
    assertThat(id.path()).isEqualTo("/node/node-7");
    assertThat(id.nodeId()).contains("node-7");
  }

  @Test
  void nodeId_otherPaths_empty() {
    assertThat(SpiffeId.parse("spiffe://td/node").nodeId()).isEmpty();
    assertThat(SpiffeId.parse("spiffe://td/node/a/b").nodeId()).isEmpty();
    assertThat(SpiffeId.parse("spiffe://td/workload/a").nodeId()).isEmpty();
    assertThat(SpiffeId.parse("spiffe://td").nodeId()).isEmpty();
  }

  @Test
  void forNode_nodeIdWithSlashOrDot_refused() {
    assertThatThrownBy(() -> SpiffeId.forNode("td", "a/b"))
        .isInstanceOf(PqcException.class)
        .hasMessageContaining("node id 'a/b'");
    assertThatThrownBy(() -> SpiffeId.forNode("td", ".."))
        .isInstanceOf(PqcException.class)
        .hasMessageContaining("'..' path segment");
    assertThatThrownBy(() -> SpiffeId.forNode("td", ""))
        .isInstanceOf(PqcException.class)
        .hasMessageContaining("trailing '/'");
  }

  @Test
  void forTrustDomain_isTrustDomainId() {
    SpiffeId id = SpiffeId.forTrustDomain("mesh.example");

    assertThat(id.toUri()).isEqualTo("spiffe://mesh.example");
    assertThat(id.isTrustDomainId()).isTrue();
    assertThat(id.isMemberOf("mesh.example")).isTrue();
    assertThat(id.isMemberOf("other")).isFalse();
  }

  @Test
  void equals_sameUri_equal() {
    assertThat(SpiffeId.parse("spiffe://td/node/a")).isEqualTo(SpiffeId.forNode("td", "a"));
  }
}
