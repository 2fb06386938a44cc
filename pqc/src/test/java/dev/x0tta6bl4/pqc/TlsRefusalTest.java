package dev.x0tta6bl4.pqc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/**
 * Every identity refusal of the issue, end to end: a real mutual-TLS handshake on loopback
 * between the production {@link TlsContextFactory} and {@link SvidValidator}, where the
 * client presents a bad identity. The server must fail the handshake and log one WARN line
 * that names the broken rule.
 */
class TlsRefusalTest {
  private static final String TD = "example.org";

  private final CryptoProviders providers = CryptoProviders.install();
  private MeshCertificateAuthority ca;
  private MutableIdentitySource serverIds;
  private TlsLoopback loopback;
  private final ListAppender<ILoggingEvent> warnings = new ListAppender<>();
  private final Logger trustLog = (Logger) LoggerFactory.getLogger(PeerVerifyingTrustManager.class);

  /** One bad client identity, built from the server's CA, and the refusal it must cause. */
  record Case(String name, Function<TlsRefusalTest, NodeIdentity> client, String refusal) {
    @Override
    public String toString() {
      return name;
    }
  }

  @BeforeEach
  void setUp() {
    ca = TlsContextFactoryTest.newCa(SignatureAlgorithm.ED25519);
    serverIds = new MutableIdentitySource(ca.issueNodeIdentity("server"));
    warnings.start();
    trustLog.addAppender(warnings);
  }

  @AfterEach
  void tearDown() {
    trustLog.detachAppender(warnings);
    if (loopback != null) {
      loopback.close();
    }
  }

  static Stream<Arguments> cases() {
    return Stream.of(
            new Case(
                "certificate from another CA",
                t -> trusting(t, TlsContextFactoryTest.newCa(SignatureAlgorithm.ED25519)
                    .issueNodeIdentity("stranger")),
                "does not validate against the trust bundle"),
            new Case(
                "CA certificate used as leaf",
                // A CA certificate that also allows digitalSignature, so the client's TLS
                // stack is willing to present it; the mesh CA's own certificate is not.
                t -> t.fixtureLeaf(f -> f.uri("spiffe://example.org/node/a").ca(true)),
                "is a CA certificate"),
            new Case(
                "two URI SANs",
                t -> t.fixtureLeaf(f -> f.uri("spiffe://example.org/node/a")
                    .uri("spiffe://example.org/node/b")),
                "has 2 URI SANs; an X.509-SVID has exactly one"),
            new Case(
                "wrong trust domain",
                t -> t.fixtureLeaf(f -> f.uri("spiffe://other.test/node/a")),
                "is in trust domain 'other.test'; expected 'example.org'"),
            new Case(
                "expired certificate",
                t -> t.fixtureLeaf(f -> f.uri("spiffe://example.org/node/a")
                    .validity(Instant.now().minus(Duration.ofHours(3)),
                        Instant.now().minus(Duration.ofHours(2)))),
                "has expired: notAfter"),
            new Case(
                "not-yet-valid certificate",
                t -> t.fixtureLeaf(f -> f.uri("spiffe://example.org/node/a")
                    .validity(Instant.now().plus(Duration.ofHours(2)),
                        Instant.now().plus(Duration.ofHours(3)))),
                "is not yet valid: notBefore"),
            new Case(
                "SPIFFE ID not on the allow-list",
                t -> t.ca.issueNodeIdentity("intruder"),
                "spiffe://example.org/node/intruder is not on the allow-list"))
        .map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void handshake_badClientIdentity_refusedWithLogLineNamingTheRule(Case c) throws Exception {
    SvidValidator serverValidator =
        SvidValidator.builder(TD)
            .trustBundleFrom(serverIds)
            .allowedIds(Set.of(
                SpiffeId.forNode(TD, "a"), SpiffeId.forNode(TD, "stranger"),
                SpiffeId.forNode(TD, "client")))
            .build();
    loopback =
        new TlsLoopback(
            new TlsContextFactory(providers, serverIds, serverValidator, TlsSettings.defaults()));
    MutableIdentitySource clientIds = new MutableIdentitySource(c.client().apply(this));
    // The client trusts the server, so only the server's judgement of the client can fail.
    PeerVerifier clientTrustsServer =
        SvidValidator.builder(TD).trustBundle(ca::trustBundle).build();
    TlsLoopback.Side client =
        loopback.connect(
            new TlsContextFactory(providers, clientIds, clientTrustsServer, TlsSettings.defaults()));
    TlsLoopback.Side server = loopback.nextAccepted();

    assertThatThrownBy(() -> server.ssl.handshakeFuture().get(10, TimeUnit.SECONDS))
        .hasStackTraceContaining(c.refusal());
    assertThat(client.channel.closeFuture().await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(warnings.list)
        .filteredOn(e -> e.getFormattedMessage().contains("TLS peer refused: client"))
        .singleElement()
        .satisfies(e -> assertThat(e.getFormattedMessage()).contains(c.refusal()));
  }

  private static NodeIdentity trusting(TlsRefusalTest t, NodeIdentity foreign) {
    return new NodeIdentity(foreign.privateKey(), foreign.certificateChain(), t.ca.trustBundle());
  }

  private NodeIdentity identity(PrivateKey key, X509Certificate leaf) {
    return new NodeIdentity(key, List.of(leaf), ca.trustBundle());
  }

  private NodeIdentity fixtureLeaf(Function<CertFixtures, CertFixtures> shape) {
    KeyPair keys = CertFixtures.ed25519();
    X509Certificate leaf =
        shape.apply(CertFixtures.leafOf(ca, ca.caKey(), keys.getPublic(), Instant.now())).build();
    return identity(keys.getPrivate(), leaf);
  }
}
