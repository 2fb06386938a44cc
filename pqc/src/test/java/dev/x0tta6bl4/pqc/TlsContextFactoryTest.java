package dev.x0tta6bl4.pqc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.handler.ssl.SslHandler;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import org.bouncycastle.jsse.BCSSLEngine;
import org.bouncycastle.jsse.BCSSLParameters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class TlsContextFactoryTest {

  private final CryptoProviders providers = CryptoProviders.install();
  private MeshCertificateAuthority pki;
  private MutableIdentitySource serverIds;
  private MutableIdentitySource clientIds;
  private TlsLoopback loopback;

  @BeforeEach
  void setUp() throws Exception {
    pki = newCa(SignatureAlgorithm.ED25519);
    serverIds = new MutableIdentitySource(pki.issueNodeIdentity("server"));
    clientIds = new MutableIdentitySource(pki.issueNodeIdentity("client"));
  }

  @AfterEach
  void tearDown() {
    if (loopback != null) {
      loopback.close();
    }
  }

  static MeshCertificateAuthority newCa(SignatureAlgorithm algorithm) {
    return MeshCertificateAuthority.builder().trustDomain("example.org").algorithm(algorithm).init();
  }

  private TlsContextFactory factory(MutableIdentitySource ids, TlsSettings settings) {
    return new TlsContextFactory(providers, ids, SvidValidator.builder("example.org").trustBundleFrom(ids).build(), settings);
  }

  private static void awaitHandshake(SslHandler ssl) throws Exception {
    ssl.handshakeFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void handshake_defaults_mutualTls13WithHybridGroupObservedOnTheWire() throws Exception {
    loopback = new TlsLoopback(factory(serverIds, TlsSettings.defaults()));
    TlsLoopback.Side client = loopback.connect(factory(clientIds, TlsSettings.defaults()));
    awaitHandshake(client.ssl);
    TlsLoopback.Side server = loopback.nextAccepted();
    awaitHandshake(server.ssl);

    assertThat(TlsLoopback.roundTrip(client, "ping")).isEqualTo("ping");
    SSLEngine engine = client.ssl.engine();
    assertThat(engine.getSession().getProtocol()).isEqualTo("TLSv1.3");
    assertThat(engine.getSession().getCipherSuite()).isIn(TlsSettings.CIPHER_SUITES);
    assertThat(((X509Certificate) engine.getSession().getPeerCertificates()[0]))
        .isEqualTo(serverIds.current().leaf());
    assertThat(((X509Certificate) server.ssl.engine().getSession().getPeerCertificates()[0]))
        .isEqualTo(clientIds.current().leaf());

    for (TlsLoopback.Side side : List.of(client, server)) {
      HandshakeObservation seen = side.inspector.observation();
      assertThat(seen.abandoned()).isEmpty();
      assertThat(seen.clientHelloCount()).isEqualTo(1);
      assertThat(seen.helloRetryRequestCount()).isZero();
      assertThat(seen.offeredKeyShareGroups()).containsExactly(HandshakeObservation.X25519_MLKEM768);
      assertThat(seen.supportedGroups()).containsExactly(HandshakeObservation.X25519_MLKEM768);
      assertThat(seen.selectedGroupName()).contains("X25519MLKEM768");
      assertThat(seen.negotiatedProtocol()).contains("TLSv1.3");
    }
    System.out.println("client saw " + client.inspector.observation());
  }

  @Test
  void handshake_pureMlKem768_selectsMlKem768() throws Exception {
    TlsSettings pure =
        TlsSettings.builder().keyExchange(TlsSettings.KeyExchange.PURE_MLKEM768).build();
    loopback = new TlsLoopback(factory(serverIds, pure));
    TlsLoopback.Side client = loopback.connect(factory(clientIds, pure));
    awaitHandshake(client.ssl);

    HandshakeObservation seen = client.inspector.observation();
    assertThat(seen.selectedGroupName()).contains("MLKEM768");
    assertThat(seen.helloRetryRequestCount()).isZero();
    assertThat(TlsLoopback.roundTrip(client, "pure")).isEqualTo("pure");
  }

  private TlsLoopback.Side connectClassicalOnlyClient(TlsContextFactory clientTls)
      throws InterruptedException {
    return loopback.connect(
        ch -> {
          SSLEngine engine = clientTls.newClientEngine(ch.alloc());
          BCSSLParameters p = ((BCSSLEngine) engine).getParameters();
          p.setNamedGroups(new String[] {"x25519"});
          p.setEarlyKeyShares(new String[] {"x25519"});
          ((BCSSLEngine) engine).setParameters(p);
          return new SslHandler(engine);
        });
  }

  @Test
  void handshake_classicalOnlyClientDefaultServer_refused() throws Exception {
    loopback = new TlsLoopback(factory(serverIds, TlsSettings.defaults()));
    TlsLoopback.Side client = connectClassicalOnlyClient(factory(clientIds, TlsSettings.defaults()));

    assertThatThrownBy(() -> awaitHandshake(client.ssl)).isInstanceOf(ExecutionException.class);
    TlsLoopback.Side server = loopback.nextAccepted();
    assertThatThrownBy(() -> awaitHandshake(server.ssl))
        .isInstanceOf(ExecutionException.class);
    HandshakeObservation seen = server.inspector.observation();
    assertThat(seen.offeredKeyShareGroups()).containsExactly(HandshakeObservation.X25519);
    assertThat(seen.selectedGroup()).isEmpty();
  }

  @Test
  void handshake_classicalOnlyClientServerAllowsClassical_acceptedWithX25519() throws Exception {
    TlsSettings allow = TlsSettings.builder().allowClassicalKeyExchange(true).build();
    loopback = new TlsLoopback(factory(serverIds, allow));
    TlsLoopback.Side client = connectClassicalOnlyClient(factory(clientIds, allow));
    awaitHandshake(client.ssl);

    assertThat(client.inspector.observation().selectedGroupName()).contains("x25519");
    assertThat(TlsLoopback.roundTrip(client, "classic")).isEqualTo("classic");
  }

  @Test
  void handshake_allowClassicalBothSides_stillNegotiatesHybrid() throws Exception {
    TlsSettings allow = TlsSettings.builder().allowClassicalKeyExchange(true).build();
    loopback = new TlsLoopback(factory(serverIds, allow));
    TlsLoopback.Side client = loopback.connect(factory(clientIds, allow));
    awaitHandshake(client.ssl);

    HandshakeObservation seen = client.inspector.observation();
    assertThat(seen.offeredKeyShareGroups()).containsExactly(HandshakeObservation.X25519_MLKEM768);
    assertThat(seen.selectedGroupName()).contains("X25519MLKEM768");
    assertThat(seen.helloRetryRequestCount()).isZero();
  }

  @Test
  void handshake_verifierRefusesClient_failsWithVerifierMessageLogged() throws Exception {
    Logger log = (Logger) LoggerFactory.getLogger(PeerVerifyingTrustManager.class);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    log.addAppender(appender);
    try {
      String reason = "spiffe://example.org/node/client is not on the allow-list";
      PeerVerifier refuseClients =
          chain -> {
            throw new CertificateException(reason);
          };
      loopback =
          new TlsLoopback(
              new TlsContextFactory(providers, serverIds, refuseClients, TlsSettings.defaults()));
      TlsLoopback.Side client = loopback.connect(factory(clientIds, TlsSettings.defaults()));
      TlsLoopback.Side server = loopback.nextAccepted();

      assertThatThrownBy(() -> awaitHandshake(server.ssl))
          .isInstanceOf(ExecutionException.class)
          .satisfies(e -> assertThat(causeMessages(e)).contains(reason));
      // TLS 1.3: the client finishes before the server judges its certificate; the server's
      // alert then closes the client's connection.
      assertThat(client.channel.closeFuture().await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(appender.list)
          .anySatisfy(
              event -> {
                assertThat(event.getFormattedMessage()).contains("TLS peer refused: client");
                assertThat(event.getFormattedMessage()).contains(reason);
              });
    } finally {
      log.detachAppender(appender);
    }
  }

  @Test
  void handshake_certificateFromAnotherCa_refusedByPathValidation() throws Exception {
    MeshCertificateAuthority otherCa = newCa(SignatureAlgorithm.ED25519);
    NodeIdentity foreign = otherCa.issueNodeIdentity("stranger");
    // The stranger trusts our CA, so only the server's judgement of its certificate fails.
    MutableIdentitySource stranger =
        new MutableIdentitySource(
            new NodeIdentity(foreign.privateKey(), foreign.certificateChain(), List.of(pki.caCertificate())));
    loopback = new TlsLoopback(factory(serverIds, TlsSettings.defaults()));
    TlsLoopback.Side client = loopback.connect(factory(stranger, TlsSettings.defaults()));
    TlsLoopback.Side server = loopback.nextAccepted();

    assertThatThrownBy(() -> awaitHandshake(server.ssl))
        .satisfies(e -> assertThat(causeMessages(e)).contains("does not validate against the trust bundle"));
    assertThat(client.channel.closeFuture().await(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void rotation_newConnectionPresentsNewCertificate_existingConnectionKeepsWorking()
      throws Exception {
    loopback = new TlsLoopback(factory(serverIds, TlsSettings.defaults()));
    TlsContextFactory clientTls = factory(clientIds, TlsSettings.defaults());
    TlsLoopback.Side before = loopback.connect(clientTls);
    awaitHandshake(before.ssl);
    X509Certificate oldCert = serverIds.current().leaf();

    serverIds.rotate(pki.issueNodeIdentity("server"));
    X509Certificate newCert = serverIds.current().leaf();
    TlsLoopback.Side after = loopback.connect(clientTls);
    awaitHandshake(after.ssl);

    assertThat(newCert).isNotEqualTo(oldCert);
    assertThat(after.ssl.engine().getSession().getPeerCertificates()[0]).isEqualTo(newCert);
    assertThat(before.ssl.engine().getSession().getPeerCertificates()[0]).isEqualTo(oldCert);
    assertThat(before.channel.isActive()).isTrue();
    assertThat(TlsLoopback.roundTrip(before, "still up")).isEqualTo("still up");
    assertThat(TlsLoopback.roundTrip(after, "new")).isEqualTo("new");
  }

  @Test
  void handshake_mlDsa65CertificatesEnabled_completesWithHybridGroup() throws Exception {
    MeshCertificateAuthority pq = newCa(SignatureAlgorithm.ML_DSA_65);
    MutableIdentitySource pqServer = new MutableIdentitySource(pq.issueNodeIdentity("server"));
    MutableIdentitySource pqClient = new MutableIdentitySource(pq.issueNodeIdentity("client"));
    TlsSettings mlDsa = TlsSettings.builder().mlDsaCertificates(true).build();
    loopback = new TlsLoopback(factory(pqServer, mlDsa));
    TlsLoopback.Side client = loopback.connect(factory(pqClient, mlDsa));
    awaitHandshake(client.ssl);

    assertThat(client.inspector.observation().selectedGroupName()).contains("X25519MLKEM768");
    assertThat(((X509Certificate) client.ssl.engine().getSession().getPeerCertificates()[0])
            .getSigAlgName())
        .isEqualToIgnoringCase("ML-DSA-65");
    assertThat(TlsLoopback.roundTrip(client, "pq")).isEqualTo("pq");
  }

  private static String causeMessages(Throwable t) {
    StringBuilder sb = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      sb.append(c).append(" | ");
      if (c.getCause() == c) {
        break;
      }
    }
    return sb.toString();
  }
}
